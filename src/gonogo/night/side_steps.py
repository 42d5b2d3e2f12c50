"""Steps beside the Go/NoGo machine: incidents, short disruptions, lights, verification."""

from __future__ import annotations

from dataclasses import replace

from gonogo.errors import TransitionError
from gonogo.night.dispatch import PlannedDispatch, plan_dispatch, values_for
from gonogo.night.incidents import OPENED, RESOLVED, UPDATED, Incident, incidents, next_id
from gonogo.night.lights import COLOURS
from gonogo.night.machine import Effect
from gonogo.night.run import Run
from gonogo.night.steps import (
    Session,
    StepResult,
    commit_and_send,
    confirm_dispatches,
    locked_run,
)
from gonogo.night.verification import RESULTS, verification
from gonogo.runbook.catalog import message_for
from gonogo.runbook.events import Event
from gonogo.runbook.template import placeholders


def _planned(
    session: Session,
    run: Run,
    event: Event,
    extra: dict[str, str],
    audiences: list[str] | None = None,
    tag: dict[str, str] | None = None,
) -> PlannedDispatch:
    now = session.clock.now()
    effect = Effect(event)
    values = values_for(run.runbook, effect, now, run.timeline().local(now), extra)
    if not values.get("services", "x") and "services" in _used_placeholders(run, event):
        raise TransitionError(
            f"the runbook's {event.value} text names the affected services ({{services}}); "
            "nothing was sent",
            hint="give --services, e.g. --services " + ",".join(list(run.runbook.services)[:2]),
        )
    planned = plan_dispatch(
        run.runbook, run.loaded.path.parent, effect, values, audiences=audiences, tag=tag
    )
    if audiences:
        # The press statement goes to every press audience; an incident for pharmacies
        # only must not reach journalists unless a press audience is named too.
        planned = replace(planned, rows=[r for r in planned.rows if r.audience in audiences])
    return planned


def _used_placeholders(run: Run, event: Event) -> set[str]:
    located = message_for(run.runbook, event)
    if located is None or located.message.silent:
        return set()
    message = located.message
    texts = [message.sms, *(v.sms for v in message.variants)]
    for email in [message.email, message.press, *(v.email for v in message.variants)]:
        if email is not None:
            texts += [email.subject, email.body]
    return {name for text in texts if text for name in placeholders(text)}


def _incident_values(
    run: Run, incident: Incident, summary: str, session: Session
) -> dict[str, str]:
    policy = run.runbook.incidents
    # Minor incidents need no update, but their texts may still promise a time.
    due = session.clock.now() + policy.update_interval
    names = [run.runbook.services[s].name for s in incident.services if s in run.runbook.services]
    return {
        "incident_id": incident.id,
        "priority": str(incident.priority),
        "summary": summary,
        "services": ", ".join(names),
        "next_update": run.timeline().local(due).strftime("%H:%M"),
    }


def _check_services(run: Run, services: list[str]) -> None:
    unknown = [s for s in services if s not in run.runbook.services]
    if unknown:
        known = ", ".join(run.runbook.services) or "none"
        raise TransitionError(f"unknown service(s) {', '.join(unknown)}; services: {known}")


def open_incident(
    session: Session,
    priority: int,
    summary: str,
    services: list[str],
    audiences: list[str] | None,
    light: str | None,
) -> tuple[str, StepResult]:
    """Open an incident; its message goes to its audiences. Returns the new id."""
    if not 1 <= priority <= 5:
        raise TransitionError(f"priority {priority}: ITIL priorities are 1 to 5")
    with locked_run(session) as run:
        _check_services(run, services)
        if audiences:
            unknown = [a for a in audiences if a not in run.runbook.audiences]
            if unknown:
                known = ", ".join(run.runbook.audiences)
                raise TransitionError(
                    f"unknown audience(s) {', '.join(unknown)}; audiences: {known}"
                )
        events = run.journal.events()
        if not any(e.kind == "start" for e in events):
            raise TransitionError("the run has not started; open the window first")
        existing = incidents(events)
        major = priority in run.runbook.incidents.major_priorities
        colour = light or ("red" if major else "yellow")
        if colour not in COLOURS[1:]:
            raise TransitionError(f"an incident's light is yellow or red, not {colour}")
        incident = Incident(
            next_id(existing), priority, summary, services, audiences or [],
            session.clock.now(), session.operator, colour,
        )  # fmt: skip
        values = _incident_values(run, incident, summary, session)
        planned = [
            _planned(
                session, run, Event.INCIDENT_OPENED, values, audiences, {"incident": incident.id}
            )
        ]
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        data: dict[str, object] = {
            "id": incident.id, "priority": priority, "summary": summary,
            "services": services, "audiences": audiences or [], "light": colour,
        }  # fmt: skip
        result = commit_and_send(session, run, OPENED, None, None, data, planned)
        return incident.id, result


def _find_open(run: Run, incident_id: str) -> Incident:
    found = incidents(run.journal.events())
    incident = found.get(incident_id.upper())
    if incident is None:
        known = ", ".join(found) or "none"
        raise TransitionError(f"no incident {incident_id}; incidents: {known}")
    if not incident.open:
        at = run.timeline().local(incident.resolved).strftime("%H:%M") if incident.resolved else ""
        raise TransitionError(f"incident {incident.id} was resolved at {at}; nothing was sent")
    return incident


def update_incident(session: Session, incident_id: str, summary: str) -> StepResult:
    with locked_run(session) as run:
        incident = _find_open(run, incident_id)
        values = _incident_values(run, incident, summary, session)
        planned = [
            _planned(session, run, Event.INCIDENT_UPDATED, values, incident.audiences or None,
                     {"incident": incident.id})
        ]  # fmt: skip
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        data = {"id": incident.id, "summary": summary}
        return commit_and_send(session, run, UPDATED, None, None, data, planned)


def resolve_incident(session: Session, incident_id: str, summary: str | None) -> StepResult:
    with locked_run(session) as run:
        incident = _find_open(run, incident_id)
        # Without a closing summary, the latest word on the incident is repeated.
        latest = incident.updates[-1][2] if incident.updates else incident.summary
        values = _incident_values(run, incident, summary or latest, session)
        planned = [
            _planned(session, run, Event.INCIDENT_RESOLVED, values, incident.audiences or None,
                     {"incident": incident.id})
        ]  # fmt: skip
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        data = {"id": incident.id, "summary": summary or ""}
        return commit_and_send(session, run, RESOLVED, None, None, data, planned)


def disruption(session: Session, summary: str, services: list[str]) -> StepResult:
    """The short-interruption notice (something is slow), without opening an incident."""
    with locked_run(session) as run:
        _check_services(run, services)
        names = [run.runbook.services[s].name for s in services]
        values = {"summary": summary, "services": ", ".join(names)}
        planned = [_planned(session, run, Event.DISRUPTION, values)]
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        data = {"summary": summary, "services": services}
        return commit_and_send(session, run, "disruption", None, None, data, planned)


def set_light(session: Session, service: str, colour: str, reason: str) -> StepResult:
    if colour not in COLOURS:
        raise TransitionError(f"colour {colour}: use green, yellow or red")
    with locked_run(session) as run:
        _check_services(run, [service])
        data = {"service": service, "colour": colour}
        return commit_and_send(session, run, "lights_set", None, reason, data, [])


def verify_start(session: Session) -> StepResult:
    with locked_run(session) as run:
        spec = run.runbook.verification
        if spec is None:
            raise TransitionError("the runbook has no production verification")
        state = verification(run.journal.events())
        if state.started is not None:
            at = run.timeline().local(state.started).strftime("%H:%M")
            raise TransitionError(f"production verification was already started at {at}")
        values = {"participant_count": str(len(spec.participants))}
        planned = [_planned(session, run, Event.VERIFICATION_STARTED, values)]
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        return commit_and_send(session, run, "verification_started", None, None, {}, planned)


def verify_report(session: Session, participant: str, result: str, note: str | None) -> StepResult:
    if result not in RESULTS:
        raise TransitionError(f"result {result}: use ok, fail or skip")
    with locked_run(session) as run:
        spec = run.runbook.verification
        if spec is None:
            raise TransitionError("the runbook has no production verification")
        if participant not in spec.participants:
            known = ", ".join(spec.participants)
            raise TransitionError(f"unknown participant '{participant}'; participants: {known}")
        if verification(run.journal.events()).started is None:
            raise TransitionError(
                "production verification has not started", hint="`gonogo verify start` first"
            )
        if result == "skip" and not note:
            raise TransitionError("a skipped participant needs --note saying why")
        data = {"participant": participant, "result": result}
        return commit_and_send(session, run, "verification_report", None, note, data, [])


def verification_gate(run: Run, part: int) -> str | None:
    """The blocker of Go for `part`, if it is the part verification gates."""
    spec = run.runbook.verification
    if spec is None or run.runbook.parts[part - 1].id != spec.gates:
        return None
    return verification(run.journal.events()).blocker(run.runbook)
