"""The report's rows of messages sent and incidents, from the night view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.incidents import Incident
from gonogo.night.receipts import UNDELIVERED
from gonogo.night.view import NightView


@dataclass(frozen=True)
class Delivered:
    audience: str
    channel: str
    sent: int
    failed: int
    other: int  # not yet tried
    in_doubt: int = 0  # may or may not have gone out: never counted as sent
    # SMS: Twilio's receipts as of the last `deliveries --refresh` (None: none yet).
    to_phone: int | None = None
    never: int = 0


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
    never_arrived: list[Failure]  # sent, but Twilio's receipt says it never reached the phone


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


def minutes(delta: dt.timedelta) -> int:
    return round(delta.total_seconds() / 60)


def message_lines(view: NightView) -> list[MessageLine]:
    night = view.night
    causes = {e.seq: e for e in night.entries}
    audiences = view.run.runbook.audiences
    receipts = view.receipt_counts()
    never = [(d, r) for d, r in view.receipted() if r.status == UNDELIVERED]
    lines = []
    for dispatch in night.dispatches:
        delivered = []
        for (c, a), n in sorted(dispatch.counts_by().items(), key=lambda kv: kv[0][::-1]):
            phone, gone = receipts.get((dispatch.seq, c, a), (None, 0))
            delivered.append(Delivered(
                audiences[a].name if a in audiences else a, c, n.sent, n.failed, n.pending,
                n.in_doubt, phone, gone,
            ))  # fmt: skip
        failures = [
            Failure(d.audience, d.channel, d.name, d.code, d.reason)
            for d in night.problems
            if d.dispatch == dispatch.seq and d.status == "failed"
        ]
        lost = [Failure(d.audience, d.channel, d.name, r.code or None, None)
                for d, r in never if d.dispatch == dispatch.seq]  # fmt: skip
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
                lost,
            )
        )
    return lines


def incident_line(view: NightView, incident: Incident) -> IncidentLine:
    policy = view.run.runbook.incidents
    major = incident.major(policy)
    end = incident.resolved or view.now
    updates: list[Update] = []
    previous = incident.opened
    overdue = 0
    for at, by, text in incident.updates:
        late = minutes(at - previous - policy.update_interval) if major else None
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
        minutes(end - incident.opened),
        updates,
        overdue,
    )
