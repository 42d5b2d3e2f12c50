"""retry_failed and settle: decisions on the deliveries the night has not sent."""

from __future__ import annotations

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution
from gonogo.night.decisions.deliveries import MARK_SENT, RESEND, retry_failed, settle
from gonogo.night.entries import Kind, NewEntry, Requeued
from gonogo.night.journal import Delivery, Mark, Status
from gonogo.night.snapshot import Night

from ..entries import entry
from .nights import night


def row(id_: int, status: Status, channel: str = "sms", audience: str = "vard") -> Delivery:
    address = f"+46701740{id_:03d}" if channel == "sms" else f"p{id_}@example.org"
    return Delivery(id_, 2, channel, audience, address, "", "sv", None, "Hej", status)


def with_problems(*rows: Delivery) -> Night:
    return night(entry("start", 0), problems=rows)


# -- retry_failed --------------------------------------------------------------------------


def test_retry_failed_without_failures_is_none() -> None:
    assert retry_failed(with_problems()) is None
    others = with_problems(
        row(1, Status.PENDING), row(2, Status.IN_DOUBT), row(3, Status.IN_FLIGHT)
    )
    assert retry_failed(others) is None


def test_retry_failed_puts_the_failed_back_to_pending() -> None:
    rows = (
        row(1, Status.FAILED),
        row(2, Status.IN_DOUBT, "email"),
        row(3, Status.FAILED, "email", "apotek"),
        row(4, Status.FAILED),
        row(5, Status.PENDING),
    )
    decision = retry_failed(with_problems(*rows))
    assert decision is not None
    assert decision.entry == NewEntry(Kind.RETRY, Requeued(3, "retry"))
    assert decision.marks == (
        Mark(1, Status.PENDING, reason="retry"),
        Mark(3, Status.PENDING, reason="retry"),
        Mark(4, Status.PENDING, reason="retry"),
    )
    assert decision.channels == frozenset({"sms", "email"})
    assert decision.sends == ()
    (caution,) = decision.cautions
    assert caution.warning == "  email apotek: 1 failed\n  sms vard: 2 failed"
    assert caution.question == "Try 3 failed deliveries again?"


# -- settle --------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_settle_needs_a_reason(reason: str) -> None:
    with pytest.raises(
        TransitionError, match="settling deliveries in doubt needs --reason TEXT, not an empty one"
    ):
        settle(with_problems(row(1, Status.IN_DOUBT, "email")), RESEND, reason)


def test_settle_without_rows_in_doubt_is_refused() -> None:
    nothing = with_problems(row(1, Status.FAILED), row(2, Status.PENDING))
    with pytest.raises(TransitionError, match="no delivery is in doubt; nothing was done"):
        settle(nothing, MARK_SENT, "loggen visar leverans")


def test_settle_resend_puts_rows_in_doubt_back_to_pending() -> None:
    rows = (
        row(1, Status.IN_DOUBT, "email"),
        row(2, Status.IN_FLIGHT, "email"),
        row(3, Status.FAILED),
    )
    decision = settle(with_problems(*rows), RESEND, "inget i loggen")
    assert decision.entry == NewEntry(
        Kind.SETTLED, Requeued(2, RESEND, (1, 2)), reason="inget i loggen"
    )
    assert decision.marks == (
        Mark(1, Status.PENDING, reason="resent: inget i loggen"),
        Mark(2, Status.PENDING, reason="resent: inget i loggen"),
    )
    assert decision.channels == frozenset({"email"})  # checked before anything is journaled
    (caution,) = decision.cautions
    assert caution == Caution("  email vard: 2 in doubt", "Send 2 deliveries in doubt again?")
    swedish = settle(with_problems(*rows), RESEND, "inget i loggen", "sv").cautions
    assert swedish == (
        Caution("  e-post vard: 2 osäkra", "Skicka 2 osäkra leveranser igen?", "sv"),
    )


def test_settle_mark_sent_records_them_sent_and_checks_no_channel() -> None:
    decision = settle(with_problems(row(7, Status.IN_DOUBT, "email")), MARK_SENT, "loggen: 250 OK")
    assert decision.entry == NewEntry(
        Kind.SETTLED, Requeued(1, MARK_SENT, (7,)), reason="loggen: 250 OK"
    )
    assert decision.marks == (
        Mark(7, Status.SENT, code="settled", reason="recorded as sent: loggen: 250 OK"),
    )
    assert decision.channels == frozenset()
    assert decision.cautions[0].question == "Record 1 deliveries in doubt as sent?"
    swedish = settle(with_problems(row(7, Status.IN_DOUBT, "email")), MARK_SENT, "ok", "sv")
    assert swedish.cautions[0].question == "Registrera 1 osäkra leveranser som skickade?"
    assert swedish.cautions[0].language == "sv"
