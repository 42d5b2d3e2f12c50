"""Incidents, traffic lights and production verification, for the terminal."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from gonogo.night.verification import participant_name
from gonogo.night.view import NightView
from gonogo.render.console import console
from gonogo.render.json_head import head, run_fields
from gonogo.render.reading_words import language_of, read
from gonogo.render.words import light_reason

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
    lang = _language(view)
    table = Table(title=read(lang, "incidents"))
    for column in ("id", "p", "summary", "services", "opened column", "updates", "next update",
                   "state"):  # fmt: skip
        table.add_column(read(lang, column), overflow="fold")  # ids whole, never "…"
    policy = view.run.runbook.incidents
    for incident in view.incidents():
        due = incident.next_update_due(policy)
        due_text = view.local(due).strftime("%H:%M") if due else ""
        if incident.overdue(policy, view.now):
            due_text = f"[red]{due_text} {read(lang, 'OVERDUE')}[/red]"
        state = read(lang, "open")
        if incident.resolved:
            state = read(lang, "resolved at", at=f"{view.local(incident.resolved):%H:%M}")
        table.add_row(
            incident.id, str(incident.priority), escape(incident.summary),
            ", ".join(incident.services), f"{view.local(incident.opened):%H:%M}",
            str(len(incident.updates)), due_text, state,
        )  # fmt: skip
    out.print(table)


def print_lights(view: NightView) -> None:
    out = console()
    lang = _language(view)
    lights, changes = view.lights()
    table = Table(title=read(lang, "lights"))
    for column in ("service", "light column", "since column"):
        table.add_column(read(lang, column), overflow="fold")  # ids whole, never "…"
    for service, colour in lights.items():
        last = next((c for c in reversed(changes) if c.service == service), None)
        why = escape(light_reason(lang, last.why)) if last else ""
        since = f"{view.local(last.at):%H:%M} ({why})" if last else ""
        name = view.run.runbook.services[service].name
        table.add_row(f"{name} ({service})", f"[{_STYLE[colour]}]{read(lang, colour)}[/]", since)
    out.print(table)


def print_verification(view: NightView) -> None:
    out = console()
    lang = _language(view)
    spec = view.run.runbook.verification
    if spec is None:
        out.print(read(lang, "no verification"))
        return
    state = view.verification()
    started = read(lang, "not started")
    if state.started:
        started = read(lang, "started at", at=f"{view.local(state.started):%H:%M}")
    out.print(read(lang, "verification head", started=started, gates=spec.gates))
    table = Table()
    for column in ("participant", "organisation", "system", "result", "time", "note"):
        table.add_column(read(lang, column), overflow="fold")  # ids whole, never "…"
    for key, participant in spec.participants.items():
        report = state.reports.get(key)
        result = report.result if report else ""
        style = {"ok": "green", "fail": "bold red", "skip": "yellow"}.get(result, "")
        earlier = ", ".join(f"{_result(lang, r.result)} {view.local(r.at):%H:%M}"
                            for r in state.history
                            if r.participant == key and r is not report)  # fmt: skip
        table.add_row(
            key, participant.organisation, participant.system,
            (f"[{style}]{_result(lang, result)}[/]" if style else "")
            + (f" ({earlier})" if earlier else ""),
            f"{view.local(report.at):%H:%M}" if report else "",
            escape(report.note or "") if report else "",
        )  # fmt: skip
    out.print(table)
    blocker = _blocker(lang, view)
    out.print(
        blocker[:1].upper() + blocker[1:] + "."
        if blocker
        else f"[green]{read(lang, 'verification complete')}[/green]"
    )


def _language(view: NightView) -> str:
    return language_of(view.run.runbook.release.language)


def _result(language: str, result: str) -> str:
    """A report's result (ok, fail, skip) in the report's words."""
    return read(language, result) if result in ("ok", "fail", "skip") else result


def _blocker(language: str, view: NightView) -> str | None:
    """Why the gated part cannot get Go yet (as `VerificationState.blocker`), or None."""
    runbook = view.run.runbook
    state = view.verification()
    if state.blocker(runbook) is None or runbook.verification is None:
        return None
    failed = [p for p, r in state.reports.items() if r.result == "fail"]
    waiting = [p for p in runbook.verification.participants if p not in state.reports]
    key, keys = ("verification failed", failed) if failed else ("verification waiting", waiting)
    return read(language, key, names=", ".join(participant_name(runbook, p) for p in keys))
