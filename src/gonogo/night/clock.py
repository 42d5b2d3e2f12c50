"""All time comes from here, so tests and rehearsals can move it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        # datetime.now is what freezegun moves, so frozen tests see frozen time here.
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that stays where it is set (rehearsals on a simulated clock)."""

    def __init__(self, instant: dt.datetime) -> None:
        self.instant = instant

    def now(self) -> dt.datetime:
        return self.instant

    def advance(self, delta: dt.timedelta) -> None:
        self.instant += delta


_override: list[Clock] = []


def default_clock() -> Clock:
    """The clock commands use: the system's, unless a rehearsal has set its own."""
    return _override[-1] if _override else SystemClock()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run commands on `clock` (a rehearsal's simulated clock)."""
    _override.append(clock)
    try:
        yield clock
    finally:
        _override.pop()


class ScaledClock:
    """Time that runs `speed` times faster than the wall clock from `origin` on (table-tops)."""

    def __init__(self, origin: dt.datetime, speed: float) -> None:
        self.origin = origin
        self.speed = speed
        self._real = dt.datetime.now(dt.UTC)

    def now(self) -> dt.datetime:
        return self.origin + (dt.datetime.now(dt.UTC) - self._real) * self.speed
