"""Where the night stands, in the words the operator reads on refusals and in status."""

from __future__ import annotations

import datetime as dt

from gonogo.night.machine import COMPLETED, PARTS_DONE, PLANNED, ROLLED_BACK, ROLLING_BACK
from gonogo.night.snapshot import Night
from gonogo.runbook.model import Runbook

STEP_NAMES = {
    "go": "go",
    "nogo": "nogo",
    "hold": "hold",
    "progress": "progress",
    "rollback_done": "rollback-done",
    "end": "end",
}


def duration(delta: dt.timedelta) -> str:
    """A span a person reads at a glance: "45 min", "2 h 05 min", "30 days 4 h"."""
    minutes = abs(int(delta.total_seconds() // 60))
    hours, mins = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days >= 2:
        return f"{days} days {hours} h"
    hours += 24 * days
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"


def describe(runbook: Runbook, night: Night) -> str:
    """Where the night stands, in words."""
    current = night.current_part
    if current is not None:
        return f"part {current} ({runbook.parts[current - 1].id}) is in progress"
    if night.outcome == "cancelled":
        return "the window was cancelled"
    return {
        PLANNED: "the window has not started",
        PARTS_DONE: "every part has had Go; the window waits to be ended",
        ROLLING_BACK: "the night is rolling back",
        COMPLETED: "the night is over: completed",
        ROLLED_BACK: "the night is over: rolled back",
    }.get(night.state, night.state)


def next_step(night: Night) -> str:
    current = night.current_part
    if current is not None:
        return f"next: `gonogo go {current}` or `gonogo nogo {current} --reason ...`"
    return {
        PLANNED: "next: `gonogo start RUNBOOK`",
        PARTS_DONE: "next: `gonogo end`",
        ROLLING_BACK: "next: `gonogo rollback-done` when the rollback is finished",
        COMPLETED: "nothing more to do; see `gonogo report` or `gonogo log`",
        ROLLED_BACK: "nothing more to do; see `gonogo report` or `gonogo log`",
    }.get(night.state, "see `gonogo status`")


def explain(runbook: Runbook, night: Night, trigger: str) -> str:
    name = STEP_NAMES.get(trigger, trigger)
    return f"`{name}` is not possible now: {describe(runbook, night)}; nothing was done"
