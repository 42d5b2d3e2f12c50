"""Incidents, traffic lights and production verification, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from gonogo.night.view import NightView
from gonogo.render.console import console
from gonogo.render.json_head import head, run_fields

_STYLE = {"green": "green", "yellow": "yellow", "red": "bold red"}


def incidents_json(view: NightView) -> dict[str, Any]:
    """The `incident list --json` document (docs/json/incidents.schema.json)."""
    return {
        **head("incidents"),
        **run_fields(view),
        "incidents": [view.incident_dict(i) for i in view.incidents()],
    }


def incident_lines(view: NightView, language: str = "en") -> list[str]:
    """One line per open incident, the overdue ones in red (for status and run), in
    `language` (the status screen's)."""
    from gonogo.render.status_words import said  # noqa: PLC0415

    policy = view.run.runbook.incidents
    lines = []
    for incident in view.incidents():
        if not incident.open:
            continue
        due = incident.next_update_due(policy)
        line = said(language, "incident line", id=incident.id, priority=incident.priority,
                    summary=escape(incident.summary))  # fmt: skip
        if due is not None:
            at = view.local(due).strftime("%H:%M")
            if incident.overdue(policy, view.now):
                late = int((view.now - due).total_seconds() // 60)
                overdue = said(language, "update overdue", at=at, n=late)
                line = f"[red]{line}; {overdue}[/red]"
            else:
                line += "; " + said(language, "update due", at=at)
        lines.append(line)
    return lines


def print_incidents(view: NightView) -> None:
    out = console()
    table = Table(title="Incidents")
    for column in ("Id", "P", "Summary", "Services", "Opened", "Updates", "Next update", "State"):
        table.add_column(column)
    policy = view.run.runbook.incidents
    for incident in view.incidents():
        due = incident.next_update_due(policy)
        due_text = view.local(due).strftime("%H:%M") if due else ""
        if incident.overdue(policy, view.now):
            due_text = f"[red]{due_text} OVERDUE[/red]"
        state = "open"
        if incident.resolved:
            state = f"resolved {view.local(incident.resolved):%H:%M}"
        table.add_row(
            incident.id, str(incident.priority), escape(incident.summary),
            ", ".join(incident.services), f"{view.local(incident.opened):%H:%M}",
            str(len(incident.updates)), due_text, state,
        )  # fmt: skip
    out.print(table)


def print_lights(view: NightView) -> None:
    out = console()
    lights, changes = view.lights()
    table = Table(title="Traffic lights")
    table.add_column("Service")
    table.add_column("Light")
    table.add_column("Since")
    for service, colour in lights.items():
        last = next((c for c in reversed(changes) if c.service == service), None)
        since = f"{view.local(last.at):%H:%M} ({escape(last.why)})" if last else ""
        name = view.run.runbook.services[service].name
        table.add_row(f"{name} ({service})", f"[{_STYLE[colour]}]{colour}[/]", since)
    out.print(table)


def print_verification(view: NightView) -> None:
    out = console()
    spec = view.run.runbook.verification
    if spec is None:
        out.print("The runbook has no production verification.")
        return
    state = view.verification()
    started = f"started {view.local(state.started):%H:%M}" if state.started else "not started"
    out.print(f"Production verification ({started}); gates part '{spec.gates}'.")
    table = Table()
    for column in ("Participant", "Organisation", "System", "Result", "Time", "Note"):
        table.add_column(column)
    for key, participant in spec.participants.items():
        report = state.reports.get(key)
        result = report.result if report else ""
        style = {"ok": "green", "fail": "bold red", "skip": "yellow"}.get(result, "")
        earlier = ", ".join(f"{r.result} {view.local(r.at):%H:%M}" for r in state.history
                            if r.participant == key and r is not report)  # fmt: skip
        table.add_row(
            key, participant.organisation, participant.system,
            (f"[{style}]{result}[/]" if style else "") + (f" ({earlier})" if earlier else ""),
            f"{view.local(report.at):%H:%M}" if report else "",
            escape(report.note or "") if report else "",
        )  # fmt: skip
    out.print(table)
    blocker = state.blocker(view.run.runbook)
    out.print(
        blocker[:1].upper() + blocker[1:] + "."
        if blocker
        else "[green]Verification complete.[/green]"
    )
