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
    """The UTC instant of a local date and time.

    A time that happens twice (the clocks go back) is its first occurrence, unless the
    time carries a UTC offset (`02:30+01:00`), which picks the occurrence with it.
    Raises LocalTimeError for a time the clocks skip, or an offset the zone does not
    have at that time.
    """
    first = dt.datetime.combine(day, clock.replace(tzinfo=None), tzinfo=zone)  # fold=0
    instant = first.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != first.replace(tzinfo=None):
        msg = f"{day} {clock:%H:%M} does not exist in {zone.key} (the clocks skip it)"
        raise LocalTimeError(msg)
    if clock.tzinfo is None:
        return instant
    wanted = clock.utcoffset()
    for candidate in (first, first.replace(fold=1)):
        if candidate.utcoffset() == wanted:
            return candidate.astimezone(UTC)
    have = " or ".join(dict.fromkeys("UTC" + _offset(c) for c in (first, first.replace(fold=1))))
    msg = (
        f"{day} {clock:%H:%M}{_offset_of(wanted)} is not a time of {zone.key}: "
        f"there {clock:%H:%M} is {have}"
    )
    raise LocalTimeError(msg)


def ambiguity(day: dt.date, clock: dt.time, zone: ZoneInfo) -> str | None:
    """What to say about a local time that happens twice that night, or None.

    None for a time that happens once, and for one that names its offset already.
    """
    if clock.tzinfo is not None:
        return None
    first = dt.datetime.combine(day, clock, tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    hhmm = f"{clock:%H:%M}"
    return (
        f"{hhmm} happens twice on {day} in {zone.key} (the clocks go back): gonogo takes "
        f"the first, {hhmm} UTC{_offset(first)} ({first.astimezone(UTC):%H:%M} UTC); for "
        f'the second write "{hhmm}{_offset(second)}", or write "{hhmm}{_offset(first)}" '
        "to say the first"
    )


def _offset(local: dt.datetime) -> str:
    return _offset_of(local.utcoffset())


def _offset_of(delta: dt.timedelta | None) -> str:
    minutes = int((delta or dt.timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def night_day(runbook: Runbook, clock: dt.time, day: dt.date | None = None) -> dt.date:
    """The local date of a time of the night: earlier than the window's start means
    the next day. `day` is the night's first day (default: the runbook's date)."""
    start = runbook.window.start.replace(tzinfo=None)
    first = runbook.window.date if day is None else day
    return first if clock.replace(tzinfo=None) >= start else first + dt.timedelta(days=1)


def night_instant(runbook: Runbook, clock: dt.time, day: dt.date | None = None) -> dt.datetime:
    """A local time of the night: earlier than the window's start means the next day."""
    return resolve(night_day(runbook, clock, day), clock, ZoneInfo(runbook.release.timezone))


def late_minutes(planned: dt.datetime, actual: dt.datetime) -> int:
    """Whole minutes `actual` is after `planned`; 0 when on time or early, never negative.

    (Floor division of a few seconds early gives -1, which a view would show as late.)
    """
    return max(0, int((actual - planned).total_seconds() // 60))


def timeline(runbook: Runbook, day: dt.date | None = None) -> Timeline:
    """Resolve the plan; raises LocalTimeError for a time the clocks skip.

    `day` resolves the same local plan on another night (a rehearsal): every time is
    resolved in the zone on that night, so a night across a DST change keeps its local
    times, which moving the instants by a fixed delta (Timeline.shifted) does not.
    """
    zone = ZoneInfo(runbook.release.timezone)
    window = runbook.window
    first = window.date if day is None else day
    start = resolve(first, window.start, zone)
    end = night_instant(runbook, window.end, first)
    if end <= start:
        end = resolve(first + dt.timedelta(days=1), window.end, zone)
    parts = []
    for number, part in enumerate(runbook.parts, start=1):
        begins = night_instant(runbook, part.start, first)
        parts.append(PlannedPart(number, part, begins, begins + part.duration))
    verification = runbook.verification
    return Timeline(
        zone=zone,
        window_start=start,
        window_end=end,
        parts=tuple(parts),
        rollback=window.rollback,
        verification_start=(
            night_instant(runbook, verification.starts, first) if verification else None
        ),
    )
