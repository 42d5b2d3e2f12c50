"""The operational-information site: status.json, feed.xml, index.html, calendar.ics.

Built from the runbooks and journals in the state directory alone. The same input gives
the same bytes: every time shown comes from a runbook or a journal, the build time is
SOURCE_DATE_EPOCH or the latest journaled moment (the clock only caps it, so nothing is
dated in the future), ordering is fixed and identifiers are derived from release and
incident ids.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from gonogo.errors import GonogoError, StateError
from gonogo.night.clock import FixedClock
from gonogo.night.incidents import Incident
from gonogo.night.lights import COLOURS, Change
from gonogo.night.runs import JOURNAL, REAL, REHEARSAL
from gonogo.night.view import NightView, night_view
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
RECENT = dt.timedelta(days=7)  # how long a resolved incident stays on the page
ATOM = "http://www.w3.org/2005/Atom"

# Words of the feed and the page, per runbook language; English where a language is missing.
WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "site": "Driftinformation",
        "about": "Driftinformation och servicefönster för tjänsteplattformen.",
        "window": "Servicefönster",
        "incident": "Driftstörning",
        "update": "Uppdatering",
        "resolved": "Åtgärdad",
        "priority": "prioritet",
        "services": "Berörda tjänster",
        "closed": "Servicefönstret är avslutat",
        "completed": "produktionssättningen är genomförd",
        "rolled back": "produktionssättningen avbröts och föregående version är återställd",
        "resolved_text": "Driftstörningen är åtgärdad.",
    },
    "en": {
        "site": "Operational information",
        "about": "Operational information and service windows of the service platform.",
        "window": "Service window",
        "incident": "Disruption",
        "update": "Update",
        "resolved": "Resolved",
        "priority": "priority",
        "services": "Services affected",
        "closed": "The service window has closed",
        "completed": "the release is in production",
        "rolled back": "the release was aborted and the previous version is back",
        "resolved_text": "The disruption is resolved.",
    },
}
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
_DAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


@dataclass(frozen=True)
class Source:
    """One release's window: its runbook, and its run if it has started."""

    runbook: Runbook
    view: NightView | None
    rehearsal: bool

    @property
    def key(self) -> str:
        return self.runbook.release.id + ("-rehearsal" if self.rehearsal else "")

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        plan = self.view.plan if self.view else timeline(self.runbook)
        return plan.local(plan.window_start), plan.local(plan.window_end)

    @property
    def status(self) -> str:
        """planned, ongoing or done: from the journal, never from the clock."""
        if self.view is None:
            return "planned"
        return "done" if self.view.night.closed else "ongoing"

    @property
    def stamp(self) -> dt.datetime:
        """The last thing that happened to this window: the journal's last event."""
        if self.view is None or not self.view.night.entries:
            return self.window[0].astimezone(dt.UTC)
        return self.view.night.entries[-1].at

    def incidents(self) -> list[Incident]:
        return self.view.incidents() if self.view else []

    def lights(self) -> tuple[dict[str, str], list[Change]]:
        if self.view is None:
            return dict.fromkeys(self.runbook.services, "green"), []
        return self.view.lights()


def sources(root: Path, *, dry_run: bool, runbooks: list[Path]) -> list[Source]:
    """Every real run (and rehearsal with dry_run), plus announced runbooks not started."""
    found: list[Source] = []
    started: set[str] = set()
    for release in sorted(p.name for p in root.glob("*") if p.is_dir()) if root.is_dir() else []:
        for kind in (REAL, REHEARSAL):
            if (root / release / kind / JOURNAL).is_file() and (kind == REAL or dry_run):
                rehearsal = kind == REHEARSAL
                view = night_view(root, release, rehearsal, FixedClock(_EPOCH))
                found.append(Source(view.run.runbook, view, rehearsal))
                started.add(release)
    for path in runbooks:
        loaded = load_valid(path)
        assert loaded.runbook is not None  # load_valid guarantees it
        if loaded.runbook.release.id not in started:
            found.append(Source(loaded.runbook, None, rehearsal=False))
    found.sort(key=lambda s: (s.window[0], s.key))
    return found


def _worst(colours: list[str]) -> str:
    return max(colours, key=COLOURS.index) if colours else "green"


def build_time(found: list[Source], runbooks: list[Path], now: dt.datetime) -> dt.datetime | None:
    """When the site was built, the reproducible-builds way, and never after `now`.

    SOURCE_DATE_EPOCH if set; else the latest journaled moment of the runs shown; else
    (only announced windows) the newest runbook file's modification time.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise GonogoError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970",
                hint="unset it, or set it to e.g. $(git log -1 --format=%ct)",
            ) from None
    moments = [s.view.night.entries[-1].at for s in found if s.view and s.view.night.entries]
    if not moments:
        moments = [
            dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC) for path in runbooks
        ]
    return min(max(moments), now) if moments else None


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
                {"name": service.name, "class": service.class_, "colours": [], "changes": []},
            )
            entry["colours"].append(now.get(key, "green"))
            entry["changes"] += [c for c in changes if c.service == key]
    lights = {}
    for key in sorted(services):
        entry = services[key]
        colour = _worst(entry["colours"])
        last = max(entry["changes"], key=lambda c: c.at, default=None)
        lights[key] = {
            "name": entry["name"],
            "class": entry["class"],
            "colour": colour,
            "since": _iso(last.at) if last else None,
            "why": last.why if last and last.colour == colour else None,
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
    }  # fmt: skip


def swedish(instant: dt.datetime) -> str:
    """E.g. "lördag 27 november 2021 kl. 23.00", as the published windows read (seeds/000)."""
    return (
        f"{_DAYS[instant.weekday()]} {instant.day} {_MONTHS[instant.month - 1]} "
        f"{instant.year} kl. {instant:%H.%M}"
    )


def feed(found: list[Source], state: dict[str, Any], base_url: str) -> bytes:
    """RSS 2.0: each window and its outcome, each incident, update and resolution.

    In the runbook's language. Links are absolute when `base_url` is given (feed readers
    need that), with an atom:link to the feed itself.
    """
    language = found[0].runbook.release.language if found else "sv"
    site = words(language)
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    built = _parse(state["updated"]) if state["updated"] else None
    for tag, text in (
        ("title", site["site"]),
        ("link", base_url + "index.html"),
        ("description", site["about"]),
        ("language", language),
        ("lastBuildDate", format_datetime(built) if built else None),
        ("generator", "gonogo"),
    ):
        if text is not None:
            ET.SubElement(channel, tag).text = text
    if base_url:
        ET.SubElement(
            channel, f"{{{ATOM}}}link", href=base_url + "feed.xml", rel="self",
            type="application/rss+xml",
        )  # fmt: skip
    items: list[tuple[dt.datetime, str, dict[str, str]]] = []
    for source in found:
        items += _items(source)
    for at, guid, fields in sorted(items, key=lambda i: (i[0], i[1]), reverse=True):
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = fields["title"]
        ET.SubElement(item, "link").text = f"{base_url}index.html#{_anchor(guid)}"
        ET.SubElement(item, "description").text = fields["description"]
        ET.SubElement(item, "category").text = fields["category"]
        # An announced window is published now, not on the day it will start.
        published = min(at, built) if built else at
        ET.SubElement(item, "pubDate").text = format_datetime(published.astimezone(dt.UTC))
        ET.SubElement(item, "guid", isPermaLink="false").text = guid
    ET.indent(rss)
    data: bytes = ET.tostring(rss, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _anchor(guid: str) -> str:
    """The page's id for an item: the window's box, or the incident's."""
    _scheme, key, what, *_rest = guid.split(":")
    return key if what in ("window", "outcome") else f"{key}-{what}"


def _items(source: Source) -> list[tuple[dt.datetime, str, dict[str, str]]]:
    """The feed items of one window: when, guid, and title, description and category."""
    runbook, w = source.runbook, words(source.runbook.release.language)
    start, end = source.window
    text = "\n\n".join(t for t in (runbook.window.description, runbook.window.description_en)
                       if t)  # fmt: skip
    guid = f"gonogo:{source.key}"
    title = f"{runbook.release.title}{' (övning)' if source.rehearsal else ''}"
    items = [(start, guid + ":window", {
        "title": f"{w['window']}: {title}, {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}",
        "description": text or runbook.release.title,
        "category": w["window"],
    })]  # fmt: skip
    if source.view is not None and source.view.night.closed and source.view.night.outcome:
        outcome = w.get(source.view.night.outcome, source.view.night.outcome)
        items.append((source.view.night.closed, guid + ":outcome", {
            "title": f"{w['closed']}: {title}, {outcome}",
            "description": f"{w['closed']} ({runbook.release.title}): {outcome}.",
            "category": w["window"],
        }))  # fmt: skip
    names = runbook.services
    for incident in source.incidents():
        affected = ", ".join(names[s].name for s in incident.services if s in names)
        head = f"{w['incident']} {incident.id} ({w['priority']} {incident.priority})"
        items.append((incident.opened, f"{guid}:{incident.id}", {
            "title": f"{head}: {incident.summary}",
            "description": incident.summary + (f"\n{w['services']}: {affected}"
                                               if affected else ""),
            "category": w["incident"],
        }))  # fmt: skip
        for number, (at, _by, summary) in enumerate(incident.updates, start=1):
            kind = w["resolved"] if at == incident.resolved else w["update"]
            items.append((at, f"{guid}:{incident.id}:{number}", {
                "title": f"{kind} {incident.id}: {summary}",
                "description": summary,
                "category": w["incident"],
            }))  # fmt: skip
        said = any(at == incident.resolved for at, _by, _text in incident.updates)
        if incident.resolved is not None and not said:
            # `incident resolve` without --summary: subscribers still hear that it is over.
            items.append((incident.resolved, f"{guid}:{incident.id}:resolved", {
                "title": f"{w['resolved']} {incident.id}: {incident.summary}",
                "description": f"{w['resolved_text']} {incident.summary}",
                "category": w["incident"],
            }))  # fmt: skip
    return items


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def calendar(found: list[Source], built: dt.datetime | None = None) -> bytes:
    """Every service window as a VEVENT in its own time zone, with its VTIMEZONE."""
    from icalendar import Calendar, Event  # noqa: PLC0415

    from gonogo.render.vtimezone import vtimezone  # noqa: PLC0415

    cal = Calendar()
    cal.add("prodid", "-//gonogo//Servicefönster//SV")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "Servicefönster")
    for source in found:
        runbook = source.runbook
        start, end = source.window
        event = Event()
        event.add("uid", f"{source.key}-window@gonogo")
        stamp = min(source.stamp, built) if built else source.stamp
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", start)
        event.add("dtend", end)
        rehearsal = " (övning)" if source.rehearsal else ""
        event.add("summary", f"Servicefönster: {runbook.release.title}{rehearsal}")
        text = [t for t in (runbook.window.description, runbook.window.description_en) if t]
        names = [runbook.services[s].name for s in runbook.window.services
                 if s in runbook.services]  # fmt: skip
        if names:
            text.append(f"{words(runbook.release.language)['services']}: {', '.join(names)}")
        if text:
            event.add("description", "\n\n".join(text))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE" if runbook.window.downtime else "TRANSPARENT")
        cal.add_component(event)
    zones: dict[str, list[dt.datetime]] = {}
    for source in found:
        zones.setdefault(source.runbook.release.timezone, []).extend(source.window)
    for number, (key, moments) in enumerate(sorted(zones.items())):
        # Time zones before the events that name them, as calendar programs expect.
        cal.subcomponents.insert(number, vtimezone(key, min(moments), max(moments)))
    return bytes(cal.to_ical())


def page(found: list[Source], state: dict[str, Any]) -> str:
    from gonogo.render.templating import COLOURS as SHADES  # noqa: PLC0415
    from gonogo.render.templating import environment  # noqa: PLC0415

    env = environment()
    zone = _zone(found)
    env.filters["sv"] = lambda value: swedish(_parse(value).astimezone(zone))
    env.filters["local"] = lambda value: f"{_parse(value).astimezone(zone):%H.%M}"
    windows = state["windows"]
    text: str = env.get_template("site.html.j2").render(
        s=state,
        colours=SHADES,
        upcoming=[w for w in windows if w["status"] != "done"],
        past=[w for w in reversed(windows) if w["status"] == "done"],
    )
    return text


def _zone(found: list[Source]) -> Any:
    from zoneinfo import ZoneInfo  # noqa: PLC0415

    return ZoneInfo(found[0].runbook.release.timezone if found else "Europe/Stockholm")


def _write(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)  # a reader sees the old file or the new one


def site_url(base_url: str) -> str:
    """The site's address as links are built from it: empty, or ending in one slash."""
    return base_url.rstrip("/") + "/" if base_url else ""


def refuse_empty(root: Path, *, dry_run: bool) -> None:
    """An empty site would blank a status page people rely on: say why there is nothing."""
    rehearsals = sorted(p.parent.parent.name for p in root.glob(f"*/{REHEARSAL}/{JOURNAL}"))
    if rehearsals and not dry_run:
        why = f"{root} has only rehearsals ({', '.join(rehearsals)}); --dry-run publishes them"
    else:
        why = f"no run in {root} and no --runbook to announce"
    raise StateError(
        f"nothing to publish: {why}",
        hint="--allow-empty publishes an empty site anyway (it replaces the current one)",
    )


def publish(
    root: Path,
    out: Path,
    *,
    dry_run: bool,
    runbooks: list[Path],
    base_url: str = "",
    allow_empty: bool = False,
    now: dt.datetime | None = None,
) -> list[Path]:
    """Write the four files into `out`; returns their paths.

    Refuses (StateError) when there is nothing to show, unless `allow_empty`.
    """
    found = sources(root, dry_run=dry_run, runbooks=runbooks)
    if not found and not allow_empty:
        refuse_empty(root, dry_run=dry_run)
    base_url = site_url(base_url)
    try:
        built = build_time(found, runbooks, now or dt.datetime.now(dt.UTC))
        state = status(found, built)
        files = {
            "status.json": (json.dumps(state, ensure_ascii=False, indent=2) + "\n").encode(),
            "feed.xml": feed(found, state, base_url),
            "index.html": page(found, state).encode(),
            "calendar.ics": calendar(found, built),
        }
    finally:
        for source in found:
            if source.view is not None:
                source.view.run.close()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        _write(out / name, data)
        written.append(out / name)
    return written
