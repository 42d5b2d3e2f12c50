"""Delivery receipts as a pure decision: only changes are journaled."""

from __future__ import annotations

from gonogo.night.decisions.receipts import decide_receipts
from gonogo.night.entries import Kind, Receipts
from gonogo.night.journal import Delivery, Status
from gonogo.night.receipts import DELIVERED, UNDELIVERED, Receipt

from ..entries import entry
from .nights import journaled, night


def sms(delivery: int, sid: str | None) -> Delivery:
    return Delivery(delivery, 2, "sms", "vard", f"+4670174060{delivery}", "x", "sv", None,
                    "Hej", Status.SENT, sid)  # fmt: skip


SENT = [sms(1, "SM1"), sms(2, "SM2"), sms(3, "SM3"), sms(4, None)]


def test_statuses_become_receipts() -> None:
    listed = {"SM1": ("delivered", None), "SM2": ("undelivered", "30003"), "SM3": ("sent", None)}
    decision = decide_receipts(night(), SENT, listed)
    assert decision is not None
    assert decision.entry.kind == Kind.RECEIPTS
    assert decision.entry.payload == Receipts((1,), (2,), ("30003",))
    assert decision.sends == ()
    folded = night(entry("start", 0), journaled(decision.entry, 5))
    assert dict(folded.receipts) == {1: Receipt(DELIVERED), 2: Receipt(UNDELIVERED, "30003")}
    # The same statuses again: nothing to journal.
    assert decide_receipts(folded, SENT, listed) is None
    # A change is journaled; failed and canceled never arrive either.
    later = {"SM1": ("delivered", None), "SM2": ("delivered", None), "SM3": ("failed", "30008")}
    again = decide_receipts(folded, SENT, later)
    assert again is not None
    assert again.entry.payload == Receipts((2,), (3,), ("30008",))


def test_e_mail_and_unknown_sids_are_left_alone() -> None:
    mail = Delivery(9, 2, "email", "vard", "a@example.org", "x", "sv", "S", "B", Status.SENT, "id")
    assert decide_receipts(night(), [mail, sms(5, "SM5")], {"id": ("delivered", None)}) is None
