"""feed.xml: RSS 2.0 with each window and its outcome, each incident, update and resolution."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import Any

from gonogo.night.window_changes import CANCELLED, EXTENDED, MOVED
from gonogo.render.site_sources import Source
from gonogo.render.site_words import told_line, words
from gonogo.render.status_json import parse_iso

ATOM = "http://www.w3.org/2005/Atom"
_TOLD = (MOVED, CANCELLED, EXTENDED)


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
    built = parse_iso(state["updated"]) if state["updated"] else None
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
    return key if what in ("window", "outcome", *_TOLD) else f"{key}-{what}"


def _items(source: Source) -> list[tuple[dt.datetime, str, dict[str, str]]]:
    """The feed items of one window: when, guid, and title, description and category."""
    runbook, w = source.runbook, words(source.runbook.release.language)
    start, end = source.window
    text = "\n\n".join(t for t in (runbook.window.description, runbook.window.description_en)
                       if t)  # fmt: skip
    guid = f"gonogo:{source.key}"
    # A rehearsal's every item says so: a subscriber must not read a drill as an outage.
    drill = f" ({w['rehearsal']})" if source.rehearsal else ""
    title = f"{runbook.release.title}{drill}"
    items = [(start, guid + ":window", {
        "title": f"{w['window']}: {title}, {start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}",
        "description": text or runbook.release.title,
        "category": w["window"],
    })]  # fmt: skip
    items += _told(source, guid, title)
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
        marked = f"{w['rehearsal']}, " if source.rehearsal else ""
        head = f"{w['incident']} {incident.id} ({marked}{w['priority']} {incident.priority})"
        name = f"{incident.id}{drill}"
        items.append((incident.opened, f"{guid}:{incident.id}", {
            "title": f"{head}: {incident.summary}",
            "description": incident.summary + (f"\n{w['services']}: {affected}"
                                               if affected else ""),
            "category": w["incident"],
        }))  # fmt: skip
        for number, (at, _by, summary) in enumerate(incident.updates, start=1):
            kind = w["resolved"] if at == incident.resolved else w["update"]
            items.append((at, f"{guid}:{incident.id}:{number}", {
                "title": f"{kind} {name}: {summary}",
                "description": summary,
                "category": w["incident"],
            }))  # fmt: skip
        said = any(at == incident.resolved for at, _by, _text in incident.updates)
        if incident.resolved is not None and not said:
            # `incident resolve` without --summary: subscribers still hear that it is over.
            items.append((incident.resolved, f"{guid}:{incident.id}:resolved", {
                "title": f"{w['resolved']} {name}: {incident.summary}",
                "description": f"{w['resolved_text']} {incident.summary}",
                "category": w["incident"],
            }))  # fmt: skip
    return items


def _told(source: Source, guid: str, title: str) -> list[tuple[dt.datetime, str, dict[str, str]]]:
    """An item per reschedule, cancellation and extension, at the moment it was journaled."""
    language = source.runbook.release.language
    w = words(language)
    items = []
    for number, told in enumerate(source.changes(), start=1):
        start, end = told.after
        when = {
            MOVED: f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}",
            CANCELLED: f"{start:%Y-%m-%d %H:%M}–{end:%Y-%m-%d %H:%M}",
            EXTENDED: f"{w['until']} {end:%Y-%m-%d %H:%M}",
        }[told.change]
        items.append((told.at, f"{guid}:{told.change}:{number}", {
            "title": f"{w[told.change + '_title']}: {title}, {when}",
            "description": told_line(language, told),
            "category": w["window"],
        }))  # fmt: skip
    return items
