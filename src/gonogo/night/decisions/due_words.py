"""What is due and the next step, in words: Swedish and English, one catalogue.

`due_now` names each item by a key and its fields; `status --json` carries the English
(its `what` and `next` are a machine contract), the status screen the runbook's
language. The Swedish says what the report says (render/words.py) the same way.
"""

from __future__ import annotations

LANGUAGES = ("sv", "en")

# key: (Swedish, English). `{name}` fields are filled in from the item's fields.
DUE: dict[str, tuple[str, str]] = {
    "open window": ("öppna servicefönstret", "open the window"),
    "status message": (
        "statusmeddelande för del {part} (det går ut bara med `progress`)",
        "status message for part {part} (it goes out only with `progress`)",
    ),
    "decision waits": (
        "beslut om del {part}: Go väntar på produktionsverifieringen",
        "decision on part {part}: Go waits for production verification",
    ),
    "go or nogo": ("Go eller NoGo för del {part}", "Go or NoGo for part {part}"),
    "verify start": (
        "starta produktionsverifieringen (klartecknet)",
        "start production verification (the go-ahead)",
    ),
    "verify failed": (
        "{name} rapporterade fel: en ny återrapport, eller NoGo",
        "{name} reported a failure: a new report, or NoGo",
    ),
    "verify waiting": (
        "återrapporter som saknas ({n}): {names}",
        "reports still to come ({n}): {names}",
    ),
    "rollback end": (
        "tillbakarullningen ska bli klar (väntat slut)",
        "rollback to finish (expected end)",
    ),
    "end window": (
        "alla delar har fått Go: avsluta servicefönstret",
        "every part has had Go: end the window",
    ),
    "incident update": (
        "uppdatering om driftstörning {id} (P{priority})",
        "update on incident {id} (P{priority})",
    ),
    "failed": ("{n} misslyckade leveranser", "{n} failed deliveries"),
    "in doubt": ("{n} osäkra leveranser", "{n} deliveries in doubt"),
    "in doubt mail": (
        "{n} osäkra leveranser (se e-postserverns logg)",
        "{n} deliveries in doubt (check the mail server's log)",
    ),
    "pending": ("{n} leveranser ännu inte skickade", "{n} deliveries not yet sent"),
    # The one next step.
    "next go": (
        "`gonogo go {part}` eller `gonogo nogo {part} --reason ...`",
        "`gonogo go {part}` or `gonogo nogo {part} --reason ...`",
    ),
    "next verify start": (
        "`gonogo verify start`, eller `gonogo nogo {part} --reason ...`",
        "`gonogo verify start`, or `gonogo nogo {part} --reason ...`",
    ),
    "next reports": (
        "`gonogo verify PARTICIPANT ok|fail` allteftersom återrapporterna kommer, "
        "eller `gonogo nogo {part} --reason ...`",
        "`gonogo verify PARTICIPANT ok|fail` as the reports come in, "
        "or `gonogo nogo {part} --reason ...`",
    ),
    "next nothing": (
        "inget mer att göra; se `gonogo report` eller `gonogo log`",
        "nothing more to do; see `gonogo report` or `gonogo log`",
    ),
}


def due_text(language: str, key: str, fields: tuple[tuple[str, object], ...] = ()) -> str:
    """The item `key` in `language` (English for a language without a catalogue)."""
    text = DUE[key][LANGUAGES.index(language) if language in LANGUAGES else 1]
    return text.format(**dict(fields)) if fields else text
