"""How a run's journaled rows go out: live to the providers, or to the dry run's outbox."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from gonogo.night.journal import Delivery, Journal
from gonogo.night.runs import Run
from gonogo.night.session import Session
from gonogo.night.snapshot import Night


class Transport(Protocol):
    """Delivers journaled rows and journals each one's outcome."""

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None: ...


def transport_for(run: Run, night: Night, session: Session) -> Transport:
    if run.dry_run:
        from gonogo.night.delivery.outbox import Outbox  # noqa: PLC0415

        names = {d.seq: d.label for d in night.dispatches}
        return Outbox(run.outbox, lambda seq: names.get(seq, "message"))
    from gonogo.night.delivery.live import LiveTransport  # noqa: PLC0415

    return LiveTransport(run.runbook, progress=session.progress)
