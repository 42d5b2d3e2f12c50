"""What will go out, shown before the operator confirms.

Each distinct text once, labelled with its channel, its language, who gets it (every
audience with its recipient count) and, for the press statement, that it is one.
"""

from __future__ import annotations

from collections.abc import Mapping

from gonogo.night.dispatch import PlannedDispatch
from gonogo.render.send_words import texts_count, word
from gonogo.runbook.segments import measure
from gonogo.runbook.template import render

_Text = tuple[str, str | None, str]  # channel, subject, body


def preview_lines(
    planned: list[PlannedDispatch],
    *,
    dry_run: bool,
    audience_names: Mapping[str, str] | None = None,
    rates: Mapping[str, float] | None = None,
    language: str = "en",
) -> list[str]:
    """The preview in `language` (a catalogue language, see send_words); `rates` (the
    runbook's rate_limit per channel: SMS segments or e-mails a second) adds how long a
    channel's fan-out takes at that pace where it is a minute or more."""
    names = audience_names or {}
    lines: list[str] = []
    if dry_run:
        lines.append(word(language, "rehearsal"))
    for p in planned:
        if not p.rows:
            continue
        texts: dict[_Text, dict[str, dict[str, int]]] = {}
        tally = p.tally()
        for (channel, audience, text_language, subject, body), n in tally.items():
            per = texts.setdefault((channel, subject, body), {})
            languages = per.setdefault(audience, {})
            languages[text_language] = languages.get(text_language, 0) + n
        what = p.effect.event.value
        what += word(language, "part", n=p.effect.part) if p.effect.part else ""
        what += f" {p.effect.notice}" if p.effect.notice else ""
        if p.incident:
            what += f" ({p.incident})"
        lines.append(word(language, "texts", what=what, texts=texts_count(language, len(texts)),
                          n=len(p.rows)))  # fmt: skip
        lines += _pace(p, rates or {}, language)
        press = _press_text(p)
        for (channel, subject, body), audiences in texts.items():
            is_press = (subject, body) == press
            label = word(language, "press" if is_press else _CHANNEL[channel])
            whom = "; ".join(_audience(names, a, langs, language) for a, langs in audiences.items())
            head = word(language, "to whom", label=label, whom=whom)
            if channel == "sms":
                m = measure(body)
                lines.append(head + word(language, "segments", encoding=m.encoding, n=m.segments))
                lines.append(f"    {body}")
            else:
                lines.append(head)
                lines.append(word(language, "subject", subject=subject))
                lines += [f"    {line}" for line in body.rstrip().splitlines()]
    return lines


def _pace(p: PlannedDispatch, rates: Mapping[str, float], language: str) -> list[str]:
    """How long each channel's fan-out takes at the runbook's rate, if a minute or more.

    The SMS rate is in segments, as Twilio counts it: a two-segment SMS takes two.
    """
    lines = []
    for channel in ("sms", "email"):
        texts = {text: n for text, n in p.tally().items() if text[0] == channel}
        total = sum(texts.values())
        units = total
        if channel == "sms":  # per text, not per row: one measure per rendered text
            units = sum(measure(text[4]).segments * n for text, n in texts.items())
        rate = rates.get(channel)
        if rate and units / rate >= 60:
            what = word(language, "pace to", channel=word(language, _CHANNEL[channel]), n=total)
            per = "per second"
            if channel == "sms":
                what += word(language, "pace segments", n=units) if units != total else ""
                per = "segments per second"
            lines.append(
                word(
                    language,
                    "pace",
                    what=what,
                    rate=f"{rate:g}",
                    per=word(language, per),
                    n=round(units / rate / 60),
                )
            )
    return lines


def _audience(
    names: Mapping[str, str], audience: str, languages: dict[str, int], language: str
) -> str:
    """E.g. "Vårdgivare (vard): 7 recipient(s), sv 6, en 1" ("7 mottagare" in Swedish)."""
    name = names.get(audience, audience)
    label = f"{name} ({audience})" if name != audience else audience
    head = word(language, "audience", label=label, n=sum(languages.values()))
    return head + ", ".join(f"{k} {n}" for k, n in languages.items())


_CHANNEL = {"sms": "SMS", "email": "E-mail"}


def _press_text(p: PlannedDispatch) -> tuple[str | None, str] | None:
    """The press statement's subject and body as rendered for this dispatch, if any."""
    if p.located is None or p.located.message.press is None:
        return None
    press = p.located.message.press
    return render(press.subject, p.values), render(press.body, p.values)
