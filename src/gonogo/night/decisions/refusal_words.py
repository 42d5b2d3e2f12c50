"""The refusals of the night's decisions (message and hint), Swedish and English: the
runbook's language, English for any other.

A sibling of due_words.py, and of render/ words.py and status_words.py, whose words for
where the night stands and what is due are used, so that a refusal says a thing as the
status screen does. The English is what these refusals always said, byte for byte.
Commands, options and the values typed after them (`ok`, `green`) stay as typed.
"""

from __future__ import annotations

from gonogo.night.decisions.due_words import due_text
from gonogo.night.machine import COMPLETED, PARTS_DONE, PLANNED, ROLLED_BACK, ROLLING_BACK
from gonogo.night.snapshot import Night
from gonogo.night.verification import participant_name
from gonogo.night.wording import describe, next_step
from gonogo.render.status_words import where
from gonogo.render.words import MESSAGES, language_of, pick
from gonogo.runbook.model import Runbook

__all__ = ["blocked", "language_of", "refusal", "said_next", "said_where", "what", "words_of"]

# key: (Swedish, English). `{name}` fields are filled in at the raise.
REFUSALS: dict[str, tuple[str, str]] = {
    # Names (names.py).
    "unknown part": ("okänd del '{ref}'{suggest}; delar: {parts}",
                     "unknown part '{ref}'{suggest}; parts: {parts}"),
    "did you mean": (" (menade du '{name}'?)", " (did you mean '{name}'?)"),
    "no verification": (
        "runbooken har ingen produktionsverifiering",
        "the runbook has no production verification",
    ),
    "several participants": (
        "'{ref}' passar {n} deltagare ({found}); ange vilken",
        "'{ref}' names {n} participants ({found}); say which",
    ),
    "unknown participant": (
        "okänd deltagare '{ref}'{suggest}; deltagare: {known}",
        "unknown participant '{ref}'{suggest}; participants: {known}",
    ),
    "empty text": (
        "{what} kräver {option} TEXT, inte en tom text; inget har gjorts",
        "{what} needs {option} TEXT, not an empty one; nothing was done",
    ),
    "blank text": (
        "{what}: {option} är tom; ange TEXT eller utelämna {option}; inget har gjorts",
        "{what}: {option} is empty or blank; give TEXT or leave {option} out; nothing was done",
    ),
    "control character": (
        "{what}: {option} innehåller ett styrtecken ({where}); skriv texten igen utan det; "
        "inget har gjorts",
        "{what}: {option} holds a control character ({where}); type the text again "
        "without it; nothing was done",
    ),
    "at position": ("{code} på plats {n}", "{code} at {n}"),
    # Incidents, lights, verification (beside.py).
    "services text": (
        "runbookens text för {event} nämner de berörda tjänsterna ({{services}}); "
        "inget har skickats",
        "the runbook's {event} text names the affected services ({{services}}); "
        "nothing was sent",
    ),
    "give services": ("ange --services, t.ex. --services {ids}",
                      "give --services, e.g. --services {ids}"),
    "unknown service": ("okänd tjänst {names}; tjänster: {known}",
                        "unknown service(s) {names}; services: {known}"),
    "unknown services": ("okända tjänster {names}; tjänster: {known}",
                         "unknown service(s) {names}; services: {known}"),
    "none": ("inga", "none"),
    "priority": ("prioritet {n}: ITIL-prioriteter är 1 till 5",
                 "priority {n}: ITIL priorities are 1 to 5"),
    "unknown audience": ("okänd målgrupp {names}; målgrupper: {known}",
                         "unknown audience(s) {names}; audiences: {known}"),
    "unknown audiences": ("okända målgrupper {names}; målgrupper: {known}",
                          "unknown audience(s) {names}; audiences: {known}"),
    "not started": ("servicefönstret har inte startat; starta det först",
                    "the run has not started; open the window first"),
    "incident light": ("en driftstörnings trafikljus är yellow eller red, inte {colour}",
                       "an incident's light is yellow or red, not {colour}"),
    "no incident": ("ingen driftstörning {id}; driftstörningar: {known}",
                    "no incident {id}; incidents: {known}"),
    "incident resolved": ("driftstörning {id} åtgärdades {at}; inget har skickats",
                          "incident {id} was resolved at {at}; nothing was sent"),
    "colour": ("färg {colour}: använd green, yellow eller red",
               "colour {colour}: use green, yellow or red"),
    "verification started": ("produktionsverifieringen startades redan {at}",
                             "production verification was already started at {at}"),
    "verification gated": ("del {n} ({id}), som den spärrar, har fått Go",
                           "part {n} ({id}), which it gates, has had Go"),
    "verification not now": (
        "produktionsverifieringen kan inte starta nu: {where}; inget har skickats",
        "production verification cannot start now: {where}; nothing was sent",
    ),
    "result": ("resultat {result}: använd ok, fail eller skip",
               "result {result}: use ok, fail or skip"),
    "verification not started": ("produktionsverifieringen har inte startat",
                                 "production verification has not started"),
    "verify start first": ("`gonogo verify start` först", "`gonogo verify start` first"),
    "skip needs note": (
        "en deltagare som hoppas över kräver --note som säger varför",
        "a skipped participant needs --note saying why",
    ),
    # The window moves, is called off, or runs late (changes.py).
    "nothing changed": ("{why}; inget har ändrats", "{why}; nothing was changed"),
    "start passed": ("den nya starten {at} har redan passerats; inget har ändrats",
                     "the new start {at} has passed; nothing was changed"),
    "same time": ("servicefönstret ligger redan på den tiden; inget har ändrats",
                  "the window is already at that time; nothing was changed"),
    "does not fit": (
        "servicefönstret {where} ryms inte i planen: {error}{more}; inget har ändrats",
        "the window {where} does not fit the plan: {error}{more}; nothing was changed",
    ),
    "and more": (" (och {n} till)", " (and {n} more)"),
    "parts move": (
        "delarna följer med starten och behåller sina längder; ange ett --end som ger "
        "plats för dem och tillbakarullningen",
        "the parts move with the start and keep their lengths; give an --end that "
        "leaves room for them and the rollback",
    ),
    "not open": ("servicefönstret är inte öppet; bara ett öppet servicefönster kan förlängas",
                 "the window is not open; only an open window can be extended"),
    "move instead": ("innan det öppnas, flytta det med `gonogo reschedule`",
                     "before it opens, move it with `gonogo reschedule`"),
    "not later": (
        "{until} är inte senare än servicefönstrets slut {end}; inget har ändrats",
        "{until} is not later than the window's end {end}; nothing was changed",
    ),
    "has opened": ("servicefönstret har öppnats; det kan inte {what} nu (inget har ändrats)",
                   "the window has opened; it cannot {what} now (nothing was changed)"),
    "extend instead": ("för att köra längre: `gonogo extend --until HH:MM --reason TEXT`",
                       "to run longer, `gonogo extend --until HH:MM --reason TEXT`"),
    "is cancelled": ("servicefönstret är inställt; det kan inte {what} (inget har ändrats)",
                     "the window is cancelled; it cannot {what} (nothing was changed)"),
    "reschedule": ("flyttas", "reschedule"),
    "cancel": ("ställas in", "cancel"),
    # Deliveries and notices.
    "none in doubt": ("ingen leverans är osäker; inget har gjorts",
                      "no delivery is in doubt; nothing was done"),
    "no notices": ("runbooken har inga förhandsaviseringar; inget har skickats",
                   "the runbook has no advance notices; nothing was sent"),
    "add notices": ("lägg till `notices:` i runbooken (se docs/runbook-format.md)",
                    "add `notices:` to the runbook (see docs/runbook-format.md)"),
    # The window's machine (window.py).
    "not possible": ("`{name}` går inte nu: {where}; inget har gjorts",
                     "`{name}` is not possible now: {where}; nothing was done"),
    "cannot get go": ("del {n} kan inte få Go: {why}; inget har gjorts",
                      "part {n} cannot get Go: {why}; nothing was done"),
    "a guard refused": ("ett villkor stoppade den", "a guard refused"),
    "wait for reports": (
        "vänta på återrapporterna (`gonogo verify`), eller ge Go med "
        "--override-verification --reason TEXT",
        "wait for the reports (`gonogo verify`), or give Go with "
        "--override-verification --reason TEXT",
    ),
    "no part": ("`{step}`: ingen del pågår; {where}", "`{step}`: no part is in progress; {where}"),
    "other part": (
        "`{step}`: del {current} ({id}) pågår, inte del {n}{done}; inget har gjorts",
        "`{step}`: part {current} ({id}) is in progress, not part {n}{done}; nothing was done",
    ),
    "part done": (" (del {n} fick {decision} {at} av {by})",
                  " (part {n} got {decision} at {at} by {by})"),
    "status sent": ("statusmeddelandet för del {n} skickades redan {at}",
                    "the status message for part {n} was already sent at {at}"),
    "no status message": (
        "runbooken har inget statusmeddelande för del {n} ({id}); inget har gjorts",
        "the runbook has no status message for part {n} ({id}); nothing was done",
    ),
    "status message how": (
        "en del skickar ett bara med `status_message: true` eller egna messages.status",
        "a part sends one only with `status_message: true` or its own messages.status",
    ),
}  # fmt: skip

# What needs a text (`require_reason`'s `what`), by its English; a command stays as typed.
WHAT = {
    "a Go over production verification": "en Go förbi produktionsverifieringen",
    "an incident": "en driftstörning",
    "an incident update": "en uppdatering av en driftstörning",
    "resolving an incident": "att åtgärda en driftstörning",
    "a disruption notice": "ett meddelande om kort störning",
    "setting a light": "att sätta ett trafikljus",
    "a verification report": "en återrapport",
    "settling deliveries in doubt": "att avgöra osäkra leveranser",
}

_NEXT_SV = {
    PLANNED: "nästa: `gonogo start RUNBOOK`",
    PARTS_DONE: "nästa: `gonogo end`",
    ROLLING_BACK: "nästa: `gonogo rollback-done` när tillbakarullningen är klar",
    COMPLETED: due_text("sv", "next nothing"),
    ROLLED_BACK: due_text("sv", "next nothing"),
}


def words_of(runbook: Runbook) -> str:
    """The refusals' language for `runbook`: its own where there is a catalogue, else "en"."""
    return language_of(runbook.release.language)


def refusal(language: str, key: str, **fields: object) -> str:
    """The refusal `key` in `language` ("sv" or "en", see `words_of`)."""
    return pick(language, key, REFUSALS, **fields)


def what(language: str, english: str) -> str:
    """What needs a text, in `language`; a command (`cancel`) as typed."""
    return WHAT.get(english, english) if language == "sv" else english


def said_where(language: str, runbook: Runbook, night: Night) -> str:
    """Where the night stands: the status screen's words in Swedish, `describe`'s in English."""
    return where(language, runbook, night) if language == "sv" else describe(runbook, night)


def said_next(language: str, night: Night) -> str:
    """The hint of a refused step of the window: `next_step` in the refusal's language."""
    if language != "sv":
        return next_step(night)
    current = night.current_part
    if current is not None:
        return "nästa: " + due_text("sv", "next go", (("part", current),))
    return _NEXT_SV.get(night.state, "se `gonogo status`")


def blocked(language: str, runbook: Runbook, night: Night) -> str | None:
    """Why the gated part cannot get Go yet (`Verification.blocker`), in `language`."""
    english = night.verification.blocker(runbook)
    if english is None or language != "sv" or runbook.verification is None:
        return english
    reports = night.verification.reports
    failed = [p for p, r in reports.items() if r.result == "fail"]
    names = failed or [p for p in runbook.verification.participants if p not in reports]
    said = ", ".join(participant_name(runbook, p) for p in names)
    key = "verification failed" if failed else "verification waiting"
    return MESSAGES[key][0].format(names=said)
