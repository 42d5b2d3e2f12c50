"""What will go out, shown before the operator confirms."""

from __future__ import annotations

from collections import defaultdict

from gonogo.night.dispatch import PlannedDispatch
from gonogo.runbook.segments import measure


def preview_lines(
    planned: list[PlannedDispatch], *, dry_run: bool, rates: dict[str, float] | None = None
) -> list[str]:
    """The preview; `rates` (messages a second per channel, the runbook's rate_limit)
    adds how long a channel's fan-out takes at that pace where it is a minute or more."""
    lines: list[str] = []
    if dry_run:
        lines.append("REHEARSAL (dry run): nothing is sent; messages go to the outbox.")
    for p in planned:
        if not p.rows:
            continue
        what = p.effect.event.value + (f" (part {p.effect.part})" if p.effect.part else "")
        what += f" {p.effect.notice}" if p.effect.notice else ""
        lines.append(f"{what}:")
        per_channel: dict[str, dict[str, int]] = defaultdict(dict)
        for (channel, audience), count in sorted(p.counts().items()):
            per_channel[channel][audience] = count
        for channel, audiences in per_channel.items():
            total = sum(audiences.values())
            parts = ", ".join(f"{a} {n}" for a, n in audiences.items())
            lines.append(f"  {channel.upper()} to {total} recipient(s): {parts}")
            rate = (rates or {}).get(channel)
            if rate and total / rate >= 60:  # a minute
                lines.append(
                    f"    at the runbook's rate_limit of {rate:g} a second this takes "
                    f"about {round(total / rate / 60)} min"
                )
        shown: set[tuple[str, str | None, str]] = set()
        for row in p.rows:
            key = (row.channel, row.subject, row.body)
            if key in shown:
                continue
            shown.add(key)
            if row.channel == "sms":
                m = measure(row.body)
                lines.append(
                    f"  SMS [{row.language}] ({m.encoding}, {m.segments} segment(s)): {row.body}"
                )
            else:
                lines.append(f"  E-mail [{row.language}]: {row.subject}")
                lines += [f"    {line}" for line in row.body.rstrip().splitlines()]
    return lines
