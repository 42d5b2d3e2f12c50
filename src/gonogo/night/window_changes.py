"""A window moved, cancelled or extended: folded from the journal, applied to the plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from gonogo.night.entries import Entry, Extended, Kind, Rescheduled
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import LocalTimeError, Timeline, timeline

DAY = dt.timedelta(days=1)

MOVED, CANCELLED, EXTENDED = "moved", "cancelled", "extended"


@dataclass(frozen=True)
class WindowChange:
    """One change, as the site and the report tell it: when, what, why.

    `start`/`end`: the window after it, where the change set them (a reschedule sets
    both, an extension the end, a cancellation neither); `previous_end`: an
    extension's end before it.
    """

    at: dt.datetime
    change: str  # MOVED, CANCELLED or EXTENDED
    reason: str
    by: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    previous_end: dt.datetime | None = None


@dataclass(frozen=True)
class WindowChanges:
    """What operators changed about the window since the runbook was written.

    `start`/`end`: the window as last rescheduled (None: as planned); `extended_end`:
    the end it was extended to during the night; `cancelled`: called off, with why.
    `history`: every change in the journal's order; `moves` counts them (a calendar
    event's SEQUENCE goes up by one per change).
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    extended_end: dt.datetime | None = None
    announced_end: dt.datetime | None = None  # the end before the first extension
    cancelled: str | None = None
    history: tuple[WindowChange, ...] = ()

    @property
    def moves(self) -> int:
        return len(self.history)


def apply_window_change(changes: WindowChanges, entry: Entry) -> WindowChanges:
    """Fold one entry; entries of other kinds change nothing."""
    payload, reason, by = entry.payload, entry.reason or "", entry.operator
    if isinstance(payload, Rescheduled):
        start = dt.datetime.fromisoformat(payload.window_start)
        end = dt.datetime.fromisoformat(payload.window_end)
        change = WindowChange(entry.at, MOVED, reason, by, start, end)
        return replace(changes, start=start, end=end, history=(*changes.history, change))
    if isinstance(payload, Extended):
        end, previous = (
            dt.datetime.fromisoformat(t) for t in (payload.window_end, payload.previous_end)
        )
        change = WindowChange(entry.at, EXTENDED, reason, by, end=end, previous_end=previous)
        return replace(
            changes, extended_end=end, announced_end=changes.announced_end or previous,
            history=(*changes.history, change),
        )  # fmt: skip
    if entry.kind == Kind.CANCEL:
        change = WindowChange(entry.at, CANCELLED, reason, by)
        return replace(changes, cancelled=reason, history=(*changes.history, change))
    return changes


def adjusted(plan: Timeline, changes: WindowChanges) -> Timeline:
    """The plan as the window now stands: moved as a whole, or with a later end."""
    if changes.start is not None and changes.end is not None:
        delta = changes.start - plan.window_start
        moved = plan.shifted(delta)
        plan = moved._replace(window_end=changes.end)
    if changes.extended_end is not None:
        plan = plan._replace(window_end=changes.extended_end)
    return plan


def on_its_night(plan: Timeline, runbook: Runbook, opened: dt.datetime | None) -> Timeline:
    """The plan on the night the window opened, where that is another date than planned.

    A real start the operator confirmed days away from the planned date (or a rehearsal
    that opens the run advance notices made) keeps the runbook's local times, which its
    texts name ("closed until 07:00"), on the night nearest to when it opened: lateness,
    the point of no return and what is due are measured on that night, not years away.
    Opened within half a day of the plan, the plan stands: hours late is late.
    """
    if opened is None:
        return plan
    days = round((opened - plan.window_start) / DAY)
    if not days:
        return plan
    try:
        return timeline(runbook, day=plan.local(plan.window_start).date() + days * DAY)
    except LocalTimeError:  # a planned time the clocks skip that night
        return plan.shifted(days * DAY)


def night_plan(
    plan: Timeline, runbook: Runbook, opened: dt.datetime | None, changes: WindowChanges
) -> Timeline:
    """The plan as the night stands (`opened`, `changes`: the Night's): on the night the
    window opened, then moved or extended by an operator. What every command, status
    and announce go by."""
    return adjusted(on_its_night(plan, runbook, opened), changes)
