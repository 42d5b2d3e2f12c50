"""The site's words (feed, page, calendar) per runbook language, and its Swedish dates."""

from __future__ import annotations

import datetime as dt

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


def swedish(instant: dt.datetime) -> str:
    """E.g. "lördag 27 november 2021 kl. 23.00", as the published windows read (seeds/000)."""
    return (
        f"{_DAYS[instant.weekday()]} {instant.day} {_MONTHS[instant.month - 1]} "
        f"{instant.year} kl. {instant:%H.%M}"
    )
