"""A change of the window as the site and the report tell it: the window before and after."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.window_changes import WindowChanges
from gonogo.runbook.timeline import Timeline


@dataclass(frozen=True)
class Told:
    """One reschedule, cancellation or extension, its windows in local time."""

    at: dt.datetime  # local, as the windows
    change: str  # moved, cancelled or extended (night/window_changes.py)
    reason: str
    by: str
    before: tuple[dt.datetime, dt.datetime]
    after: tuple[dt.datetime, dt.datetime]  # a cancelled window's: as before


def told(plan: Timeline, changes: WindowChanges) -> list[Told]:
    """Each change of the Night's window, from `plan`: the run's plan as the runbook has it."""
    before = (plan.local(plan.window_start), plan.local(plan.window_end))
    found = []
    for change in changes.history:
        after = (
            plan.local(change.start) if change.start else before[0],
            plan.local(change.end) if change.end else before[1],
        )
        found.append(
            Told(plan.local(change.at), change.change, change.reason, change.by, before, after)
        )
        before = after
    return found
