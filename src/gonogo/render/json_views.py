"""`--json` of log, lights, verify, plan, messages and rehearse: plain data for scripts.

Each function takes what the command's text renderer takes and returns a JSON-ready
dict. Every document starts with `version` (the shape's version, raised when a field
changes meaning or goes away; new fields may appear without it) and `kind` (which
shape it is). The shapes are documented in docs/json.md, with a JSON Schema each in
docs/json/, and the tests check printed output against those schemas.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from gonogo.night.view import NightView
from gonogo.rehearsal.engine import Outcome
from gonogo.rehearsal.paths import PathsResult
from gonogo.render.json_head import head, run_fields
from gonogo.render.messages import grouped, occurrences, press_audiences
from gonogo.render.plan import channels_of
from gonogo.runbook.catalog import message_for, sample_values
from gonogo.runbook.events import Event
from gonogo.runbook.model import Message, Runbook
from gonogo.runbook.segments import measure
from gonogo.runbook.template import render
from gonogo.runbook.timeline import timeline


def _iso(view: NightView, instant: dt.datetime | None) -> str | None:
    return view.local(instant).isoformat() if instant else None


def log_json(view: NightView) -> dict[str, Any]:
    counts = view.deliveries_by_dispatch()
    entries = [
        {
            "seq": e.seq,
            "at": _iso(view, e.at),
            "operator": e.operator,
            "kind": e.kind,
            "part": e.part,
            "reason": e.reason,
            "data": e.data,
            "deliveries": counts.get(e.seq, {}) if e.kind == "dispatch" else None,
        }
        for e in view.night.entries
    ]
    return {**head("log"), **run_fields(view), "entries": entries}


def lights_json(view: NightView) -> dict[str, Any]:
    lights, changes = view.lights()
    services = view.run.runbook.services
    current = []
    for service, colour in lights.items():
        last = next((c for c in reversed(changes) if c.service == service), None)
        current.append(
            {
                "service": service,
                "name": services[service].name,
                "colour": colour,
                "since": _iso(view, last.at) if last else None,
                "why": last.why if last else None,
            }
        )
    history = [
        {"at": _iso(view, c.at), "service": c.service, "colour": c.colour, "why": c.why, "by": c.by}
        for c in changes
    ]
    return {**head("lights"), **run_fields(view), "lights": current, "changes": history}


def verification_json(view: NightView) -> dict[str, Any]:
    spec = view.run.runbook.verification
    if spec is None:
        return {**head("verification"), **run_fields(view), "verification": None}
    state = view.verification()
    blocker = state.blocker(view.run.runbook)
    participants = []
    for key, participant in spec.participants.items():
        report = state.reports.get(key)
        participants.append(
            {
                "id": key,
                "organisation": participant.organisation,
                "system": participant.system,
                "contact": participant.contact,
                "result": report.result if report else None,
                "at": _iso(view, report.at) if report else None,
                "by": report.by if report else None,
                "note": report.note if report else None,
            }
        )
    body = {
        "gates": spec.gates,
        "started": _iso(view, state.started),
        "complete": blocker is None,
        "blocker": blocker,
        "participants": participants,
    }
    return {**head("verification"), **run_fields(view), "verification": body}


def _message_summary(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    return {
        "silent": message.silent,
        "channels": [] if message.silent else channels_of(message),
        "audiences": list(message.audiences),
        "press": message.press is not None,
    }


def _summary(runbook: Runbook, event: Event, part: int | None = None) -> dict[str, Any] | None:
    located = message_for(runbook, event, part)
    return _message_summary(located.message if located else None)


def plan_json(runbook: Runbook) -> dict[str, Any]:
    plan = timeline(runbook)

    def at(instant: dt.datetime) -> str:
        return plan.local(instant).isoformat()

    gated = runbook.verification.gates if runbook.verification else None
    parts = [
        {
            "number": p.number,
            "id": p.part.id,
            "title": p.part.title,
            "owner": p.part.owner,
            "start": at(p.start),
            "end": at(p.end),
            "status_message": p.part.status_message,
            "gated_by_verification": p.part.id == gated,
            "message_at_go": _summary(runbook, Event.PART_COMPLETED, p.number),
        }
        for p in plan.parts
    ]
    verification = None
    if runbook.verification is not None and plan.verification_start is not None:
        verification = {
            "starts": at(plan.verification_start),
            "gates": runbook.verification.gates,
            "participants": len(runbook.verification.participants),
        }
    release = runbook.release
    return {
        **head("plan"),
        "release": {"id": release.id, "title": release.title, "kind": release.kind},
        "timezone": plan.zone.key,
        "window": {"start": at(plan.window_start), "end": at(plan.window_end)},
        "rollback_minutes": int(plan.rollback.total_seconds() // 60),
        "point_of_no_return": at(plan.point_of_no_return),
        "parts": parts,
        "verification": verification,
        "messages": {
            "window_started": _summary(runbook, Event.WINDOW_STARTED),
            "window_completed": _summary(runbook, Event.WINDOW_COMPLETED),
            "rollback_started": _summary(runbook, Event.ROLLBACK_STARTED),
            "rollback_completed": _summary(runbook, Event.ROLLBACK_COMPLETED),
        },
    }


def messages_json(runbook: Runbook) -> dict[str, Any]:
    items = []
    for title, located, part in occurrences(runbook):
        message = located.message
        validity = runbook.sms_validity(message)
        texts = []
        for rendered, who in [] if message.silent else grouped(runbook, located, part).items():
            sms = None
            if rendered.sms is not None:
                m = measure(rendered.sms)
                sms = {
                    "text": rendered.sms,
                    "encoding": m.encoding,
                    "characters": len(rendered.sms),
                    "segments": m.segments,
                    "validity_seconds": int(validity.total_seconds()) if validity else None,
                }
            email = None
            if rendered.subject is not None:
                email = {"subject": rendered.subject, "body": rendered.body}
            texts.append(
                {
                    "to": [{"audience": a, "language": lang} for a, lang in who],
                    "sms": sms,
                    "email": email,
                }
            )
        press = None
        if message.press is not None:
            values = sample_values(runbook, located.event, part)
            press = {
                "to": press_audiences(runbook),
                "subject": render(message.press.subject, values),
                "body": render(message.press.body, values),
            }
        items.append(
            {
                "title": title,
                "event": located.event.value,
                "part": part,
                "silent": message.silent,
                "texts": texts,
                "press": press,
            }
        )
    return {
        **head("messages"),
        "release": runbook.release.id,
        "language": runbook.release.language,
        "messages": items,
    }


def _rehearsal(outcome: Outcome) -> dict[str, Any]:
    ending = outcome.ending

    def at(instant: dt.datetime) -> str:
        return (ending.local(instant) if ending else instant).isoformat()

    return {
        "name": outcome.scenario.name,
        "ok": outcome.ok,
        "state_dir": str(outcome.state_dir),
        "state": ending.state if ending else None,
        "outcome": ending.outcome if ending else None,
        "steps": [
            {
                "at": at(s.at),
                "command": s.command,
                "exit": s.code,
                "expected_exit": s.expected,
                "ok": s.ok,
                "output": s.output,
            }
            for s in outcome.steps
        ],
        "checks": [
            {"expectation": what, "held": held, "got": got} for what, held, got in outcome.checks
        ],
    }


def rehearsal_json(
    runbook: Path, outcomes: list[Outcome], out: Path, paths: PathsResult | None = None
) -> dict[str, Any]:
    """One scenario (`paths` None) or every path with its coverage, in one shape."""
    ok = all(o.ok for o in outcomes) if paths is None else paths.ok
    coverage = None
    if paths is not None:
        coverage = [
            {"event": e, "audience": a, "channel": c, "sent": sent}
            for (e, a, c), sent in sorted(paths.coverage.items())
        ]
    return {
        **head("rehearsal"),
        "runbook": str(runbook),
        "ok": ok,
        "out": str(out),
        "rehearsals": [_rehearsal(o) for o in outcomes],
        "coverage": coverage,
        "missing": list(paths.missing) if paths is not None else [],
        "errors": [],
    }


def refused_json(runbook: Path, scenario: Path, message: str) -> dict[str, Any]:
    """A scenario refused before anything ran: not ok, nothing rehearsed or written
    (`out` null), and each problem in `errors`, with its line and column where known."""
    errors = []
    for text in message.splitlines():
        rest = text.removeprefix(f"{scenario}:")
        where = re.match(r"(\d+):(\d+): ", rest) if rest != text else None
        errors.append({"file": str(scenario), "line": int(where[1]) if where else None,
                       "column": int(where[2]) if where else None,
                       "message": rest[where.end():] if where else rest.strip()})  # fmt: skip
    return {**head("rehearsal"), "runbook": str(runbook), "ok": False, "out": None,
            "rehearsals": [], "coverage": None, "missing": [], "errors": errors}  # fmt: skip
