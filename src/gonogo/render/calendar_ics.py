"""calendar.ics: every service window as an event in its own time zone."""

from __future__ import annotations

import datetime as dt

from gonogo.night.window_changes import CANCELLED
from gonogo.render.site_sources import Source
from gonogo.render.site_words import told_line, words


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
        # One per reschedule, extension or cancellation: calendars update the event.
        event.add("sequence", source.sequence)
        rehearsal = " (övning)" if source.rehearsal else ""
        w = words(runbook.release.language)
        cancelled = source.status == CANCELLED
        mark = f" ({w['cancelled'].lower()})" if cancelled else ""
        event.add("summary", f"Servicefönster{mark}: {runbook.release.title}{rehearsal}")
        text = [told_line(runbook.release.language, told) for told in source.changes()]
        text += [t for t in (runbook.window.description, runbook.window.description_en) if t]
        names = [runbook.services[s].name for s in runbook.window.services
                 if s in runbook.services]  # fmt: skip
        if names:
            text.append(f"{w['services']}: {', '.join(names)}")
        if text:
            event.add("description", "\n\n".join(text))
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        busy = runbook.window.downtime and not cancelled
        event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
        cal.add_component(event)
    zones: dict[str, list[dt.datetime]] = {}
    for source in found:
        zones.setdefault(source.runbook.release.timezone, []).extend(source.window)
    for number, (key, moments) in enumerate(sorted(zones.items())):
        # Time zones before the events that name them, as calendar programs expect.
        cal.subcomponents.insert(number, vtimezone(key, min(moments), max(moments)))
    return bytes(cal.to_ical())
