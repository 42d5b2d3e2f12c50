"""status.json: the lights per service, open and recently resolved incidents, the windows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gonogo.night.incidents import Incident
from gonogo.night.lights import COLOURS
from gonogo.night.window_changes import CANCELLED
from gonogo.render.site_sources import Source
from gonogo.render.window_told import Told
from gonogo.render.words import language_of, light_reason

RECENT = dt.timedelta(days=7)  # how long a resolved incident stays on the page


def _worst(colours: list[str]) -> str:
    return max(colours, key=COLOURS.index) if colours else "green"


def _ongoing_until(found: list[Source]) -> dict[str, dt.datetime]:
    """Per service, when the latest ongoing window that takes it down is planned to end."""
    until: dict[str, dt.datetime] = {}
    for source in found:
        if source.status == "ongoing" and source.runbook.window.downtime:
            end = source.window[1]
            for key in source.runbook.window.services:
                until[key] = max(until.get(key, end), end)
    return until


def status(found: list[Source], built: dt.datetime | None = None) -> dict[str, Any]:
    """The lights per service (the worst any run shows), open incidents, the windows."""
    services: dict[str, dict[str, Any]] = {}
    until = _ongoing_until(found)
    for source in found:
        now, changes = source.lights()
        for key, service in source.runbook.services.items():
            entry = services.setdefault(
                key,
                {"name": service.name, "class": service.class_, "shown": [], "changes": []},
            )
            entry["shown"].append((now.get(key, "green"), source.rehearsal))
            entry["changes"] += [(c, source) for c in changes if c.service == key]
    lights = {}
    for key in sorted(services):
        entry = services[key]
        colour = _worst([shown for shown, _rehearsal in entry["shown"]])
        last, by = max(entry["changes"], key=lambda c: c[0].at, default=(None, None))
        cause = public_why(last.why) if last and last.colour == colour else None
        lights[key] = {
            "name": entry["name"],
            "class": entry["class"],
            "colour": colour,
            "since": _iso(last.at) if last else None,
            "why": cause,
            "why_text": _why_text(by, cause),
            # Only rehearsals show this colour: a drill, not the service's real state.
            "rehearsal": all(rehearsal for shown, rehearsal in entry["shown"] if shown == colour),
            "until": _iso(until[key]) if colour != "green" and key in until else None,
        }
    incidents = [_incident(s, i) for s in found for i in s.incidents() if i.open]
    return {
        "updated": _iso(built) if built else None,
        "major_disruption": any(i["major"] for i in incidents),
        "services": lights,
        "incidents": incidents,
        "resolved": _recent(found, built),
        "windows": [_window(s) for s in found],
    }


def public_why(why: str) -> str:
    """Why a light changed, as the public may read it: a lights set's reason is internal
    (it is journaled, and shown to the operators), so "set by hand: …" is "set by hand"."""
    return "set by hand" if why.startswith("set by hand: ") else why


def _why_text(source: Source | None, cause: str | None) -> str | None:
    """`cause` in words of the runbook's language that changed the light."""
    if source is None or cause is None:
        return None
    return light_reason(language_of(source.runbook.release.language), cause)


def _recent(found: list[Source], built: dt.datetime | None) -> list[dict[str, Any]]:
    """Incidents resolved in the week before the build, the latest first."""
    if built is None:
        return []
    recent = [
        (incident.resolved, _incident(source, incident))
        for source in found
        for incident in source.incidents()
        if incident.resolved is not None and built - RECENT <= incident.resolved <= built
    ]
    return [entry for _at, entry in sorted(recent, key=lambda r: (r[0], r[1]["id"]), reverse=True)]


def _iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def parse_iso(value: str) -> dt.datetime:
    """An instant as status.json writes it, read back."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _incident(source: Source, incident: Incident) -> dict[str, Any]:
    policy = source.runbook.incidents
    return {
        "id": incident.id,
        "release": source.runbook.release.id,
        "rehearsal": source.rehearsal,
        "priority": incident.priority,
        "major": incident.major(policy),
        "summary": incident.summary,
        "services": [source.runbook.services[s].name for s in incident.services
                     if s in source.runbook.services],
        "opened": _iso(incident.opened),
        "updates": [{"at": _iso(at), "summary": text} for at, _by, text in incident.updates],
        "resolved": _iso(incident.resolved) if incident.resolved else None,
    }  # fmt: skip


def _window(source: Source) -> dict[str, Any]:
    start, end = source.window
    runbook = source.runbook
    return {
        "release": runbook.release.id,
        "title": runbook.release.title,
        "rehearsal": source.rehearsal,
        "status": source.status,
        "outcome": source.view.night.outcome if source.view else None,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timezone": runbook.release.timezone,
        "downtime": runbook.window.downtime,
        "services": [runbook.services[s].name for s in runbook.window.services
                     if s in runbook.services],
        "description": runbook.window.description,
        "description_en": runbook.window.description_en,
        "language": runbook.release.language,
        "changes": [_change(told) for told in source.changes()],
    }  # fmt: skip


def _change(told: Told) -> dict[str, Any]:
    """A reschedule, cancellation or extension: when, why, the window before and after."""
    before, after = ({"start": s.isoformat(), "end": e.isoformat()}
                     for s, e in (told.before, told.after))  # fmt: skip
    return {
        "at": _iso(told.at),
        "change": told.change,
        "reason": told.reason,
        "from": before,
        "to": None if told.change == CANCELLED else after,
    }
