"""Forgiving names: what a tired operator types, matched to the runbook's parts and people.

Parts by number, id or title; verification participants by id, organisation or system;
any case. A near miss is refused with a "did you mean"; so is an empty or blank text
(a reason, summary or note), which would otherwise go out in a message or the journal.
"""

from __future__ import annotations

import difflib
import re

from gonogo.errors import TransitionError
from gonogo.night.decisions.refusal_words import refusal, what, words_of
from gonogo.runbook.model import Runbook


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _suggest(ref: str, names: list[str], lang: str = "en") -> str:
    close = difflib.get_close_matches(_key(ref), [_key(n) for n in names], n=1, cutoff=0.6)
    if not close:
        return ""
    original = next(n for n in names if _key(n) == close[0])
    return refusal(lang, "did you mean", name=original)


def find_part(runbook: Runbook, ref: str) -> int:
    """The number of the part `ref` names (number, id or title, any case)."""
    key = _key(ref)
    for number, part in enumerate(runbook.parts, start=1):
        if key in (str(number), _key(part.id), _key(part.title)):
            return number
    names = [p.id for p in runbook.parts] + [p.title for p in runbook.parts]
    parts = ", ".join(f"{n} ({p.id})" for n, p in enumerate(runbook.parts, 1))
    lang = words_of(runbook)
    suggest = _suggest(ref, names, lang)
    raise TransitionError(refusal(lang, "unknown part", ref=ref, suggest=suggest, parts=parts))


def find_participant(runbook: Runbook, ref: str) -> str:
    """The id of the verification participant `ref` names: id, organisation or system,
    any case; an organisation may drop a leading word ("Dalarna" for "Region Dalarna")."""
    spec, lang = runbook.verification, words_of(runbook)
    if spec is None:
        raise TransitionError(refusal(lang, "no verification"))
    key = _key(ref)
    for pid in spec.participants:
        if key == _key(pid):
            return pid
    by_name = [
        pid
        for pid, p in spec.participants.items()
        if key in (_key(p.organisation), _key(f"{p.organisation} {p.system}"))
        or _key(p.organisation).endswith(" " + key)
        or key == _key(f"{p.organisation}/{p.system}")
    ]
    if len(by_name) == 1:
        return by_name[0]
    by_system = [pid for pid, p in spec.participants.items() if key == _key(p.system)]
    found = by_name or by_system
    if len(found) == 1:
        return found[0]
    known = ", ".join(spec.participants)
    if found:
        raise TransitionError(
            refusal(lang, "several participants", ref=ref, n=len(found), found=", ".join(found))
        )
    names = list(spec.participants)
    names += [p.organisation for p in spec.participants.values()]
    suggest = _suggest(ref, names, lang)
    raise TransitionError(
        refusal(lang, "unknown participant", ref=ref, suggest=suggest, known=known)
    )


def require_reason(
    reason: str | None, what_: str, option: str = "--reason", lang: str = "en"
) -> str:
    """The operator's text (reason, summary, note), stripped; an empty or blank one is
    refused, and so is one with a control character (`_control_character`). Every text an
    operator gives goes through here or `optional_text`. `lang`: the refusal's language."""
    if reason is None or not reason.strip():
        said = what(lang, what_)
        raise TransitionError(refusal(lang, "empty text", what=said, option=option))
    return _printable(reason.strip(), what_, option, lang)


def optional_text(text: str | None, what_: str, option: str, lang: str = "en") -> str | None:
    """An optional text: None when not given, else refused like `require_reason` if blank
    (a blank one given on purpose is a slip, not a wish to leave it out)."""
    if text is not None and not text.strip():
        said = what(lang, what_)
        raise TransitionError(refusal(lang, "blank text", what=said, option=option))
    return None if text is None else _printable(text.strip(), what_, option, lang)


# Terminal controls (ESC sequences, BEL, CR, DEL, C1): journaled, they would recolour,
# retitle or overwrite the screens of everyone who reads the night later (status, log).
# A tab and a line break are text.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _control_character(text: str, lang: str = "en") -> str | None:
    """The first terminal control character in `text`, described ("U+001B at 3"), or None."""
    found = _CONTROL.search(text)
    if found is None:
        return None
    return refusal(lang, "at position", code=f"U+{ord(found.group()):04X}", n=found.start() + 1)


def _printable(text: str, what_: str, option: str, lang: str) -> str:
    where = _control_character(text, lang)
    if where is not None:
        said = what(lang, what_)
        raise TransitionError(
            refusal(lang, "control character", what=said, option=option, where=where)
        )
    return text
