"""`gonogo announce --list`: the advance notices' schedule, sent, due and coming."""

from __future__ import annotations

import typer

from gonogo.night.decisions import Context
from gonogo.night.decisions.notices import NoticeState
from gonogo.runbook.notices import format_offset

_WHAT = {
    "sent": "sent",
    "due": "due now",
    "late": "late (not sent; --send-late)",
    "coming": "coming",
    "passed": "not sent; the window has begun",
    "cancelled": "not sent; the window is cancelled",
}


def notice_lines(ctx: Context, states: list[NoticeState]) -> list[str]:
    """One line per notice: id, offset, its moment, and where it stands."""
    lines = [f"Window starts {ctx.local(ctx.plan.window_start):%Y-%m-%d %H:%M} "
             f"({ctx.plan.zone.key})."]  # fmt: skip
    for s in states:
        line = (
            f"{s.notice.id:<12} {format_offset(s.notice.before) + ' before':<12} "
            f"{ctx.local(s.moment):%Y-%m-%d %H:%M}  {_WHAT[s.status]}"
        )
        if s.sent is not None:
            when = f"{ctx.local(s.sent.at):%Y-%m-%d %H:%M}"
            line += f" {when} by {s.sent.by}, to {s.recipients} recipient(s)"
            if s.sent.late:
                line += " (late)"
            if s.status != "sent":
                line += f"; for the window then at {ctx.local(s.sent.window_start):%Y-%m-%d %H:%M}"
        lines.append(line)
    return lines


def print_notices(ctx: Context, states: list[NoticeState]) -> int:
    for line in notice_lines(ctx, states):
        typer.echo(line)
    return 0
