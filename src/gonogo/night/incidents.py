"""Incidents: what the journal's incident entries add up to. They live beside the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from gonogo.night.entries import Entry, IncidentOpened, IncidentWord, Kind
from gonogo.runbook.model import IncidentPolicy


@dataclass(frozen=True)
class Incident:
    id: str
    priority: int
    summary: str
    services: tuple[str, ...]
    audiences: tuple[str, ...]
    opened: dt.datetime
    opened_by: str
    light: str  # the colour it gives its services while open
    updates: tuple[tuple[dt.datetime, str, str], ...] = ()  # at, by, summary
    resolved: dt.datetime | None = None
    resolved_by: str | None = None

    @property
    def open(self) -> bool:
        return self.resolved is None

    @property
    def last_word(self) -> dt.datetime:
        """When care and pharmacy last heard from us about it."""
        return self.updates[-1][0] if self.updates else self.opened

    @property
    def latest_summary(self) -> str:
        return self.updates[-1][2] if self.updates else self.summary

    @property
    def last_sent(self) -> tuple[dt.datetime, str, str]:
        """Its last message: when, by whom, its summary (the opening one if no update)."""
        return self.updates[-1] if self.updates else (self.opened, self.opened_by, self.summary)

    def major(self, policy: IncidentPolicy) -> bool:
        return self.priority in policy.major_priorities

    def next_update_due(self, policy: IncidentPolicy) -> dt.datetime | None:
        """Major incidents need an update every interval; minor ones need none."""
        if not self.open or not self.major(policy):
            return None
        return self.last_word + policy.update_interval

    def overdue(self, policy: IncidentPolicy, now: dt.datetime) -> bool:
        due = self.next_update_due(policy)
        return due is not None and now > due


def apply_incident(found: dict[str, Incident], entry: Entry) -> None:
    """Fold one entry into the incidents by id (entries of other kinds change nothing)."""
    payload = entry.payload
    if entry.kind == Kind.INCIDENT_OPENED and isinstance(payload, IncidentOpened):
        found[payload.id] = Incident(
            payload.id, int(payload.priority), payload.summary, payload.services,
            payload.audiences, entry.at, entry.operator, payload.light,
        )  # fmt: skip
    elif isinstance(payload, IncidentWord) and payload.id in found:
        incident = found[payload.id]
        word = ((entry.at, entry.operator, payload.summary),) if payload.summary else ()
        if entry.kind == Kind.INCIDENT_UPDATED:
            found[payload.id] = replace(incident, updates=incident.updates + word)
        elif entry.kind == Kind.INCIDENT_RESOLVED:
            found[payload.id] = replace(
                incident, updates=incident.updates + word, resolved=entry.at,
                resolved_by=entry.operator,
            )  # fmt: skip


def next_id(existing: tuple[Incident, ...]) -> str:
    return f"INC-{len(existing) + 1}"


def incidents(entries: Iterable[Entry]) -> dict[str, Incident]:
    """The incidents after `entries` alone, by id (the fold's incidents reducer)."""
    found: dict[str, Incident] = {}
    for entry in entries:
        apply_incident(found, entry)
    return found
