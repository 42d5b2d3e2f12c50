"""The words of the reading commands' text output (`log`, `deliveries`, `incident list`,
`lights`, `verify`), Swedish and English: the runbook's language, English for any other.

A sibling of words.py (the report's) and status_words.py (the status screen's): a key
found in none of the three is a mistake. Where the report or the screen already says a
thing (states, outcomes, colours, channels, counts) their words are used, so every
screen says it the same way. The English is what these commands printed before they
had a Swedish, unchanged. Commands, ids, names and event names are never translated.
"""

from __future__ import annotations

from gonogo.night.delivery.reconcile import SETTLE_HINT
from gonogo.render.status_words import STATUS
from gonogo.render.words import MESSAGES, language_of, pick

__all__ = ["kind", "language_of", "read"]

# A journal entry's kind as `log` names it (English: the kind with spaces for "_").
_KINDS: dict[str, str] = {
    "start": "start",
    "go": "Go",
    "nogo": "NoGo",
    "hold": MESSAGES["hold"][0],
    "progress": "statusmeddelande",
    "rollback_done": MESSAGES["rollback completed"][0],
    "end": "avslut",
    "runbook_change_accepted": "runbookändring godtagen",
    "incident_opened": "driftstörning öppnad",
    "incident_updated": "driftstörning uppdaterad",
    "incident_resolved": "driftstörning åtgärdad",
    "disruption": "kort störning",
    "lights_set": "trafikljus satt",
    "verification_started": "produktionsverifiering startad",
    "verification_report": "återrapport",
    "announce": "förhandsavisering",
    "reschedule": "servicefönstret flyttat",
    "cancel": "servicefönstret inställt",
    "extend": "servicefönstret förlängt",
    "retry": "nytt försök",
    "deliveries_settled": "leveranser avgjorda",
    "resumed": "återupptog",
    "receipts": "leveranskvitton",
}

# key: (Swedish, English). `{name}` fields are filled in by the command.
READING: dict[str, tuple[str, str]] = {
    # log
    "journal of": (
        "Journal för {release}{rehearsal}, {zone}",
        "Journal of {release}{rehearsal}, {zone}",
    ),
    "log part": ("del {n}", "part {n}"),
    "log message": ("meddelande {event}", "message {event}"),
    "no recipients": ("inga mottagare", "no recipients"),
    "repeat confirmed": (
        "(bekräftad efter varningen om upprepning)",
        "(confirmed after the repeat warning)",
    ),
    "interrupted": (
        "avbrutna {names}: {pending} ännu inte försökta, {in_flight} på väg",
        "interrupted {names}: {pending} not yet tried, {in_flight} in flight",
    ),
    # deliveries
    "deliveries per message": ("Leveranser per meddelande", "Deliveries per message"),
    "message": ("Meddelande", "Message"),
    "channel": ("Kanal", "Channel"),
    "audience": ("Målgrupp", "Audience"),
    "sent column": ("Skickade", "Sent"),
    "failed column": (MESSAGES["failed"][0], "Failed"),
    "in doubt column": ("Osäkra", "In doubt"),
    "pending column": ("Väntar", "Pending"),
    "to the phone": ("Till telefonen", "To the phone"),
    "never arrived column": ("Kom aldrig fram", "Never arrived"),
    "sent note": (
        "Skickade: accepterade av Twilio (eller e-postservern). Till telefonen: Twilios "
        "leveranskvitto, enligt senaste `gonogo deliveries --refresh`.",
        "Sent: accepted by Twilio (or the mail server). To the phone: Twilio's delivery "
        "receipt, as of the last `gonogo deliveries --refresh`.",
    ),
    "never arrived problem": ("kom aldrig fram", "never arrived"),
    "twilio error": ("Twilio-fel {code}", "Twilio error {code}"),
    "delivery pending": ("väntar", "pending"),
    "delivery sent": ("skickad", "sent"),
    "delivery failed": ("misslyckad", "failed"),
    "delivery in_doubt": ("osäker", "in doubt"),
    "retry hint": (
        "Försök igen med de misslyckade: `gonogo retry-failed`.",
        "Try the failed ones again with `gonogo retry-failed`.",
    ),
    "resume hint": (
        "`gonogo resume` skickar de väntande och stämmer av dem som är på väg.",
        "`gonogo resume` sends the pending ones and reconciles those in flight.",
    ),
    "settle hint": (
        "{n} osäkra: kontrollera e-postserverns logg (för sms Twilios meddelandelogg), "
        "sedan `gonogo settle --resend --reason TEXT` eller "
        "`gonogo settle --mark-sent --reason TEXT`.",
        "{n} in doubt: " + SETTLE_HINT + ".",
    ),
    # incident list
    "id": ("Id", "Id"),
    "p": ("P", "P"),
    "summary": ("Sammanfattning", "Summary"),
    "opened column": ("Öppnad", "Opened"),
    "updates": ("Uppdateringar", "Updates"),
    "next update": ("Nästa uppdatering", "Next update"),
    "state": ("Status", "State"),
    "OVERDUE": ("FÖRSENAD", "OVERDUE"),
    "open": ("öppen", "open"),
    # lights
    "light column": ("Ljus", "Light"),
    "since column": ("Sedan", "Since"),
    # verify
    "verification head": (
        "Produktionsverifiering ({started}); spärrar del '{gates}'.",
        "Production verification ({started}); gates part '{gates}'.",
    ),
    "started at": ("startad {at}", "started {at}"),
    "organisation": ("Organisation", "Organisation"),
    "system": ("System", "System"),
    "verification complete": ("Verifieringen är klar.", "Verification complete."),
}


def read(language: str, key: str, **fields: object) -> str:
    """`key` in `language`, from this catalogue, else the status screen's or the report's."""
    return pick(language, key, READING, STATUS, MESSAGES, **fields)


def kind(language: str, name: str) -> str:
    """A journal entry's kind ("incident_opened") as `log` shows it."""
    english = name.replace("_", " ")
    return _KINDS.get(name, english) if language == "sv" else english
