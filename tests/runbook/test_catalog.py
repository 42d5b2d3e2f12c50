"""Which message an event sends, and which text of it a recipient gets."""

from __future__ import annotations

from typing import Any

import pytest

from gonogo.runbook.catalog import (
    base_values,
    iter_messages,
    message_for,
    sample_values,
    texts_for,
)
from gonogo.runbook.events import PLACEHOLDERS, Event
from gonogo.runbook.model import EmailText, Message, Runbook


def email(subject: str) -> dict[str, str]:
    return {"subject": subject, "body": f"{subject} body"}


# Every level of variant: audience+language, language only, audience only, base.
MESSAGE = Message.model_validate(
    {
        "audiences": ["vard", "apotek", "intern"],
        "sms": "base",
        "email": email("base"),
        "variants": [
            {"audience": "vard", "sms": "vard"},
            {"language": "en", "sms": "en", "email": email("en")},
            {"audience": "vard", "language": "en", "sms": "vard+en"},
            {"audience": "apotek", "email": email("apotek")},
            {"audience": "apotek", "language": "sv", "sms": "apotek+sv"},
        ],
    }
)


@pytest.mark.parametrize(
    ("audience", "language", "sms", "subject"),
    [
        # audience+language beats language beats audience beats base, per channel:
        ("vard", "en", "vard+en", "en"),
        ("vard", "sv", "vard", "base"),
        ("vard", None, "vard", "base"),  # no language: the runbook's default (sv)
        ("vard", "fi", "vard", "base"),  # a language without texts: the default's
        ("apotek", "sv", "apotek+sv", "apotek"),
        ("apotek", None, "apotek+sv", "apotek"),
        ("apotek", "en", "en", "en"),
        ("intern", "en", "en", "en"),
        ("intern", "sv", "base", "base"),
        ("intern", None, "base", "base"),
    ],
)
def test_variant_choice_order(audience: str, language: str | None, sms: str, subject: str) -> None:
    texts = texts_for(MESSAGE, audience, language, "sv")
    assert texts.sms == sms
    assert texts.email is not None
    assert texts.email.subject == subject


def test_english_default_language() -> None:
    # With `en` as the runbook's language, a recipient without one gets the en texts.
    texts = texts_for(MESSAGE, "intern", None, "en")
    assert (texts.sms, texts.email) == ("en", EmailText(subject="en", body="en body"))


def test_a_channel_without_any_text() -> None:
    sms_only = Message.model_validate({"audiences": ["vard"], "sms": "hej"})
    texts = texts_for(sms_only, "vard", "sv", "sv")
    assert (texts.sms, texts.email) == ("hej", None)


def runbook(**messages: Any) -> Runbook:
    part_two_own = messages.pop("part_two_own", None)
    parts: list[dict[str, Any]] = [
        {"id": "one", "title": "Ett", "start": "23:00", "duration": "1h", "owner": "T"},
        {"id": "two", "title": "Två", "start": "00:00", "duration": "1h", "owner": "T"},
    ]
    if part_two_own is not None:
        parts[1]["messages"] = {"completed": part_two_own}
    return Runbook.model_validate(
        {
            "format": 1,
            "release": {
                "id": "21.0",
                "title": "Release 21.0",
                "kind": "external",
                "version_package": "21",
                "timezone": "Europe/Stockholm",
            },
            "window": {"date": "2021-11-27", "start": "23:00", "end": "07:00", "rollback": "1h"},
            "audiences": {"drift": {"name": "Drift"}},
            "parts": parts,
            "messages": messages,
        }
    )


SHARED = {"audiences": ["drift"], "sms": "Del {part_number} klar."}
OWN = {"audiences": ["drift"], "sms": "Sista delen klar."}


def test_message_for_prefers_the_parts_own() -> None:
    book = runbook(part_completed=SHARED, part_two_own=OWN)
    first = message_for(book, Event.PART_COMPLETED, 1)
    second = message_for(book, Event.PART_COMPLETED, 2)
    assert first is not None
    assert second is not None
    assert (first.message.sms, first.path, first.part_number) == (
        SHARED["sms"],
        ("messages", "part_completed"),
        None,
    )
    assert (second.message.sms, second.path, second.part_number) == (
        OWN["sms"],
        ("parts", 1, "messages", "completed"),
        2,
    )


def test_message_for_without_any() -> None:
    book = runbook(part_two_own=OWN)
    assert message_for(book, Event.PART_COMPLETED, 1) is None
    assert message_for(book, Event.WINDOW_STARTED) is None


def test_iter_messages_shared_first_then_parts_own() -> None:
    book = runbook(window_started=OWN, part_completed=SHARED, part_two_own=OWN)
    assert [(m.event, m.path) for m in iter_messages(book)] == [
        (Event.WINDOW_STARTED, ("messages", "window_started")),
        (Event.PART_COMPLETED, ("messages", "part_completed")),
        (Event.PART_COMPLETED, ("parts", 1, "messages", "completed")),
    ]


def test_base_values_come_from_the_runbook() -> None:
    assert base_values(runbook()) == {
        "release": "21.0",
        "release_title": "Release 21.0",
        "version_package": "21",
        "window_date": "2021-11-27",
        "window_start": "23:00",
        "window_end": "07:00",
        "part_count": "2",
    }


def test_sample_values_use_the_part() -> None:
    values = sample_values(runbook(), Event.PART_COMPLETED, 2)
    assert (values["part_number"], values["part_id"], values["part_title"]) == ("2", "two", "Två")
    assert set(values) == set(PLACEHOLDERS[Event.PART_COMPLETED])


@pytest.mark.parametrize("event", list(Event))
def test_sample_values_fill_every_placeholder_of_the_event(event: Event) -> None:
    assert set(sample_values(runbook(), event, None)) == set(PLACEHOLDERS[event])
