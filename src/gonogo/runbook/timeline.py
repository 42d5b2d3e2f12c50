"""The night's plan in real time: local times of the runbook resolved to instants."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from gonogo.runbook.model import Part, Runbook

UTC = dt.UTC


class LocalTimeError(ValueError):
    """A local time that does not exist on that night (the spring-forward gap)."""


class PlannedPart(NamedTuple):
    number: int
    part: Part
    start: dt.datetime  # aware, UTC
    end: dt.datetime


class Timeline(NamedTuple):
    zone: ZoneInfo
    window_start: dt.datetime
    window_end: dt.datetime
    parts: tuple[PlannedPart, ...]
    rollback: dt.timedelta
    verification_start: dt.datetime | None

    @property
    def point_of_no_return(self) -> dt.datetime:
        """The latest moment a NoGo still lets the rollback finish inside the window."""
        return self.window_end - self.rollback

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)

    def shifted(self, delta: dt.timedelta) -> Timeline:
        """The same plan moved by `delta` (a rehearsal started at another time)."""
        return Timeline(
            zone=self.zone,
            window_start=self.window_start + delta,
            window_end=self.window_end + delta,
            parts=tuple(
                PlannedPart(p.number, p.part, p.start + delta, p.end + delta) for p in self.parts
            ),
            rollback=self.rollback,
            verification_start=(
                self.verification_start + delta if self.verification_start else None
            ),
        )


def resolve(day: dt.date, clock: dt.time, zone: ZoneInfo) -> dt.datetime:
    """The UTC instant of a local date and time; its first occurrence if ambiguous."""
    local = dt.datetime.combine(day, clock, tzinfo=zone)  # fold=0: the first occurrence
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        msg = f"{day} {clock:%H:%M} does not exist in {zone.key} (the clocks skip it)"
        raise LocalTimeError(msg)
    return instant


def night_instant(runbook: Runbook, clock: dt.time) -> dt.datetime:
    """A local time of the night: earlier than the window's start means the next day."""
    window = runbook.window
    day = window.date if clock >= window.start else window.date + dt.timedelta(days=1)
    return resolve(day, clock, ZoneInfo(runbook.release.timezone))


def timeline(runbook: Runbook) -> Timeline:
    """Resolve the plan; raises LocalTimeError for a time the clocks skip."""
    zone = ZoneInfo(runbook.release.timezone)
    window = runbook.window
    start = resolve(window.date, window.start, zone)
    end = night_instant(runbook, window.end)
    if end <= start:
        end = resolve(window.date + dt.timedelta(days=1), window.end, zone)
    parts = []
    for number, part in enumerate(runbook.parts, start=1):
        begins = night_instant(runbook, part.start)
        parts.append(PlannedPart(number, part, begins, begins + part.duration))
    verification = runbook.verification
    return Timeline(
        zone=zone,
        window_start=start,
        window_end=end,
        parts=tuple(parts),
        rollback=window.rollback,
        verification_start=night_instant(runbook, verification.starts) if verification else None,
    )
