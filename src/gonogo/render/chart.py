"""The report's chart: planned and actual bars per part, rollback and incidents, in SVG units."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonogo.night.view import NightView


@dataclass(frozen=True)
class Shape:
    kind: str  # css class
    x: float
    y: float
    w: float
    h: float
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass
class Chart:
    width: int
    height: int
    left: int
    rows: list[tuple[float, str]] = field(default_factory=list)  # y of the label, text
    shapes: list[Shape] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    lines: list[Tick] = field(default_factory=list)  # vertical markers: window, PONR


def draw_chart(view: NightView) -> Chart:
    """Planned vs actual bars per part, incidents and the window's bounds, in SVG units."""
    plan, state = view.plan, view.night
    instants = [plan.window_start, plan.window_end, *(e.at for e in view.night.entries)]
    t0 = min(instants).replace(minute=0, second=0, microsecond=0)
    t1 = max(instants)
    t1 = t1.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    left, width, row = 190, 980, 34
    span = (t1 - t0).total_seconds()

    def x(instant: dt.datetime) -> float:
        return round(left + (width - left - 10) * (instant - t0).total_seconds() / span, 1)

    incidents = view.incidents()
    chart = Chart(width, 40 + row * (len(view.parts) + len(incidents) + 1), left)
    hour = t0
    while hour <= t1:
        chart.ticks.append(Tick(x(hour), f"{view.local(hour):%H:%M}"))
        hour += dt.timedelta(hours=1)
    chart.lines += [
        Tick(x(plan.window_start), "window start"),
        Tick(x(plan.window_end), "window end"),
        Tick(x(plan.point_of_no_return), "point of no return"),
    ]
    chart.shapes.append(
        Shape(
            "window",
            x(plan.window_start),
            20,
            x(plan.window_end) - x(plan.window_start),
            chart.height - 30,
            "planned window",
        )
    )
    y = 30.0
    for p in view.parts:
        chart.rows.append((y + row / 2, f"{p.number} {p.title}"))
        hm = f"{view.local(p.planned_start):%H:%M}–{view.local(p.planned_end):%H:%M}"
        chart.shapes.append(
            Shape(
                "planned",
                x(p.planned_start),
                y + 4,
                x(p.planned_end) - x(p.planned_start),
                10,
                f"planned {hm}",
            )
        )
        if p.started is not None:
            ended = p.ended or view.now
            kind = {"go": "go", "nogo": "nogo"}.get(p.decision or "", "running")
            title = f"actual {view.local(p.started):%H:%M}–" + (
                f"{view.local(p.ended):%H:%M} {p.decision}" if p.ended else "now"
            )
            chart.shapes.append(
                Shape(kind, x(p.started), y + 16, max(2.0, x(ended) - x(p.started)), 12, title)
            )
        y += row
    if state.parts and any(a.decision == "nogo" for a in state.parts):
        began = next(a.ended for a in state.parts if a.decision == "nogo")
        assert began is not None
        chart.rows.append((y + row / 2, "Rollback"))
        done = state.closed or view.now
        chart.shapes.append(
            Shape("rollback", x(began), y + 10, max(2.0, x(done) - x(began)), 14, "rollback")
        )
        y += row
    for incident in incidents:
        chart.rows.append((y + row / 2, f"{incident.id} (P{incident.priority})"))
        done = incident.resolved or view.now
        kind = "major" if incident.major(view.run.runbook.incidents) else "minor"
        chart.shapes.append(
            Shape(
                kind,
                x(incident.opened),
                y + 10,
                max(2.0, x(done) - x(incident.opened)),
                14,
                f"{incident.id}: {incident.summary}",
            )
        )
        for at, _by, text in incident.updates:
            chart.shapes.append(Shape("update", x(at) - 2, y + 8, 4, 18, text))
        y += row
    chart.height = int(y + 30)
    return chart
