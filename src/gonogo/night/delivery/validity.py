"""How long Twilio may hold each dispatch's SMS: journaled with the dispatch.

A resumed or retried send uses the seconds journaled when the dispatch was decided,
not what the runbook says now. Journals from before they were journaled fall back
to the runbook's `channels.sms.validity`, so every SMS still carries one.
"""

from __future__ import annotations

from collections.abc import Iterable

from gonogo.night.entries import Dispatched, Kind
from gonogo.night.journal import Delivery, Journal
from gonogo.runbook.model import Runbook


def sms_validities(journal: Journal, rows: Iterable[Delivery], runbook: Runbook) -> dict[int, int]:
    """Dispatch seq -> seconds (Twilio's ValidityPeriod), for the dispatches of SMS rows."""
    wanted = {row.dispatch for row in rows if row.channel == "sms"}
    if not wanted:
        return {}
    journaled = {
        entry.seq: entry.payload.sms_validity
        for entry in journal.entries()
        if entry.seq in wanted
        and entry.kind == Kind.DISPATCH
        and isinstance(entry.payload, Dispatched)
    }
    sms = runbook.channels.sms
    fallback = int(sms.validity.total_seconds()) if sms is not None else None
    out: dict[int, int] = {}
    for seq in wanted:
        seconds = journaled.get(seq) or fallback
        if seconds is not None:
            out[seq] = seconds
    return out
