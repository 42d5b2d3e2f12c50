"""Delivery receipts: which changes Twilio's statuses make to the journal (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gonogo.night.decisions import Decision
from gonogo.night.entries import Kind, NewEntry, Receipts
from gonogo.night.journal import Delivery
from gonogo.night.receipts import DELIVERED, UNDELIVERED, Receipt
from gonogo.night.snapshot import Night
from gonogo.render.send_words import word

# Twilio's statuses of a Message that will never reach the phone.
_NEVER = frozenset({"undelivered", "failed", "canceled"})


def decide_receipts(
    night: Night,
    sent: Iterable[Delivery],
    listed: Mapping[str, tuple[str, str | None]],
    language: str = "en",
) -> Decision | None:
    """Journal each sent SMS whose receipt changed; None if nothing did (safe to repeat).

    `listed` is Twilio's SID -> (status, error code). A Message still `queued`, `sending`
    or `sent` has no receipt yet and changes nothing. The note is in `language` (a
    catalogue language, see render/send_words.py).
    """
    delivered: list[int] = []
    undelivered: list[tuple[int, str]] = []
    for delivery in sent:
        sid = delivery.provider_id
        if delivery.channel != "sms" or sid is None or sid not in listed:
            continue
        status, code = listed[sid]
        if status == "delivered":
            new = Receipt(DELIVERED)
        elif status in _NEVER:
            new = Receipt(UNDELIVERED, code or "")
        else:
            continue
        if night.receipts.get(delivery.id) == new:
            continue
        if new.status == DELIVERED:
            delivered.append(delivery.id)
        else:
            undelivered.append((delivery.id, new.code))
    if not delivered and not undelivered:
        return None
    payload = Receipts(
        tuple(delivered), tuple(d for d, _ in undelivered), tuple(c for _, c in undelivered)
    )
    note = word(language, "receipts journaled", delivered=len(delivered),
                undelivered=len(undelivered))  # fmt: skip
    return Decision(NewEntry(Kind.RECEIPTS, payload), note=note)
