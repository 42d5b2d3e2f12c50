"""A window moved, cancelled or extended: folded from the journal, applied to the plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from gonogo.night.entries import Entry, Extended, Kind, Rescheduled
from gonogo.runbook.timeline import Timeline


@dataclass(frozen=True)
class WindowChanges:
    """What operators changed about the window since the runbook was written.

    `start`/`end`: the window as last rescheduled (None: as planned); `extended_end`:
    the end it was extended to during the night; `cancelled`: called off, with why.
    `moves` counts reschedules and extensions (a calendar event's SEQUENCE).
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    extended_end: dt.datetime | None = None
    announced_end: dt.datetime | None = None  # the end before the first extension
    cancelled: str | None = None
    moves: int = 0


def apply_window_change(changes: WindowChanges, entry: Entry) -> WindowChanges:
    """Fold one entry; entries of other kinds change nothing."""
    payload = entry.payload
    if isinstance(payload, Rescheduled):
        return replace(
            changes, start=dt.datetime.fromisoformat(payload.window_start),
            end=dt.datetime.fromisoformat(payload.window_end), moves=changes.moves + 1,
        )  # fmt: skip
    if isinstance(payload, Extended):
        announced = changes.announced_end or dt.datetime.fromisoformat(payload.previous_end)
        return replace(
            changes, extended_end=dt.datetime.fromisoformat(payload.window_end),
            announced_end=announced, moves=changes.moves + 1,
        )  # fmt: skip
    if entry.kind == Kind.CANCEL:
        return replace(changes, cancelled=entry.reason or "", moves=changes.moves + 1)
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
