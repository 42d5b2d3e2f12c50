"""How a run's journaled rows go out: live to the providers, or to the dry run's outbox."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from gonogo.night.journal import Delivery, Journal, Status, pages
from gonogo.night.runs import Run
from gonogo.night.session import Session
from gonogo.night.snapshot import Night, dispatch_labels


class Transport(Protocol):
    """Delivers journaled rows and journals each one's outcome."""

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None: ...


def transport_for(run: Run, session: Session, night: Night | None = None) -> Transport:
    """Live sending, or the dry run's outbox (which alone needs the dispatches' labels:
    from `night`, or read from the entries; nothing is folded before a live fan-out)."""
    if run.dry_run:
        from gonogo.night.delivery.outbox import Outbox  # noqa: PLC0415

        if night is None:
            names = dispatch_labels(run.journal.entries())
        else:
            names = {d.seq: d.label for d in night.dispatches}
        return Outbox(run.outbox, lambda seq: names.get(seq, "message"))
    from gonogo.night.delivery.live import LiveTransport  # noqa: PLC0415

    return LiveTransport(run.runbook, progress=session.progress)


def deliver_pending(
    transport: Transport, journal: Journal, dispatch: int, now: dt.datetime
) -> None:
    """Every row of `dispatch` not yet tried. The outbox takes them a page at a time, so
    a rehearsal to 100,000 never holds them all."""
    from gonogo.night.delivery.outbox import Outbox  # noqa: PLC0415

    if isinstance(transport, Outbox):
        transport.deliver_pages(journal, pages(journal, dispatch=dispatch,
                                               statuses=(Status.PENDING,)), now)  # fmt: skip
        return
    rows = journal.deliveries(dispatch=dispatch, statuses=(Status.PENDING,))
    if rows:
        transport.deliver(journal, rows, now)
