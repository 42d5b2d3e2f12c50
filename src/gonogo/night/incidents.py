"""Incidents and short disruptions, derived from the journal; they live beside the window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gonogo.night.journal import Event
from gonogo.runbook.model import IncidentPolicy

OPENED, UPDATED, RESOLVED = "incident_opened", "incident_updated", "incident_resolved"


@dataclass
class Incident:
    id: str
    priority: int
    summary: str
    services: list[str]
    audiences: list[str]
    opened: dt.datetime
    opened_by: str
    light: str  # the colour it gives its services while open
    updates: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # at, by, summary
    resolved: dt.datetime | None = None

    @property
    def open(self) -> bool:
        return self.resolved is None

    @property
    def last_word(self) -> dt.datetime:
        """When care and pharmacy last heard from us about it."""
        return self.updates[-1][0] if self.updates else self.opened

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


def incidents(events: list[Event]) -> dict[str, Incident]:
    """Every incident of the run by id, in the order they were opened."""
    found: dict[str, Incident] = {}
    for event in events:
        data = event.data
        if event.kind == OPENED:
            found[data["id"]] = Incident(
                id=data["id"],
                priority=int(data["priority"]),
                summary=str(data["summary"]),
                services=list(data.get("services", [])),
                audiences=list(data.get("audiences", [])),
                opened=event.at,
                opened_by=event.operator,
                light=str(data.get("light", "red")),
            )
        elif event.kind == UPDATED and data.get("id") in found:
            found[data["id"]].updates.append((event.at, event.operator, str(data["summary"])))
        elif event.kind == RESOLVED and data.get("id") in found:
            incident = found[data["id"]]
            incident.resolved = event.at
            if data.get("summary"):
                incident.updates.append((event.at, event.operator, str(data["summary"])))
    return found


def next_id(existing: dict[str, Incident]) -> str:
    return f"INC-{len(existing) + 1}"
