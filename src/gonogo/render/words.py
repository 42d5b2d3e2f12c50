"""The report's words in each language it is written in: one catalogue, no locale.

Dates and weekdays come from here too, never from `%A`/`%B`, which follow the
process's locale and so differ between a laptop and CI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gonogo.render.window_told import Told

LANGUAGES = ("sv", "en")

MONTHS = {
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
           "september", "oktober", "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip
DAYS = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

# key: (Swedish, English). `{name}` fields are filled in by the template.
MESSAGES: dict[str, tuple[str, str]] = {
    "report": ("rapport", "report"),
    "rehearsal": ("övning", "rehearsal"),
    "planned window": ("Planerat servicefönster", "Planned window"),
    "actual window": ("Faktiskt servicefönster", "Actual window"),
    "outcome": ("Utfall", "Outcome"),
    "completed": ("genomförd", "completed"),
    "rolled back": ("tillbakarullad", "rolled back"),
    "not finished": ("inte avslutad ({state})", "not finished ({state})"),
    # Where an unfinished night stands, in words, not the state machine's names.
    "state planned": ("servicefönstret har inte startat", "the window has not started"),
    "state part": ("del {n} pågår", "part {n} in progress"),
    "state parts_done": (
        "alla delar har fått Go, fönstret är inte avslutat",
        "every part has had Go, the window is not ended",
    ),
    "state rolling_back": ("tillbakarullning pågår", "rolling back"),
    "messages sent": ("Skickade meddelanden", "Messages sent"),
    "failed deliveries": ("{n} misslyckade leveranser", "{n} failed deliveries"),
    "incidents": ("Driftstörningar", "Incidents"),
    "major count": ("{n} större", "{n} major"),
    "targets": ("Tillgänglighetsmål", "Availability targets"),
    "met count": ("{n} / {total} uppfyllda", "{n} / {total} met"),
    "the night": ("Natten", "The night"),
    "chart label": (
        "Nattens tidslinje: planerade och faktiska delar, driftstörningar och servicefönstret",
        "Timeline of the night: planned and actual parts, incidents and the window",
    ),
    "legend planned window": ("planerat servicefönster", "planned window"),
    "legend planned": ("planerad", "planned"),
    "legend nogo": ("NoGo / större driftstörning", "NoGo / major incident"),
    "legend rollback": ("tillbakarullning", "rollback"),
    "legend minor": ("mindre driftstörning", "minor incident"),
    "legend lines": (
        "streckat: servicefönstrets gränser, rött streckat: point of no return",
        "dashed: window bounds, red dashed: point of no return",
    ),
    "timeline": ("Tidslinje, planerat mot faktiskt", "Timeline, planned vs actual"),
    "part": ("Del", "Part"),
    "owner": ("Ansvarig", "Owner"),
    "planned": ("Planerat", "Planned"),
    "actual": ("Faktiskt", "Actual"),
    "started": ("Startade", "Started"),
    "ended": ("Avslutades", "Ended"),
    "start": ("Start", "Start"),
    "end": ("Slut", "End"),
    "decision": ("Beslut", "Decision"),
    "by": ("Av", "By"),
    "why": ("Varför", "Why"),
    "verification overridden": ("verifiering åsidosatt", "verification overridden"),
    "hold": ("paus", "hold"),
    "holds on part": ("Pauser i del {n}:", "Holds on part {n}:"),
    "on time": ("i tid", "on time"),
    "late": ("{n} min sent", "{n} min late"),
    "early": ("{n} min tidigt", "{n} min early"),
    "time": ("Tid", "Time"),
    "event": ("Händelse", "Event"),
    "sent by": ("Skickat av", "Sent by"),
    "recipients": ("Mottagare", "Recipients"),
    "delivered": ("Levererat", "Delivered"),
    "failed": ("Misslyckade", "Failed"),
    "not sent": ("+{n} ej skickade", "+{n} not sent"),
    "in doubt": ("+{n} osäkra", "+{n} in doubt"),
    "failure": (
        "{channel} till {name} ({audience}) misslyckades",
        "{channel} to {name} ({audience}) failed",
    ),
    "no reason": ("inget skäl angivet", "no reason given"),
    "failed deliveries list": ("Misslyckade leveranser:", "Failed deliveries:"),
    "no failure": ("Ingen leverans misslyckades.", "No delivery failed."),
    "email": ("e-post", "email"),
    "sms": ("sms", "sms"),
    "priority": ("Prioritet {n}", "Priority {n}"),
    "major": ("större", "major"),
    "major note": (
        "större: en uppdatering ska gå ut varje intervall",
        "major: an update is due every interval",
    ),
    "light": ("ljus {colour}", "light {colour}"),
    "services": ("Tjänster", "Services"),
    "opened": ("Öppnad {at} av {by}", "Opened {at} by {by}"),
    "resolved at": ("åtgärdad {at}", "resolved {at}"),
    "still open": ("fortfarande öppen", "still open"),
    "duration": ("varaktighet {n} min", "duration {n} min"),
    "overdue updates": ("försenade uppdateringar: {n}", "overdue updates: {n}"),
    "overdue": ("{n} min försenad", "{n} min overdue"),
    "no incidents": ("Inga driftstörningar.", "No incidents."),
    "verification": ("Produktionsverifiering", "Production verification"),
    "verification line": (
        "Startade {started}; spärrar del {gates}; {state}.",
        "Started {started}; gates part {gates}; {state}.",
    ),
    "not started": ("inte startad", "not started"),
    "complete": ("klar", "complete"),
    "verification failed": (
        "produktionsverifieringen misslyckades för {names}",
        "production verification failed for {names}",
    ),
    "verification waiting": (
        "produktionsverifieringen är inte klar: väntar på {names}",
        "production verification is not complete: waiting for {names}",
    ),
    "no reports": ("Inga återrapporter.", "No reports."),
    "participant": ("Deltagare", "Participant"),
    "result": ("Resultat", "Result"),
    "at": ("Klockan", "At"),
    "note": ("Anteckning", "Note"),
    "ok": ("ok", "ok"),
    "fail": ("misslyckad", "fail"),
    "skip": ("hoppade över", "skip"),
    "no verification": (
        "Runbooken har ingen produktionsverifiering.",
        "The runbook has no production verification.",
    ),
    "lights": ("Trafikljus", "Traffic lights"),
    "change": ("Ändring", "Change"),
    "green": ("grön", "green"),
    "yellow": ("gul", "yellow"),
    "red": ("röd", "red"),
    "downtime": ("Avbrott och tillgänglighet, {month}", "Downtime and availability, {month}"),
    "downtime note": (
        "Rött räknas som avbrott, gult som nedsatt funktion. Bara avbrott utanför det "
        "planerade servicefönstret räknas mot tillgänglighetsmålet (99,9 % för A-klassade "
        "och 98 % för B-klassade system; planerade servicefönster räknas inte). Månadens "
        "tillgänglighet förutsätter att natten var månadens enda avbrott.",
        "Red counts as down, yellow as degraded. Only downtime outside the planned window "
        "counts against the availability target (99.9 % for A-class, 98 % for B-class "
        "systems; planned service windows are excluded). The month's availability assumes "
        "this night was the month's only downtime.",
    ),
    "service": ("Tjänst", "Service"),
    "class": ("Klass", "Class"),
    "down inside": ("Avbrott i fönstret", "Down in window"),
    "down outside": ("Avbrott utanför", "Down outside"),
    "degraded": ("Nedsatt i / utanför", "Degraded in / outside"),
    "month availability": ("Månadens tillgänglighet", "Month availability"),
    "target": ("Mål", "Target"),
    "budget used": ("Använd marginal", "Budget used"),
    "met": ("uppfyllt", "met"),
    "missed": ("missat", "missed"),
    "of": ("{used} av {budget} min", "{used} of {budget} min"),
    # The chart's own labels (titles of shapes and markers).
    "window start": ("servicefönstret börjar", "window start"),
    "window end": ("servicefönstret slutar", "window end"),
    "point of no return": ("point of no return", "point of no return"),
    "planned window chart": ("planerat servicefönster", "planned window"),
    "planned chart": ("planerad", "planned"),
    "actual chart": ("faktisk", "actual"),
    "now": ("nu", "now"),
    "rollback": ("tillbakarullning", "rollback"),
    "Rollback": ("Tillbakarullning", "Rollback"),
    # Why a light changed, as the journal's replay says it.
    "window started": ("servicefönstret startade", "window started"),
    "window ended": ("servicefönstret avslutades", "window ended"),
    "rollback completed": ("tillbakarullningen klar", "rollback completed"),
    "incident opened": ("driftstörning {id} öppnad", "incident {id} opened"),
    "incident resolved": ("driftstörning {id} åtgärdad", "incident {id} resolved"),
    "set by hand": ("satt för hand", "set by hand"),
    # The window moved, cancelled or extended; Twilio's delivery receipts.
    "cancelled": ("inställt", "cancelled"),
    "announced end": ("Annonserat slut", "Announced end"),
    "extended to": ("förlängt till", "extended to"),
    "moved line": (
        "Flyttat {at} av {by}: från {before} till {after}",
        "Moved {at} by {by}: from {before} to {after}",
    ),
    "cancelled line": ("Inställt {at} av {by}", "Cancelled {at} by {by}"),
    "extended line": (
        "Förlängt {at} av {by}: till {after} (annonserat slut {before})",
        "Extended {at} by {by}: to {after} (announced end {before})",
    ),
    "reason": ("orsak", "reason"),
    "to phone": ("{n} till telefonen", "{n} to the phone"),
    "never arrived": ("{n} kom aldrig fram", "{n} never arrived"),
    "never arrived line": (
        "{channel} till {name} ({audience}) kom aldrig fram",
        "{channel} to {name} ({audience}) never arrived",
    ),
    "receipts note": (
        "Levererat: accepterat av Twilio eller e-postservern. Till telefonen: Twilios "
        "leveranskvitto, enligt senaste `gonogo deliveries --refresh`.",
        "Delivered: accepted by Twilio or the mail server. To the phone: Twilio's delivery "
        "receipt, as of the last `gonogo deliveries --refresh`.",
    ),
}


def language_of(wanted: str) -> str:
    """The catalogue's language for a runbook's: English where there is no catalogue."""
    return wanted if wanted in LANGUAGES else "en"


def pick(
    language: str, key: str, *catalogues: Mapping[str, tuple[str, str]], **fields: object
) -> str:
    """`key` in `language` from the first of `catalogues` that has it, its `{fields}`
    filled in: every catalogue of words (the report's, the screen's, the commands')
    is looked up so."""
    for catalogue in catalogues:
        if key in catalogue:
            text = catalogue[key][LANGUAGES.index(language)]
            return text.format(**fields) if fields else text
    raise KeyError(key)


def say(language: str, key: str, **fields: object) -> str:
    return pick(language, key, MESSAGES, **fields)


def long_date(language: str, instant: dt.datetime | None) -> str:
    """E.g. "lördag 27 november 2021 23:00" or "Saturday 27 November 2021 23:00"."""
    if instant is None:
        return "–"
    day, month = DAYS[language][instant.weekday()], MONTHS[language][instant.month - 1]
    return f"{day} {instant.day} {month} {instant.year} {instant:%H:%M}"


def month(language: str, instant: dt.datetime) -> str:
    return f"{MONTHS[language][instant.month - 1]} {instant.year}"


def light_reason(language: str, why: str) -> str:
    """Why a light changed ("incident INC-2 opened", "set by hand: …") in `language`."""
    if why in MESSAGES:
        return say(language, why)
    words = why.split(" ", 2)
    if len(words) == 3 and words[0] == "incident" and words[2] in ("opened", "resolved"):
        return say(language, f"incident {words[2]}", id=words[1])
    if why.startswith("set by hand: "):
        return f"{say(language, 'set by hand')}: {why.removeprefix('set by hand: ')}"
    return why


def chart_label(language: str, text: str) -> str:
    """The chart's English labels ("planned 00:00–02:00", "window end") in `language`."""
    for english, key in (
        ("planned window", "planned window chart"),
        ("window start", "window start"),
        ("window end", "window end"),
        ("point of no return", "point of no return"),
        ("planned", "planned chart"),
        ("rollback", "rollback"),
        ("Rollback", "Rollback"),
    ):
        if text == english:
            return say(language, key)
    head, _, rest = text.partition(" ")
    if head in ("planned", "actual"):
        if rest.endswith("now"):
            rest = rest.removesuffix("now") + say(language, "now")
        return f"{say(language, head + ' chart')} {rest}"
    return text


def told_line(language: str, told: Told) -> str:
    """A reschedule, cancellation or extension of the window, for the report."""

    def span(window: tuple[dt.datetime, dt.datetime]) -> str:
        return f"{long_date(language, window[0])} – {long_date(language, window[1])}"

    if told.change == "moved":
        before, after = span(told.before), span(told.after)
    else:
        before, after = long_date(language, told.before[1]), long_date(language, told.after[1])
    text = say(language, f"{told.change} line", at=long_date(language, told.at), by=told.by,
               before=before, after=after)  # fmt: skip
    return text + (f"; {say(language, 'reason')}: {told.reason}" if told.reason else "")
