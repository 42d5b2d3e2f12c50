"""Delivery receipts as the journal has them: delivered to the phone, or never."""

from __future__ import annotations

from dataclasses import dataclass

from gonogo.night.entries import Entry, Receipts

DELIVERED, UNDELIVERED = "delivered", "undelivered"


@dataclass(frozen=True)
class Receipt:
    status: str  # DELIVERED or UNDELIVERED
    code: str = ""  # Twilio's error code, for an undelivered one


def apply_receipts(found: dict[int, Receipt], entry: Entry) -> None:
    """Fold one entry into `found` (delivery id -> latest receipt)."""
    payload = entry.payload
    if not isinstance(payload, Receipts):
        return
    for delivery in payload.delivered:
        found[delivery] = Receipt(DELIVERED)
    for delivery, code in zip(payload.undelivered, payload.codes, strict=False):
        found[delivery] = Receipt(UNDELIVERED, code)
