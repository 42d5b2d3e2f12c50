"""Decisions beside the window's machine: incidents, disruptions, lights, verification."""

from __future__ import annotations

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Context, Decision, Send
from gonogo.night.decisions.names import find_participant, optional_text, require_reason
from gonogo.night.decisions.refusal_words import refusal, said_next, said_where, words_of
from gonogo.night.decisions.repeats import open_caution, update_caution
from gonogo.night.dispatch import values_for
from gonogo.night.entries import (
    Disrupted,
    Empty,
    IncidentOpened,
    IncidentWord,
    Kind,
    LightSet,
    NewEntry,
    Reported,
)
from gonogo.night.incidents import Incident, next_id
from gonogo.night.lights import COLOURS
from gonogo.night.machine import Effect
from gonogo.night.snapshot import Night
from gonogo.night.verification import RESULTS
from gonogo.render.send_words import language_of, word
from gonogo.runbook.catalog import message_for
from gonogo.runbook.events import Event
from gonogo.runbook.template import placeholders


def _send(
    ctx: Context,
    event: Event,
    extra: dict[str, str],
    audiences: tuple[str, ...] = (),
    incident: str | None = None,
) -> Send:
    effect = Effect(event)
    values = values_for(ctx.runbook, effect, ctx.now, ctx.local(ctx.now), extra)
    if not values.get("services", "x") and "services" in _used_placeholders(ctx, event):
        lang, ids = words_of(ctx.runbook), ",".join(list(ctx.runbook.services)[:2])
        raise TransitionError(
            refusal(lang, "services text", event=event.value),
            hint=refusal(lang, "give services", ids=ids),
        )
    return Send(effect, values, audiences, incident)


def _used_placeholders(ctx: Context, event: Event) -> set[str]:
    located = message_for(ctx.runbook, event)
    if located is None or located.message.silent:
        return set()
    message = located.message
    texts = [message.sms, *(v.sms for v in message.variants)]
    for email in [message.email, message.press, *(v.email for v in message.variants)]:
        if email is not None:
            texts += [email.subject, email.body]
    return {name for text in texts if text for name in placeholders(text)}


def _incident_values(ctx: Context, incident: Incident, summary: str) -> dict[str, str]:
    runbook = ctx.runbook
    # Minor incidents need no update, but their texts may still promise a time.
    due = ctx.now + runbook.incidents.update_interval
    names = [runbook.services[s].name for s in incident.services if s in runbook.services]
    return {
        "incident_id": incident.id,
        "priority": str(incident.priority),
        "summary": summary,
        "services": ", ".join(names),
        "next_update": ctx.local(due).strftime("%H:%M"),
    }


def _check_services(ctx: Context, services: list[str]) -> None:
    unknown = [s for s in services if s not in ctx.runbook.services]
    if unknown:
        lang = words_of(ctx.runbook)
        known = ", ".join(ctx.runbook.services) or refusal(lang, "none")
        key = "unknown services" if len(unknown) > 1 else "unknown service"
        raise TransitionError(refusal(lang, key, names=", ".join(unknown), known=known))


def open_incident(
    ctx: Context,
    night: Night,
    priority: int,
    summary: str,
    services: list[str],
    audiences: list[str] | None,
    light: str | None,
) -> Decision:
    """Open an incident; its message goes to its audiences (the note names its id)."""
    lang = words_of(ctx.runbook)
    summary = require_reason(summary, "an incident", "--summary", lang)
    if not 1 <= priority <= 5:
        raise TransitionError(refusal(lang, "priority", n=priority))
    runbook = ctx.runbook
    _check_services(ctx, services)
    if audiences:
        unknown = [a for a in audiences if a not in runbook.audiences]
        if unknown:
            known = ", ".join(runbook.audiences)
            key = "unknown audiences" if len(unknown) > 1 else "unknown audience"
            raise TransitionError(refusal(lang, key, names=", ".join(unknown), known=known))
    if not night.started:
        raise TransitionError(refusal(lang, "not started"))
    major = priority in runbook.incidents.major_priorities
    colour = light or ("red" if major else "yellow")
    if colour not in COLOURS[1:]:
        raise TransitionError(refusal(lang, "incident light", colour=colour))
    caution = open_caution(ctx, night.incidents, summary)
    payload = IncidentOpened(
        next_id(night.incidents), priority, summary, tuple(services), tuple(audiences or ()),
        colour, repeat=caution is not None,
    )  # fmt: skip
    incident = Incident(
        payload.id, priority, summary, payload.services, payload.audiences, ctx.now, "", colour
    )
    values = _incident_values(ctx, incident, summary)
    send = _send(ctx, Event.INCIDENT_OPENED, values, payload.audiences, incident.id)
    return Decision(
        NewEntry(Kind.INCIDENT_OPENED, payload), (send,), (caution,) if caution else (),
        note=word(language_of(runbook.release.language), "opened incident", id=incident.id),
    )  # fmt: skip


def _find_open(ctx: Context, night: Night, incident_id: str) -> Incident:
    incident, lang = night.incident(incident_id), words_of(ctx.runbook)
    if incident is None:
        known = ", ".join(i.id for i in night.incidents) or refusal(lang, "none")
        raise TransitionError(refusal(lang, "no incident", id=incident_id, known=known))
    if not incident.open:
        at = ctx.local(incident.resolved).strftime("%H:%M") if incident.resolved else ""
        raise TransitionError(refusal(lang, "incident resolved", id=incident.id, at=at))
    return incident


def update_incident(ctx: Context, night: Night, incident_id: str, summary: str) -> Decision:
    summary = require_reason(summary, "an incident update", "--summary", words_of(ctx.runbook))
    incident = _find_open(ctx, night, incident_id)
    values = _incident_values(ctx, incident, summary)
    send = _send(ctx, Event.INCIDENT_UPDATED, values, incident.audiences, incident.id)
    caution = update_caution(ctx, incident, summary)
    word = IncidentWord(incident.id, summary, repeat=caution is not None)
    return Decision(NewEntry(Kind.INCIDENT_UPDATED, word), (send,), (caution,) if caution else ())


def resolve_incident(ctx: Context, night: Night, incident_id: str, summary: str | None) -> Decision:
    summary = optional_text(summary, "resolving an incident", "--summary", words_of(ctx.runbook))
    incident = _find_open(ctx, night, incident_id)
    # Without a closing summary the texts name the incident as it was opened ("now the
    # disruption is resolved: <what it was>"), as the feed does. The latest update would
    # say what was going on then ("troubleshooting continues"), never that it is over.
    values = _incident_values(ctx, incident, summary or incident.summary)
    send = _send(ctx, Event.INCIDENT_RESOLVED, values, incident.audiences, incident.id)
    entry = NewEntry(Kind.INCIDENT_RESOLVED, IncidentWord(incident.id, summary or ""))
    return Decision(entry, (send,))


def disruption(ctx: Context, summary: str, services: list[str]) -> Decision:
    """The short-interruption notice (something is slow), without opening an incident."""
    summary = require_reason(summary, "a disruption notice", "--summary", words_of(ctx.runbook))
    _check_services(ctx, services)
    names = [ctx.runbook.services[s].name for s in services]
    values = {"summary": summary, "services": ", ".join(names)}
    send = _send(ctx, Event.DISRUPTION, values)
    return Decision(NewEntry(Kind.DISRUPTION, Disrupted(summary, tuple(services))), (send,))


def set_light(ctx: Context, service: str, colour: str, reason: str) -> Decision:
    colour, lang = colour.strip().lower(), words_of(ctx.runbook)
    if colour not in COLOURS:
        raise TransitionError(refusal(lang, "colour", colour=colour))
    reason = require_reason(reason, "setting a light", lang=lang)
    _check_services(ctx, [service])
    return Decision(NewEntry(Kind.LIGHTS_SET, LightSet(service, colour), reason=reason))


def verify_start(ctx: Context, night: Night) -> Decision:
    spec, lang = ctx.runbook.verification, words_of(ctx.runbook)
    if spec is None:
        raise TransitionError(refusal(lang, "no verification"))
    started = night.verification.started
    if started is not None:
        at = ctx.local(started).strftime("%H:%M")
        raise TransitionError(refusal(lang, "verification started", at=at))
    _check_verifiable(ctx, night)
    values = {"participant_count": str(len(spec.participants))}
    send = _send(ctx, Event.VERIFICATION_STARTED, values)
    return Decision(NewEntry(Kind.VERIFICATION_STARTED, Empty()), (send,), _early(ctx, night))


def _check_verifiable(ctx: Context, night: Night) -> None:
    """The go-ahead tells every participant to verify the new release in production now:
    only while a part up to the one it gates is in progress, never before the window
    opens, during or after a rollback, or after the night."""
    lang = words_of(ctx.runbook)
    if not night.started:
        raise TransitionError(refusal(lang, "not started"), hint=said_next(lang, night))
    current = night.current_part
    spec = ctx.runbook.verification
    assert spec is not None
    gated = next(n for n, p in enumerate(ctx.runbook.parts, 1) if p.id == spec.gates)
    if current is None or current > gated:
        where = said_where(lang, ctx.runbook, night)
        if current is not None:
            where = refusal(lang, "verification gated", n=gated, id=spec.gates)
        raise TransitionError(
            refusal(lang, "verification not now", where=where), hint=said_next(lang, night)
        )


def _early(ctx: Context, night: Night) -> tuple[Caution, ...]:
    """A go-ahead before the part it gates has begun is most likely a slip."""
    spec = ctx.runbook.verification
    assert spec is not None
    gated = next(n for n, p in enumerate(ctx.runbook.parts, 1) if p.id == spec.gates)
    current = night.current_part
    if current is not None and current >= gated:
        return ()
    lang = language_of(ctx.runbook.release.language)
    warning = word(lang, "verify early", gated=gated, gates=spec.gates, current=current)
    return (Caution(warning, word(lang, "go-ahead anyway"), lang),)


def verify_report(
    ctx: Context, night: Night, participant: str, result: str, note: str | None
) -> Decision:
    lang = words_of(ctx.runbook)
    note = optional_text(note, "a verification report", "--note", lang)
    result = result.strip().lower()
    if result not in RESULTS:
        raise TransitionError(refusal(lang, "result", result=result))
    participant = find_participant(ctx.runbook, participant)
    if night.verification.started is None:
        raise TransitionError(
            refusal(lang, "verification not started"), hint=refusal(lang, "verify start first")
        )
    if result == "skip" and note is None:
        raise TransitionError(refusal(lang, "skip needs note"))
    return Decision(NewEntry(Kind.VERIFICATION_REPORT, Reported(participant, result), reason=note))
