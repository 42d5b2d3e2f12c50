"""The release report for the follow-up meeting: Markdown, or one self-contained HTML file.

Everything comes from the journal (replayed into a NightView) and the runbook it names.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gonogo.night.incidents import Incident
from gonogo.night.lights import Change
from gonogo.night.view import NightView, PartRow
from gonogo.runbook.model import Verification

# seeds/003: availability targets; planned service windows are not counted against them.
TARGETS = {"A": 0.999, "B": 0.98}


@dataclass(frozen=True)
class PartLine(PartRow):
    """A part as the report shows it: the night view's row in local time, and more."""

    start_late: int | None  # minutes; negative is early
    end_late: int | None
    override: bool  # Go although production verification was not complete
    holds: list[str]


@dataclass(frozen=True)
class Delivered:
    audience: str
    channel: str
    sent: int
    failed: int
    other: int  # not yet tried
    in_doubt: int = 0  # may or may not have gone out: never counted as sent


@dataclass(frozen=True)
class Failure:
    audience: str
    channel: str
    name: str
    code: str | None
    reason: str | None


@dataclass(frozen=True)
class MessageLine:
    at: dt.datetime
    event: str
    label: str
    by: str
    recipients: int
    delivered: list[Delivered]
    failures: list[Failure]


@dataclass(frozen=True)
class Update:
    at: dt.datetime
    by: str
    text: str
    late: int | None  # minutes past the update interval (major incidents)


@dataclass(frozen=True)
class IncidentLine:
    id: str
    priority: int
    major: bool
    summary: str
    services: list[str]
    light: str
    opened: dt.datetime
    opened_by: str
    resolved: dt.datetime | None
    minutes: int
    updates: list[Update]
    overdue: int  # how many updates came late (or are late now)


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


@dataclass(frozen=True)
class Report:
    release: str
    title: str
    dry_run: bool
    outcome: str
    zone: str
    window_start: dt.datetime
    window_end: dt.datetime
    opened: dt.datetime | None
    closed: dt.datetime | None
    parts: list[PartLine]
    messages: list[MessageLine]
    incidents: list[IncidentLine]
    verification: dict[str, Any] | None
    lights: list[Change]
    lights_now: dict[str, str]
    downtime: list[Downtime]
    month: str
    chart: Chart
    service_names: dict[str, str]


def _minutes(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() / 60)


def _overlap(a: dt.datetime, b: dt.datetime, lo: dt.datetime, hi: dt.datetime) -> dt.timedelta:
    return max(dt.timedelta(0), min(b, hi) - max(a, lo))


def build(view: NightView) -> Report:
    """Everything the report says, from the journal replayed in `view`."""
    runbook = view.run.runbook
    local = view.local
    overrides = {
        e.part: e.reason or ""
        for e in view.night.entries
        if e.kind == "go" and e.data.get("override_verification")
    }
    parts = [
        PartLine(
            **{
                **vars(p),
                "planned_start": local(p.planned_start),
                "planned_end": local(p.planned_end),
                "started": local(p.started) if p.started else None,
                "ended": local(p.ended) if p.ended else None,
            },
            start_late=_minutes(p.started - p.planned_start) if p.started else None,
            end_late=_minutes(p.ended - p.planned_end) if p.ended else None,
            override=p.number in overrides,
            holds=_holds(view, p.number),
        )
        for p in view.parts
    ]
    lights_now, changes = view.lights()
    return Report(
        release=runbook.release.id,
        title=runbook.release.title,
        dry_run=view.run.dry_run,
        outcome=view.night.outcome or f"not finished (state {view.night.state})",
        zone=view.plan.zone.key,
        window_start=local(view.plan.window_start),
        window_end=local(view.plan.window_end),
        opened=local(view.night.opened) if view.night.opened else None,
        closed=local(view.night.closed) if view.night.closed else None,
        parts=parts,
        messages=_messages(view),
        incidents=[_incident(view, i) for i in view.incidents()],
        verification=view.as_dict()["verification"],
        lights=[Change(local(c.at), c.service, c.colour, c.why, c.by) for c in changes],
        lights_now=lights_now,
        downtime=_downtime(view, changes),
        month=f"{view.local(view.plan.window_start):%B %Y}",
        chart=_chart(view),
        service_names={k: s.name for k, s in runbook.services.items()},
    )


def _holds(view: NightView, part: int) -> list[str]:
    return [
        f"{view.local(e.at):%H:%M} {e.operator}: {e.reason or ''}"
        for e in view.night.entries
        if e.kind == "hold" and e.part == part
    ]


def _messages(view: NightView) -> list[MessageLine]:
    night = view.night
    causes = {e.seq: e for e in night.entries}
    audiences = view.run.runbook.audiences
    lines = []
    for dispatch in night.dispatches:
        delivered = [
            Delivered(
                audiences[a].name if a in audiences else a, c, n.sent, n.failed, n.pending,
                n.in_doubt,
            )
            for (c, a), n in sorted(dispatch.counts_by().items(), key=lambda kv: kv[0][::-1])
        ]  # fmt: skip
        failures = [
            Failure(d.audience, d.channel, d.name, d.code, d.reason)
            for d in night.problems
            if d.dispatch == dispatch.seq and d.status == "failed"
        ]
        cause = causes.get(dispatch.cause)
        entry = causes[dispatch.seq]
        lines.append(
            MessageLine(
                view.local(dispatch.at),
                dispatch.event,
                dispatch.label,
                cause.operator if cause else entry.operator,
                dispatch.counts.total,
                delivered,
                failures,
            )
        )
    return lines


def _incident(view: NightView, incident: Incident) -> IncidentLine:
    policy = view.run.runbook.incidents
    major = incident.major(policy)
    end = incident.resolved or view.now
    updates: list[Update] = []
    previous = incident.opened
    overdue = 0
    for at, by, text in incident.updates:
        late = _minutes(at - previous - policy.update_interval) if major else None
        if late is not None and late > 0:
            overdue += 1
        updates.append(Update(view.local(at), by, text, late if late and late > 0 else None))
        previous = at
    if incident.overdue(policy, view.now):
        overdue += 1
    return IncidentLine(
        incident.id,
        incident.priority,
        major,
        incident.summary,
        list(incident.services),
        incident.light,
        view.local(incident.opened),
        incident.opened_by,
        view.local(incident.resolved) if incident.resolved else None,
        _minutes(end - incident.opened),
        updates,
        overdue,
    )


def month_bounds(view: NightView) -> tuple[dt.datetime, dt.datetime]:
    """The local calendar month the window starts in, as UTC instants (DST-correct)."""
    start = view.local(view.plan.window_start)
    days = calendar.monthrange(start.year, start.month)[1]
    first = dt.datetime(start.year, start.month, 1, tzinfo=view.plan.zone)
    last = first + dt.timedelta(days=days)
    last = dt.datetime(last.year, last.month, 1, tzinfo=view.plan.zone)
    return first.astimezone(dt.UTC), last.astimezone(dt.UTC)


def _downtime(view: NightView, changes: list[Change]) -> list[Downtime]:
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
        outside = _minutes(total["red"] - inside["red"])
        result.append(
            Downtime(
                key,
                service.name,
                service.class_,
                target,
                _minutes(inside["red"]),
                outside,
                _minutes(inside["yellow"]),
                _minutes(total["yellow"] - inside["yellow"]),
                1 - outside / counted,
                (1 - target) * counted,
            )
        )
    return result


def _chart(view: NightView) -> Chart:
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


def environment(language: str = "en") -> Any:
    """Jinja2 with the report's filters, its words and dates in `language` (sv or en)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape  # noqa: PLC0415

    from gonogo.render import words  # noqa: PLC0415

    env = Environment(
        loader=PackageLoader("gonogo.render", "templates"),
        # Runbook and journal text is data: escaped in HTML, never in Markdown.
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    lang = words.language_of(language)
    env.globals["lang"] = lang
    env.globals["t"] = lambda key, **fields: words.say(lang, key, **fields)
    env.filters["hm"] = lambda v: f"{v:%H:%M}" if v else "–"
    env.filters["dt"] = lambda v: words.long_date(lang, v)
    env.filters["month"] = lambda v: words.month(lang, v)
    env.filters["late"] = lambda v: _late(v, lang)
    env.filters["outcome"] = lambda v: _outcome(v, lang)
    env.filters["chart"] = lambda v: words.chart_label(lang, v)
    env.filters["why"] = lambda v: words.light_reason(lang, v)
    env.filters["service"] = lambda key, names: names.get(key, key)
    env.filters["say"] = lambda v: words.say(lang, v) if v in words.MESSAGES else v
    env.filters["cell"] = lambda v: (
        str(v if v is not None else "–").replace("|", "\\|").replace("\n", " ")
    )
    env.filters["pct"] = lambda v: _percent(v, lang)
    return env


def _late(minutes: int | None, language: str = "en") -> str:
    from gonogo.render.words import say  # noqa: PLC0415

    if minutes is None:
        return "–"
    if minutes == 0:
        return say(language, "on time")
    return say(language, "late", n=minutes) if minutes > 0 else say(language, "early", n=-minutes)


def _percent(value: float, language: str) -> str:
    text = f"{value * 100:.3f}".rstrip("0").rstrip(".")
    return (text.replace(".", ",") if language == "sv" else text) + " %"


def _outcome(outcome: str, language: str) -> str:
    from gonogo.render.words import MESSAGES, say  # noqa: PLC0415

    if outcome in MESSAGES:
        return say(language, outcome)
    state = outcome.removeprefix("not finished (state ").removesuffix(")")
    return say(language, "not finished", state=state) if state != outcome else outcome


@dataclass(frozen=True)
class Moment:
    """Light changes made together: one time, one reason, one operator."""

    at: dt.datetime
    why: str
    by: str
    colours: list[tuple[str, list[str]]]  # colour, the services' names


def moments(changes: list[Change], names: dict[str, str]) -> list[Moment]:
    """The light history grouped by moment: the window's start turns every light at once."""
    grouped: dict[tuple[dt.datetime, str, str], dict[str, list[str]]] = {}
    for change in changes:
        colours = grouped.setdefault((change.at, change.why, change.by), {})
        colours.setdefault(change.colour, []).append(names.get(change.service, change.service))
    return [
        Moment(at, why, by, list(colours.items())) for (at, why, by), colours in grouped.items()
    ]


def verification_state(
    summary: dict[str, Any] | None, spec: Verification | None, language: str
) -> str:
    """Where verification stands, in `language`: complete, who failed, or who is awaited."""
    from gonogo.render.words import say  # noqa: PLC0415

    if spec is None or summary is None:
        return ""
    reports = summary["reports"]

    def names(keys: list[str]) -> str:
        found = [spec.participants.get(k) for k in keys]
        return ", ".join(
            f"{p.organisation}/{p.system}" if p else k for k, p in zip(keys, found, strict=True)
        )

    failed = [k for k, r in reports.items() if r["result"] == "fail"]
    if failed:
        return say(language, "verification failed", names=names(failed))
    missing = [k for k in spec.participants if k not in reports]
    if missing:
        return say(language, "verification waiting", names=names(missing))
    return say(language, "complete")


def render(view: NightView, fmt: str) -> str:
    """The report as Markdown (`md`) or a self-contained HTML page (`html`).

    In the runbook's language (Swedish or English; English for any other).
    """
    from gonogo.render.words import language_of  # noqa: PLC0415

    report = build(view)
    language = language_of(view.run.runbook.release.language)
    template = environment(language).get_template(f"report.{fmt}.j2")
    text: str = template.render(
        r=report,
        colours=COLOURS,
        text=TEXT_COLOURS,
        moments=moments(report.lights, report.service_names),
        verification=verification_state(
            report.verification, view.run.runbook.verification, language
        ),
    )
    return text


# Lamps and bars; TEXT_COLOURS for words on white, which need 4.5:1 (WCAG AA).
COLOURS = {"green": "#1e8e3e", "yellow": "#f2b600", "red": "#d93025"}
TEXT_COLOURS = {"green": "#137333", "red": "#b3261e", "amber": "#8a5300"}
