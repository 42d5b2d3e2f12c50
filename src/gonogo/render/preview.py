"""What will go out, shown before the operator confirms."""

from __future__ import annotations

from collections import defaultdict

from gonogo.night.dispatch import PlannedDispatch
from gonogo.runbook.segments import measure


def preview_lines(planned: list[PlannedDispatch], *, dry_run: bool) -> list[str]:
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
