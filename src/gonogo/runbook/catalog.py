"""Which message a runbook has for each event, and which text a recipient gets."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import NamedTuple

from gonogo.runbook.events import COMMON, PLACEHOLDERS, Event
from gonogo.runbook.marks import DocPath
from gonogo.runbook.model import EmailText, Message, Runbook, Variant
from gonogo.runbook.notices import notice_values
from gonogo.runbook.timeline import LocalTimeError, timeline

_PART_EVENTS = {Event.PART_STATUS: "status", Event.PART_COMPLETED: "completed"}


class Located(NamedTuple):
    """A message of the runbook and where it is written."""

    event: Event
    path: DocPath
    message: Message
    part_number: int | None = None  # set for a part's own override
    notice: str | None = None  # set for an advance notice: its id


def iter_messages(runbook: Runbook) -> Iterator[Located]:
    """Every message written in the runbook, shared ones first, then parts' own."""
    for event in Event:
        message = getattr(runbook.messages, event.value, None)
        if message is not None:
            yield Located(event, ("messages", event.value), message)
    for index, part in enumerate(runbook.parts):
        for event, key in _PART_EVENTS.items():
            own = getattr(part.messages, key)
            if own is not None:
                yield Located(event, ("parts", index, "messages", key), own, index + 1)
    for index, notice in enumerate(runbook.notices):
        yield Located(Event.NOTICE, ("notices", index), notice, notice=notice.id)


def notice_for(runbook: Runbook, notice_id: str) -> Located | None:
    """An advance notice's message, by its id."""
    for index, notice in enumerate(runbook.notices):
        if notice.id == notice_id:
            return Located(Event.NOTICE, ("notices", index), notice, notice=notice.id)
    return None


def message_for(runbook: Runbook, event: Event, part_number: int | None = None) -> Located | None:
    """The message an event sends: a part's own override, else the shared one."""
    if part_number is not None and event in _PART_EVENTS:
        own = getattr(runbook.parts[part_number - 1].messages, _PART_EVENTS[event])
        if own is not None:
            path = ("parts", part_number - 1, "messages", _PART_EVENTS[event])
            return Located(event, path, own, part_number)
    shared = getattr(runbook.messages, event.value, None)
    return Located(event, ("messages", event.value), shared) if shared is not None else None


class Texts(NamedTuple):
    sms: str | None
    email: EmailText | None


def texts_for(message: Message, audience: str, language: str | None, default: str) -> Texts:
    """The most specific text per channel: audience+language, language, audience, base.

    Variants without a language are in the runbook's default language, so a recipient
    whose language has no text of its own gets the default language's.
    """
    language = language or default
    ranked: list[Variant | Message] = []
    ranked += [v for v in message.variants if v.audience == audience and v.language == language]
    ranked += [v for v in message.variants if v.audience is None and v.language == language]
    ranked += [v for v in message.variants if v.audience == audience and v.language is None]
    ranked.append(message)
    sms = next((c.sms for c in ranked if c.sms is not None), None)
    email = next((c.email for c in ranked if c.email is not None), None)
    return Texts(sms, email)


def sample_values(runbook: Runbook, event: Event, part_number: int | None) -> dict[str, str]:
    """Values for rendering a message without a night: the runbook's own where it has them."""
    values = {name: sample for name, (_meaning, sample) in PLACEHOLDERS[event].items()}
    values.update(base_values(runbook))
    if event in (Event.NOTICE, Event.WINDOW_MOVED, Event.WINDOW_CANCELLED, Event.WINDOW_EXTENDED):
        # A time the clocks skip is reported by the time checks; the samples stay.
        with contextlib.suppress(LocalTimeError):
            values.update(notice_values(runbook, timeline(runbook)))
    if "part_number" in values:
        number = part_number or 1
        part = runbook.parts[number - 1]
        values.update(part_number=str(number), part_id=part.id, part_title=part.title)
    return {k: v for k, v in values.items() if k in PLACEHOLDERS[event]}


def base_values(runbook: Runbook) -> dict[str, str]:
    """The placeholders every event has that come from the runbook itself."""
    window = runbook.window
    values = {
        "release": runbook.release.id,
        "release_title": runbook.release.title,
        "version_package": runbook.release.version_package,
        "window_date": window.date.isoformat(),
        "window_start": window.start.strftime("%H:%M"),
        "window_end": window.end.strftime("%H:%M"),
        "part_count": str(len(runbook.parts)),
    }
    return {k: v for k, v in values.items() if k in COMMON}
