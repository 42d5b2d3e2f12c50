"""From a transition's effect to the deliveries it makes: who gets which text on which channel."""

from __future__ import annotations

import datetime as dt
from array import array
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gonogo.errors import RunbookError
from gonogo.night.journal import NewDelivery
from gonogo.night.machine import Effect
from gonogo.runbook.catalog import (
    Located,
    base_values,
    message_for,
    notice_for,
    texts_for,
)
from gonogo.runbook.check_cache import checked_recipients
from gonogo.runbook.diagnostics import RecipientProblem
from gonogo.runbook.model import EmailText, Runbook
from gonogo.runbook.recipients import Recipient, dedupe
from gonogo.runbook.template import render

CHANNELS: tuple[Literal["sms", "email"], ...] = ("sms", "email")


# channel, audience, language, subject, body: one rendered text
Text = tuple[str, str, str, str | None, str]


class Rows(Collection[NewDelivery]):
    """A dispatch's rows, held as each recipient's reference and the number of its text:
    a dispatch to 100,000 keeps 100,000 references, its rows are made as they are read."""

    def __init__(self) -> None:
        self.texts: list[Text] = []
        self._number: dict[Text, int] = {}
        self._which = array("I")
        self._who: list[Recipient] = []
        self._counts: list[int] = []

    def add(self, text: Text, person: Recipient) -> None:
        number = self._number.get(text)
        if number is None:
            number = self._number[text] = len(self.texts)
            self.texts.append(text)
            self._counts.append(0)
        self._which.append(number)
        self._who.append(person)
        self._counts[number] += 1

    def tally(self) -> Counter[Text]:
        return Counter(dict(zip(self.texts, self._counts, strict=True)))

    def __iter__(self) -> Iterator[NewDelivery]:
        texts = self.texts
        for number, person in zip(self._which, self._who, strict=True):
            channel, audience, language, subject, body = texts[number]
            address = person.phone if channel == "sms" else person.email
            assert address is not None  # only recipients with the channel's address are added
            yield NewDelivery(channel, audience, address, person.name, language, subject, body)

    def __len__(self) -> int:
        return len(self._who)

    def __contains__(self, row: object) -> bool:
        return any(row == mine for mine in self)


@dataclass(frozen=True)
class PlannedDispatch:
    """What one effect sends, before anything is journaled."""

    effect: Effect
    located: Located | None
    values: dict[str, str]
    rows: Collection[NewDelivery] = field(default_factory=list)
    incident: str | None = None  # journaled with the dispatch
    sms_validity: int | None = None  # seconds Twilio may hold its SMS; journaled with it

    @property
    def silent(self) -> bool:
        return self.located is None or self.located.message.silent

    def counts(self) -> Counter[tuple[str, str]]:
        """Recipients per (channel, audience)."""
        return Counter((r.channel, r.audience) for r in self.rows)

    def tally(self) -> Counter[Text]:
        """Rows per text, in the order the texts first appear (without making the rows)."""
        if isinstance(self.rows, Rows):
            return self.rows.tally()
        return Counter((r.channel, r.audience, r.language, r.subject, r.body) for r in self.rows)


def values_for(
    runbook: Runbook,
    effect: Effect,
    now: dt.datetime,
    zone_now: dt.datetime,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The placeholder values of a live message."""
    values = base_values(runbook)
    values["time"] = zone_now.strftime("%H:%M")
    if effect.part is not None:
        part = runbook.parts[effect.part - 1]
        values |= {"part_number": str(effect.part), "part_id": part.id, "part_title": part.title}
    del now
    return values | (extra or {})


def _recipients_cached(path: Path) -> tuple[list[Recipient], list[RecipientProblem]]:
    # Parsing and validating thousands of numbers is the slow part of planning a dispatch;
    # shared with the runbook's check, so that `start` checks each file once.
    return checked_recipients(path, path.read_bytes())


def audience_recipients(runbook: Runbook, base: Path, audience: str) -> list[Recipient]:
    spec = runbook.audiences[audience]
    if spec.recipients is None:
        return []
    recipients, problems = _recipients_cached(base / spec.recipients)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        first = errors[0]
        msg = (
            f"{base / spec.recipients}:{first.line}:{first.column}: {first.message} "
            f"({len(errors)} error(s) in audience {audience}'s recipients)"
        )
        raise RunbookError(msg, hint="fix the file; nothing was sent")
    return recipients


def plan_dispatch(
    runbook: Runbook,
    base: Path,
    effect: Effect,
    values: dict[str, str],
    *,
    audiences: tuple[str, ...] = (),
    incident: str | None = None,
) -> PlannedDispatch:
    """Every delivery of one effect, deduplicated per channel across its audiences.

    `audiences` narrows the message's own audiences (an incident for pharmacies only);
    the press statement then reaches a press audience only if it is named too.
    """
    if effect.notice is not None:
        located = notice_for(runbook, effect.notice)
    else:
        located = message_for(runbook, effect.event, effect.part)
    if located is None or located.message.silent:
        return PlannedDispatch(effect, located, values, incident=incident)
    message = located.message
    default = runbook.release.language
    rows = Rows()
    rendered: dict[tuple[str, str, str], tuple[str | None, str] | None] = {}
    for channel in CHANNELS:
        seen: set[str] = set()
        for audience in message.audiences:
            if audiences and audience not in audiences:
                continue
            if channel == "sms" and runbook.audiences[audience].press:
                continue  # the press gets e-mail only
            for person in dedupe(audience_recipients(runbook, base, audience), channel):
                address = person.phone if channel == "sms" else person.email
                key = address.lower() if channel == "email" and address else address
                if address is None or key in seen:
                    continue
                language = person.language or default
                which = (channel, audience, language)
                if which not in rendered:  # one rendered text per audience and language
                    texts = texts_for(message, audience, language, default)
                    rendered[which] = _render_for(channel, texts.sms, texts.email, values)
                text = rendered[which]
                if text is None:
                    continue
                rows.add((channel, audience, language, text[0], text[1]), person)
                seen.add(str(key))
    _press_rows(rows, runbook, base, message.press, values, audiences)
    validity = runbook.sms_validity(message)
    any_sms = any(text[0] == "sms" for text in rows.texts)
    seconds = int(validity.total_seconds()) if validity and any_sms else None
    return PlannedDispatch(effect, located, values, rows, incident, seconds)


def _render_for(
    channel: str, sms: str | None, email: EmailText | None, values: dict[str, str]
) -> tuple[str | None, str] | None:
    """(subject, body) of `channel`'s text, or None where the message has none for it."""
    if channel == "sms":
        return None if sms is None else (None, render(sms, values))
    return None if email is None else (render(email.subject, values), render(email.body, values))


def _press_rows(
    rows: Rows,
    runbook: Runbook,
    base: Path,
    press: EmailText | None,
    values: dict[str, str],
    audiences: tuple[str, ...],
) -> None:
    """A message's press statement, by e-mail to every press audience (see the runbook
    docs), or to those of `audiences` where the send names some."""
    if press is None:
        return
    seen: set[str] = set()
    subject, body = render(press.subject, values), render(press.body, values)
    for name, audience in runbook.audiences.items():
        if not audience.press or (audiences and name not in audiences):
            continue
        for person in dedupe(audience_recipients(runbook, base, name), "email"):
            if person.email is None or person.email in seen:
                continue
            seen.add(person.email)
            language = person.language or runbook.release.language
            rows.add(("email", name, language, subject, body), person)
