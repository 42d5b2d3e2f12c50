"""From a transition's effect to the deliveries it makes: who gets which text on which channel."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from gonogo.errors import RunbookError
from gonogo.night.journal import NewDelivery
from gonogo.night.machine import Effect
from gonogo.night.rows import Addressee, Rows, Text
from gonogo.night.steady import held_for
from gonogo.runbook.catalog import (
    Located,
    base_values,
    message_for,
    notice_for,
    texts_for,
)
from gonogo.runbook.check_cache import checked_recipients
from gonogo.runbook.diagnostics import RecipientProblem
from gonogo.runbook.message_model import Message
from gonogo.runbook.model import EmailText, Runbook
from gonogo.runbook.recipients import Recipient, dedupe
from gonogo.runbook.template import render

CHANNELS: tuple[Literal["sms", "email"], ...] = ("sms", "email")


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
    for who in addressees(runbook, base, message, audiences):
        channel, audience, language = which = who[:3]
        if which not in rendered:  # one rendered text per audience and language
            texts = texts_for(message, audience, language, default)
            rendered[which] = _render_for(channel, texts.sms, texts.email, values)
        text = rendered[which]
        assert text is not None  # addressees() keeps only those with a text
        rows.add((channel, audience, language, text[0], text[1]), who)
    if message.press is not None:
        subject, body = render(message.press.subject, values), render(message.press.body, values)
        for audience, language, address, name in press_addressees(runbook, base):
            if not audiences or audience in audiences:
                press = ("email", audience, language, subject, body)
                rows.add(press, ("email", audience, language, address, name))
    validity = runbook.sms_validity(message)
    any_sms = any(text[0] == "sms" for text in rows.texts)
    seconds = int(validity.total_seconds()) if validity and any_sms else None
    return PlannedDispatch(effect, located, values, rows, incident, seconds)


def addressees(
    runbook: Runbook, base: Path, message: Message, audiences: tuple[str, ...] = ()
) -> list[Addressee]:
    """Who gets `message` on which channel, in which language: each address once per
    channel, in the order of the message's audiences; none where its language has no
    text for the channel. Under `stand_ins()`, the first of each (channel, audience,
    language) only."""
    default = runbook.release.language

    def has_text(channel: str, audience: str, language: str) -> bool:
        texts = texts_for(message, audience, language, default)
        return (texts.sms if channel == "sms" else texts.email) is not None

    cache = _STAND_INS.get()
    if cache is None:
        return _addressees(runbook, base, tuple(message.audiences), audiences, has_text)
    # What the result depends on: the audiences, and which of their languages have a
    # text on each channel. Messages alike in those (most are) share one plan.
    texts = tuple((c, a, lang, has_text(c, a, lang)) for a in message.audiences
                  for lang in _languages(cache, runbook, base, a) for c in CHANNELS)  # fmt: skip
    key = ("addressees", base, tuple(message.audiences), audiences, texts)
    return held_for(cache, runbook, key, lambda: _first_of_each(
        _addressees(runbook, base, tuple(message.audiences), audiences, has_text), 3))  # fmt: skip


def _languages(cache: dict[Any, Any], runbook: Runbook, base: Path, audience: str) -> list[str]:
    """The languages of an audience's recipients, each once (kept in `cache`)."""
    default = runbook.release.language
    return held_for(cache, runbook, ("languages", base, audience), lambda: list(dict.fromkeys(
        p.language or default for p in audience_recipients(runbook, base, audience))))  # fmt: skip


def _addressees(
    runbook: Runbook,
    base: Path,
    message_audiences: tuple[str, ...],
    audiences: tuple[str, ...],
    has_text: Callable[[str, str, str], bool],
) -> list[Addressee]:
    default = runbook.release.language
    out: list[Addressee] = []
    known: dict[tuple[str, str, str], bool] = {}
    for channel in CHANNELS:
        seen: set[str] = set()
        for audience in message_audiences:
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
                if which not in known:
                    known[which] = has_text(*which)
                if not known[which]:
                    continue
                out.append((channel, audience, language, address, person.name))
                seen.add(str(key))
    return out


def press_addressees(runbook: Runbook, base: Path) -> list[tuple[str, str, str, str]]:
    """(audience, language, e-mail, name) of everyone a press statement goes to, by
    e-mail to every press audience (see the runbook docs); under `stand_ins()`, the first
    of each audience and language."""
    cache = _STAND_INS.get()
    if cache is not None:
        return held_for(cache, runbook, ("press", base),
                        lambda: _first_of_each(_press_rows(runbook, base), 2))  # fmt: skip
    return _press_rows(runbook, base)


def _press_rows(runbook: Runbook, base: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    seen: set[str] = set()
    for name, audience in runbook.audiences.items():
        if not audience.press:
            continue
        for person in dedupe(audience_recipients(runbook, base, name), "email"):
            if person.email is None or person.email in seen:
                continue
            seen.add(person.email)
            rows.append((name, person.language or runbook.release.language, person.email,
                         person.name))  # fmt: skip
    return rows


_Row = TypeVar("_Row", bound=tuple[str, ...])


def _first_of_each(rows: list[_Row], width: int) -> list[_Row]:
    """The first row of each distinct prefix of `width` fields, in their order."""
    kept: dict[tuple[str, ...], _Row] = {}
    for row in rows:
        kept.setdefault(row[:width], row)
    return list(kept.values())


# Set inside `stand_ins()`: each planned text's addressees, reduced, by what they depend on.
_STAND_INS: ContextVar[dict[tuple[object, ...], tuple[Any, ...]] | None] = ContextVar(
    "stand_ins", default=None
)


@contextmanager
def stand_ins() -> Iterator[None]:
    """Plan every text for one stand-in recipient per channel, audience and language.

    For rehearsing every path (`rehearse --all-paths`): which texts reach which
    audiences is exactly what the whole recipients lists give (each list is planned in
    full once, with the same deduplication), while each of the path's dispatches
    journals, writes and checks a few rows instead of one per recipient. The recipients
    files must not change inside it: their plans are kept for its duration.
    """
    token = _STAND_INS.set({})
    try:
        yield
    finally:
        _STAND_INS.reset(token)


def _render_for(
    channel: str, sms: str | None, email: EmailText | None, values: dict[str, str]
) -> tuple[str | None, str] | None:
    """(subject, body) of `channel`'s text, or None where the message has none for it."""
    if channel == "sms":
        return None if sms is None else (None, render(sms, values))
    return None if email is None else (render(email.subject, values), render(email.body, values))
