"""What will go out, shown before the operator confirms.

Each distinct text once, labelled with its channel, its language, who gets it (every
audience with its recipient count) and, for the press statement, that it is one.
"""

from __future__ import annotations

from collections.abc import Mapping

from gonogo.night.dispatch import PlannedDispatch
from gonogo.runbook.segments import measure
from gonogo.runbook.template import render

_Text = tuple[str, str | None, str]  # channel, subject, body


def preview_lines(
    planned: list[PlannedDispatch],
    *,
    dry_run: bool,
    audience_names: Mapping[str, str] | None = None,
    rates: Mapping[str, float] | None = None,
) -> list[str]:
    """The preview; `rates` (the runbook's rate_limit per channel: SMS segments or
    e-mails a second) adds how long a channel's fan-out takes at that pace where it is a
    minute or more."""
    names = audience_names or {}
    lines: list[str] = []
    if dry_run:
        lines.append("REHEARSAL (dry run): nothing is sent; messages go to the outbox.")
    for p in planned:
        if not p.rows:
            continue
        texts: dict[_Text, dict[str, dict[str, int]]] = {}
        for row in p.rows:
            per = texts.setdefault((row.channel, row.subject, row.body), {})
            languages = per.setdefault(row.audience, {})
            languages[row.language] = languages.get(row.language, 0) + 1
        what = p.effect.event.value + (f" (part {p.effect.part})" if p.effect.part else "")
        what += f" {p.effect.notice}" if p.effect.notice else ""
        if p.incident:
            what += f" ({p.incident})"
        lines.append(f"{what}: {len(texts)} text(s) to {len(p.rows)} recipient(s)")
        lines += _pace(p, rates or {})
        press = _press_text(p)
        for (channel, subject, body), audiences in texts.items():
            label = "PRESS STATEMENT by e-mail" if (subject, body) == press else _CHANNEL[channel]
            whom = "; ".join(_audience(names, a, langs) for a, langs in audiences.items())
            head = f"  {label} to {whom}"
            if channel == "sms":
                m = measure(body)
                lines.append(f"{head}; {m.encoding}, {m.segments} segment(s)")
                lines.append(f"    {body}")
            else:
                lines.append(head)
                lines.append(f"    Subject: {subject}")
                lines += [f"    {line}" for line in body.rstrip().splitlines()]
    return lines


def _pace(p: PlannedDispatch, rates: Mapping[str, float]) -> list[str]:
    """How long each channel's fan-out takes at the runbook's rate, if a minute or more.

    The SMS rate is in segments, as Twilio counts it: a two-segment SMS takes two.
    """
    lines = []
    segments: dict[str, int] = {}
    for channel in ("sms", "email"):
        rows = [row for row in p.rows if row.channel == channel]
        total = len(rows)
        units = total
        if channel == "sms":
            for row in rows:
                if row.body not in segments:
                    segments[row.body] = measure(row.body).segments
            units = sum(segments[row.body] for row in rows)
        rate = rates.get(channel)
        if rate and units / rate >= 60:
            what = f"{_CHANNEL[channel]} to {total}"
            per = "a second"
            if channel == "sms":
                what += f" ({units} segments)" if units != total else ""
                per = "segments a second"
            lines.append(
                f"  {what}: at the runbook's rate_limit of {rate:g} {per} this takes "
                f"about {round(units / rate / 60)} min"
            )
    return lines


def _audience(names: Mapping[str, str], audience: str, languages: dict[str, int]) -> str:
    """E.g. "Vårdgivare (vard): 7 recipient(s), sv 6, en 1"."""
    name = names.get(audience, audience)
    label = f"{name} ({audience})" if name != audience else audience
    count = sum(languages.values())
    return f"{label}: {count} recipient(s), " + ", ".join(f"{k} {n}" for k, n in languages.items())


_CHANNEL = {"sms": "SMS", "email": "E-mail"}


def _press_text(p: PlannedDispatch) -> tuple[str | None, str] | None:
    """The press statement's subject and body as rendered for this dispatch, if any."""
    if p.located is None or p.located.message.press is None:
        return None
    press = p.located.message.press
    return render(press.subject, p.values), render(press.body, p.values)
