"""The release report for the follow-up meeting: Markdown, or one self-contained HTML file.

Everything comes from the journal (replayed into a NightView) and the runbook it names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gonogo.night.lights import Change
from gonogo.night.verification import by_participant, participant_name
from gonogo.night.view import NightView, PartRow
from gonogo.night.window_changes import CANCELLED
from gonogo.render.availability import Downtime, downtime
from gonogo.render.chart import Chart, draw_chart
from gonogo.render.report_lines import (
    IncidentLine,
    MessageLine,
    incident_line,
    message_lines,
    minutes,
)
from gonogo.render.templating import COLOURS, TEXT_COLOURS, environment
from gonogo.render.window_told import Told, told
from gonogo.runbook.model import Verification


@dataclass(frozen=True)
class PartLine(PartRow):
    """A part as the report shows it: the night view's row in local time, and more."""

    start_late: int | None  # minutes; negative is early
    end_late: int | None
    override: bool  # Go although production verification was not complete
    holds: list[str]


@dataclass(frozen=True)
class Verified:
    """One verification report: a participant's earlier ones stay, the latest last."""

    name: str  # "Organisation/System" from the runbook, else the id
    result: str
    at: dt.datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class Report:
    release: str
    title: str
    dry_run: bool
    outcome: str  # completed, rolled back, cancelled or not finished
    state: str  # where a night not finished stands (the machine's state)
    zone: str
    window_start: dt.datetime
    window_end: dt.datetime
    opened: dt.datetime | None
    closed: dt.datetime | None
    parts: list[PartLine]
    messages: list[MessageLine]
    incidents: list[IncidentLine]
    verification: dict[str, Any] | None
    verified: list[Verified]  # every report, each participant's together
    lights: list[Change]
    lights_now: dict[str, str]
    downtime: list[Downtime]
    month: str
    chart: Chart
    service_names: dict[str, str]
    announced_end: dt.datetime | None  # the end before the window was extended
    changes: list[Told]  # reschedules, a cancellation, extensions
    receipts: bool  # whether Twilio's delivery receipts were asked for


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
            start_late=minutes(p.started - p.planned_start) if p.started else None,
            end_late=minutes(p.ended - p.planned_end) if p.ended else None,
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
        outcome=_outcome(view),
        state=view.night.state,
        zone=view.plan.zone.key,
        window_start=local(view.plan.window_start),
        window_end=local(view.plan.window_end),
        opened=local(view.night.opened) if view.night.opened else None,
        closed=local(view.night.closed) if view.night.closed else None,
        parts=parts,
        messages=message_lines(view),
        incidents=[incident_line(view, i) for i in view.incidents()],
        verification=view.as_dict()["verification"],
        verified=_verified(view),
        lights=[Change(local(c.at), c.service, c.colour, c.why, c.by) for c in changes],
        lights_now=lights_now,
        downtime=downtime(view, changes),
        month=f"{view.local(view.plan.window_start):%B %Y}",
        chart=draw_chart(view),
        service_names={k: s.name for k, s in runbook.services.items()},
        announced_end=local(announced) if (announced := view.night.window.announced_end) else None,
        changes=told(view.run.timeline(), view.night.window),
        receipts=bool(view.night.receipts),
    )


def _outcome(view: NightView) -> str:
    if view.night.window.cancelled is not None:
        return CANCELLED
    return view.night.outcome or "not finished"


def _verified(view: NightView) -> list[Verified]:
    runbook = view.run.runbook
    return [
        Verified(participant_name(runbook, r.participant), r.result, view.local(r.at), r.by, r.note)
        for r in by_participant(view.verification().history)
    ]


def _holds(view: NightView, part: int) -> list[str]:
    return [
        f"{view.local(e.at):%H:%M} {e.operator}: {e.reason or ''}"
        for e in view.night.entries
        if e.kind == "hold" and e.part == part
    ]


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
    from gonogo.render.words import language_of, told_line  # noqa: PLC0415

    report = build(view)
    language = language_of(view.run.runbook.release.language)
    env = environment(language, markdown=fmt == "md")
    env.filters["told"] = lambda change: told_line(language, change)
    template = env.get_template(f"report.{fmt}.j2")
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
