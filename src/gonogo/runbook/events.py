"""The events that send messages, and the placeholders each event's templates may use."""

from __future__ import annotations

import enum


class Event(enum.StrEnum):
    WINDOW_STARTED = "window_started"
    PART_STATUS = "part_status"
    PART_COMPLETED = "part_completed"
    WINDOW_COMPLETED = "window_completed"
    ROLLBACK_STARTED = "rollback_started"
    ROLLBACK_COMPLETED = "rollback_completed"
    VERIFICATION_STARTED = "verification_started"
    INCIDENT_OPENED = "incident_opened"
    INCIDENT_UPDATED = "incident_updated"
    INCIDENT_RESOLVED = "incident_resolved"
    DISRUPTION = "disruption"
    NOTICE = "notice"
    WINDOW_MOVED = "window_moved"
    WINDOW_CANCELLED = "window_cancelled"
    WINDOW_EXTENDED = "window_extended"


# Placeholder -> (what it means, sample value used by `gonogo messages`).
COMMON: dict[str, tuple[str, str]] = {
    "release": ("the release id", "21.0"),
    "release_title": ("the release title", "Release 21.0"),
    "version_package": ("the version package", "21"),
    "window_date": ("the local date the window starts, YYYY-MM-DD", "2021-11-27"),
    "window_start": ("the window's planned start, local HH:MM", "23:00"),
    "window_end": ("the window's latest end, local HH:MM", "07:00"),
    "part_count": ("how many parts the night has", "5"),
    "time": ("the local time the message is sent, HH:MM", "01:20"),
}
_PART: dict[str, tuple[str, str]] = {
    "part_number": ("the part's number, from 1", "1"),
    "part_id": ("the part's id", "databas"),
    "part_title": ("the part's title", "Databasförändringar"),
}
_INCIDENT: dict[str, tuple[str, str]] = {
    "incident_id": ("the incident's id", "INC-1"),
    "priority": ("the ITIL priority, 1-5", "2"),
    "summary": ("the operator's summary of the situation", "Förskrivning går långsamt"),
    "services": ("the affected services' names, comma separated", "E-recept"),
    "next_update": ("local time the next update is due, HH:MM (major incidents)", "02:10"),
}

PLACEHOLDERS: dict[Event, dict[str, tuple[str, str]]] = {
    Event.WINDOW_STARTED: COMMON,
    Event.PART_STATUS: COMMON | _PART,
    Event.PART_COMPLETED: COMMON | _PART,
    Event.WINDOW_COMPLETED: COMMON,
    Event.ROLLBACK_STARTED: COMMON | _PART,
    Event.ROLLBACK_COMPLETED: COMMON | _PART,
    Event.VERIFICATION_STARTED: COMMON
    | {"participant_count": ("how many participants verify", "7")},
    Event.INCIDENT_OPENED: COMMON | _INCIDENT,
    Event.INCIDENT_UPDATED: COMMON | _INCIDENT,
    Event.INCIDENT_RESOLVED: COMMON | _INCIDENT,
    Event.DISRUPTION: COMMON | {k: v for k, v in _INCIDENT.items() if k in ("summary", "services")},
    Event.NOTICE: COMMON
    | {
        "services": ("the window's affected services' names, comma separated", "E-recept"),
        "window_day": ("the window's day in the runbook's language", "lördag 27 november"),
        "window_end_date": ("the local date the window ends, YYYY-MM-DD", "2021-11-28"),
    },
}
_CHANGE = PLACEHOLDERS[Event.NOTICE] | {
    "reason": ("why, as the operator gave it", "ett fel i förberedelserna"),
    "previous_window": ("the window as announced before, local", "lördag 27 november 23:00"),
}
PLACEHOLDERS[Event.WINDOW_MOVED] = _CHANGE
PLACEHOLDERS[Event.WINDOW_CANCELLED] = _CHANGE
PLACEHOLDERS[Event.WINDOW_EXTENDED] = _CHANGE

# Events every runbook's Go/NoGo machine can reach: each needs a message or `silent: true`.
MACHINE_EVENTS: tuple[Event, ...] = (
    Event.WINDOW_STARTED,
    Event.PART_COMPLETED,
    Event.WINDOW_COMPLETED,
    Event.ROLLBACK_STARTED,
    Event.ROLLBACK_COMPLETED,
)
