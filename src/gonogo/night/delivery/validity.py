"""How long Twilio may hold each dispatch's SMS: journaled with the dispatch.

A resumed or retried send uses the seconds journaled when the dispatch was decided,
not what the runbook says now, counted from that moment: a late send gets what is
left of the period, and none once it has passed (the SMS is then not sent). Journals
from before they were journaled fall back to the runbook's `channels.sms.validity`, so
every SMS still carries one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from gonogo.night.entries import Dispatched, Kind
from gonogo.night.journal import Delivery, Journal
from gonogo.runbook.model import Runbook


@dataclass(frozen=True)
class Validity:
    """How long one dispatch's SMS stay worth sending: `seconds` from `decided`."""

    seconds: int
    decided: dt.datetime

    def left(self, now: dt.datetime) -> int:
        """Seconds still to give Twilio at `now`: the whole period on time; what is left
        of it on a late send (a resume after a crash); 0 once it has passed, when the
        SMS is not sent at all ("the window starts now" at 09:00 is worse than nothing)."""
        remaining = self.seconds - (now - self.decided).total_seconds()
        return max(0, min(self.seconds, math.ceil(remaining)))


def sms_validities(
    journal: Journal, rows: Iterable[Delivery], runbook: Runbook
) -> dict[int, Validity]:
    """Dispatch seq -> its SMS validity (Twilio's ValidityPeriod), for the SMS rows."""
    wanted = {row.dispatch for row in rows if row.channel == "sms"}
    if not wanted:
        return {}
    dispatches = {
        entry.seq: entry
        for entry in journal.entries()
        if entry.seq in wanted
        and entry.kind == Kind.DISPATCH
        and isinstance(entry.payload, Dispatched)
    }
    sms = runbook.channels.sms
    fallback = int(sms.validity.total_seconds()) if sms is not None else None
    out: dict[int, Validity] = {}
    for seq, entry in dispatches.items():
        assert isinstance(entry.payload, Dispatched)
        seconds = entry.payload.sms_validity or fallback
        if seconds is not None:
            out[seq] = Validity(seconds, entry.at)
    return out
