"""Downtime per service outside the planned window; the month's availability against target."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from gonogo.night.lights import Change
from gonogo.night.view import NightView
from gonogo.render.report_lines import minutes

# seeds/003: availability targets; planned service windows are not counted against them.
TARGETS = {"A": 0.999, "B": 0.98}


@dataclass(frozen=True)
class Downtime:
    service: str
    name: str
    class_: str
    target: float
    down_inside: int  # minutes red inside the planned window
    down_outside: int
    degraded_inside: int  # minutes yellow
    degraded_outside: int
    availability: float  # the month's, if this night was its only downtime
    budget: float  # minutes of unplanned downtime the target allows this month

    @property
    def met(self) -> bool:
        return self.availability >= self.target


def _overlap(a: dt.datetime, b: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> dt.timedelta:
    return max(dt.timedelta(0), min(b, hi) - max(a, lo))


def month_bounds(view: NightView) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar month the window starts in, as UTC instants (DST-correct)."""
    start = view.local(view.plan.window_start)
    days = calendar.monthrange(start.year, start.month)[1]
    first = dt.datetime(start.year, start.month, 1, tzinfo=view.plan.zone)
    last = first + dt.timedelta(days=days)
    last = dt.datetime(last.year, last.month, 1, tzinfo=view.plan.zone)
    return first.astimezone(dt.UTC), last.astimezone(dt.UTC)


def downtime(view: NightView, changes: list[Change]) -> list[Downtime]:
    """Red counts as down, yellow as degraded; only time outside the window counts."""
    ws, we = view.plan.window_start, view.plan.window_end
    first, last = month_bounds(view)
    counted = (last - first - (we - ws)).total_seconds() / 60
    end = max([view.now, *(e.at for e in view.night.entries)])
    result = []
    for key, service in view.run.runbook.services.items():
        total = {"red": dt.timedelta(), "yellow": dt.timedelta()}
        inside = {"red": dt.timedelta(), "yellow": dt.timedelta()}
        colour, since = "green", ws
        for until, next_colour in [(c.at, c.colour) for c in changes if c.service == key] + [
            (end, "green")
        ]:
            if colour in total:
                total[colour] += until - since
                inside[colour] += _overlap(since, until, ws, we)
            colour, since = next_colour, until
        target = TARGETS[service.class_]
        outside = minutes(total["red"] - inside["red"])
        result.append(
            Downtime(
                key,
                service.name,
                service.class_,
                target,
                minutes(inside["red"]),
                outside,
                minutes(inside["yellow"]),
                minutes(total["yellow"] - inside["yellow"]),
                1 - outside / counted,
                (1 - target) * counted,
            )
        )
    return result
