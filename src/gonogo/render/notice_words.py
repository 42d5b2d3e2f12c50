"""The words of `gonogo announce --list` (the advance notices' schedule), Swedish and
English: the runbook's language, English for any other.

A sibling of words.py (the report's), status_words.py (the screen's) and send_words.py
(what `announce` itself says): where they say the same thing ("skickad", "mottagare",
"inställt") their words are used, so every screen says it the same way. The English is
what `--list` printed before it had a Swedish, unchanged, except for a notice sent for a
window that has since moved, which it used to call "coming" with the send run on.
Notice ids, times, time zones and options stay as they are.
"""

from __future__ import annotations

from gonogo.render.reading_words import READING
from gonogo.render.words import language_of, pick

__all__ = ["language_of", "notice_word"]

# key: (Swedish, English). `{name}` fields are filled in by render/notices.py.
NOTICE_WORDS: dict[str, tuple[str, str]] = {
    "window starts": ("Servicefönstret börjar {at} ({zone}).", "Window starts {at} ({zone})."),
    "before": ("{offset} före", "{offset} before"),
    # Where a notice stands (decisions/notices.py's statuses).
    "sent": READING["delivery sent"],
    "due": ("ska skickas nu", "due now"),
    "late": ("försenad (ej skickad; --send-late)", "late (not sent; --send-late)"),
    "coming": ("kommande", "coming"),
    "passed": ("ej skickad; servicefönstret har börjat", "not sent; the window has begun"),
    "cancelled": (
        "ej skickad; servicefönstret inställt",
        "not sent; the window is cancelled",
    ),
    # The same, for a notice that went out for the window before it moved.
    "due again": ("ska skickas igen nu", "due again now"),
    "late again": (
        "försenad (ej skickad igen; --send-late)",
        "late (not sent again; --send-late)",
    ),
    "coming again": ("kommande igen", "coming again"),
    "passed again": (
        "ej skickad igen; servicefönstret har börjat",
        "not sent again; the window has begun",
    ),
    "cancelled again": (
        "ej skickad igen; servicefönstret inställt",
        "not sent again; the window is cancelled",
    ),
    # When it went out: after "sent" for this window, on its own for the window before.
    "sent at": ("{at} av {by}, till {n} mottagare", "{at} by {by}, to {n} recipient(s)"),
    "sent earlier": (
        "skickad {at} av {by}, till {n} mottagare",
        "sent {at} by {by}, to {n} recipient(s)",
    ),
    "sent late": (" (försenad)", " (late)"),
    "window then": (
        "för servicefönstret då planerat till {at}",
        "for the window then at {at}",
    ),
}


def notice_word(language: str, key: str, **fields: object) -> str:
    """`key` in `language` (a catalogue language: see `language_of`)."""
    return pick(language, key, NOTICE_WORDS, **fields)
