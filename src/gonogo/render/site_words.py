"""The site's words (feed, page, calendar) per runbook language, and its Swedish dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonogo.render.window_told import Told

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
        "cancelled": "Inställt",
        "moved_title": "Servicefönstret flyttas",
        "cancelled_title": "Servicefönstret är inställt",
        "extended_title": "Servicefönstret förlängs",
        "until": "till senast",
        "moved_text": "Servicefönstret flyttas från {before} till {after}.",
        "cancelled_text": "Servicefönstret {before} är inställt. Berörda tjänster är i drift "
        "som vanligt.",
        "extended_text": "Servicefönstret förlängs och avslutas senast {end}, i stället för "
        "{previous} som tidigare meddelats.",
        "reason": "Orsak",
        "rehearsal": "övning",
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
        "cancelled": "Cancelled",
        "moved_title": "The service window moves",
        "cancelled_title": "The service window is cancelled",
        "extended_title": "The service window is extended",
        "until": "until",
        "moved_text": "The service window moves from {before} to {after}.",
        "cancelled_text": "The service window {before} is cancelled. The services affected "
        "run as usual.",
        "extended_text": "The service window is extended and ends at the latest {end}, "
        "instead of {previous} as announced.",
        "reason": "Reason",
        "rehearsal": "rehearsal",
    },
}
_MONTHS = (
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
)  # fmt: skip
_DAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def swedish(instant: dt.datetime) -> str:
    """E.g. "lördag 27 november 2021 kl. 23.00", as the published windows read (seeds/000)."""
    return (
        f"{_DAYS[instant.weekday()]} {instant.day} {_MONTHS[instant.month - 1]} "
        f"{instant.year} kl. {instant:%H.%M}"
    )


def _date(language: str, instant: dt.datetime) -> str:
    from gonogo.render.words import long_date  # noqa: PLC0415

    return swedish(instant) if language == "sv" else long_date("en", instant)


def _hour(language: str, instant: dt.datetime, beside: dt.datetime) -> str:
    """The time alone when `beside` is on the same day, else the whole date."""
    if instant.date() != beside.date():
        return _date(language, instant)
    return f"kl. {instant:%H.%M}" if language == "sv" else f"{instant:%H:%M}"


def told_line(language: str, told: Told) -> str:
    """A reschedule, cancellation or extension in a sentence, with its reason."""
    w = words(language)

    def span(window: tuple[dt.datetime, dt.datetime]) -> str:
        return f"{_date(language, window[0])} – {_date(language, window[1])}"

    text = w[f"{told.change}_text"].format(
        before=span(told.before), after=span(told.after),
        end=_date(language, told.after[1]), previous=_hour(language, told.before[1], told.after[1]),
    )  # fmt: skip
    return text + (f" {w['reason']}: {told.reason}." if told.reason else "")
