"""What `gonogo run` (the guided night) says and asks, Swedish and English: the runbook's
language, English for any other, as the status screen and the report.

A sibling of render/status_words.py and render/words.py: where they say the same thing
(a hold, a part, a rehearsal, a colour) their words are used. Commands, options, ids and
the values a command takes (`start`, `ok`) stay as one types them. Error messages of
the commands `run` carries out stay English, as everywhere.
"""

from __future__ import annotations

from gonogo.cli.answers import confirmed
from gonogo.render.words import LANGUAGES, MESSAGES, language_of, pick

__all__ = ["KEYS", "answers", "confirm", "help_text", "language_of", "said", "shown"]

# The keys are the same letters in every language; what they do is said in its own.
KEYS = tuple("gonhpvediurxlfs?q")

# key: (Swedish, English). `{name}` fields are filled in where it is said.
RUN: dict[str, tuple[str, str]] = {
    "key g": ("Go", "Go"),
    "key o": ("Go trots ofullständig verifiering", "Go over verification"),
    "key n": ("NoGo", "NoGo"),
    "key h": (MESSAGES["hold"][0], "hold"),
    "key p": ("statusmeddelande", "progress message"),
    "key v": ("verifiering", "verification"),
    "key e": ("avsluta servicefönstret", "end"),
    "key d": (MESSAGES["rollback completed"][0], "rollback done"),
    "key i": ("ny driftstörning", "open incident"),
    "key u": ("uppdatera driftstörning", "update incident"),
    "key r": ("driftstörning åtgärdad", "resolve incident"),
    "key x": ("kort störning", "disruption"),
    "key l": ("sätt trafikljus", "set a light"),
    "key f": ("skicka om misslyckade", "retry failed"),
    "key s": ("status", "status"),
    "key ?": ("tangenterna", "keys"),
    "key q": ("sluta", "quit"),
    "keys": ("Tangenter: {keys}.", "Keys: {keys}."),
    "or a command": (
        "Eller skriv ett gonogo-kommando som i skalet: `go 1`, `verify dalarna ok`, `deliveries`.",
        "Or type any gonogo command as on the shell: `go 1`, `verify dalarna ok`, `deliveries`.",
    ),
    "no key": (
        "Ingen tangent '{typed}'; `?` visar tangenterna.",
        "No key '{typed}'; `?` lists the keys.",
    ),
    "type something": ("Skriv något (Ctrl-C avbryter).", "Please type something (Ctrl-C to stop)."),
    "not one of": (
        "'{answer}' är inte något av {options}; försök igen (Ctrl-C avbryter).",
        "'{answer}' is not one of {options}; again (Ctrl-C to stop).",
    ),
    # The questions of a key.
    "part": (MESSAGES["part"][0], "Part"),
    "reason override": (
        "Skäl till Go utan fullständig verifiering",
        "Reason for Go without complete verification",
    ),
    "reason": ("Skäl", "Reason"),
    "participant": (
        "Deltagare (id, organisation eller system), eller `start`",
        "Participant (id, organisation or system), or `start`",
    ),
    "result": ("Resultat ({options})", "Result"),
    "note": ("Anteckning", "Note"),
    "incident id": ("Driftstörningens id", "Incident id"),
    "summary": ("Sammanfattning", "Summary"),
    "closing summary": (
        "Sammanfattning (Enter: samma som när den öppnades)",
        "Summary (Enter: the opening one)",
    ),
    "service": ("Tjänst", "Service"),
    "colour": ("Färg ({options})", "Colour"),
    "priority": ("Prioritet (1-5)", "Priority (1-5)"),
    "services": ("Tjänster (kommaseparerade)", "Services (comma separated)"),
    # The night's own questions and last words.
    "no run yet": (
        "Ingen {run} av {release} än. Öppna servicefönstret nu?",
        "No {run} of {release} yet. Open the window now?",
    ),
    "a rehearsal": (MESSAGES["rehearsal"][0], "rehearsal"),
    "a run": ("körning", "run"),
    "not from inside": (
        "`{command}` går inte inifrån den guidade natten: avsluta den först (`q`)",
        "`{command}` from inside the guided night: quit first",
    ),
    "dropped": (
        "steget hoppades över; inget journalfördes eller skickades för det",
        "the step in hand is dropped; nothing was journaled or sent for it",
    ),
    "interrupted in a step": (
        "avbrutet; inget journalfördes eller skickades för steget, `gonogo status` visar "
        "var natten står",
        "interrupted; nothing was journaled or sent for the step in hand, the night stands "
        "as `gonogo status` shows",
    ),
    "interrupted at the prompt": (
        "avbrutet; inget pågick, `gonogo status` visar var natten står",
        "interrupted; nothing was in progress, the night stands as `gonogo status` shows",
    ),
    "interrupted": (
        "avbrutet; `gonogo status` visar var natten står",
        "interrupted; the night stands as `gonogo status` shows",
    ),
    # A command's own (English) error on one line, where the night stands on the next.
    "stopped": (
        "{message}\ngonogo: `gonogo status` visar var natten står",
        "{message}; the night stands as `gonogo status` shows",
    ),
}

COLOURS = ("green", "yellow", "red")


def said(language: str, key: str, **fields: object) -> str:
    return pick(language, key, RUN, **fields)


def help_text(language: str) -> str:
    keys = ", ".join(f"{k} = {said(language, f'key {k}')}" for k in KEYS)
    return said(language, "keys", keys=keys) + "\n" + said(language, "or a command")


def shown(language: str, options: tuple[str, ...]) -> list[str]:
    """A question's choices as the operator reads them: a colour in the runbook's words."""
    index = LANGUAGES.index(language)
    return [MESSAGES[o][index] if o in COLOURS else o for o in options]


def answers(language: str, options: tuple[str, ...]) -> dict[str, str]:
    """What the operator may type for each of `options`: the option itself as the
    command takes it, and the word it is shown as."""
    return {o: o for o in options} | dict(zip(shown(language, options), options, strict=True))


def confirm(language: str, question: str) -> bool:
    """A yes/no question of the night itself (default no): `[j/N]` in Swedish, where j/ja
    and y/yes are yes; `[y/N]` in English as ever. Ctrl-D is no; Ctrl-C stops `run`."""
    return confirmed(question, language)
