"""Sending a journaled dispatch, and finishing one a crash interrupted."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from gonogo.night.journal import Delivery, Journal
from gonogo.night.run import Run

if TYPE_CHECKING:
    from gonogo.night.steps import Session


class Transport(Protocol):
    """Delivers journaled rows and journals each one's outcome."""

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None: ...


@dataclass
class DispatchReport:
    dispatch: int
    label: str
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, audience)
    failures: list[Delivery] = field(default_factory=list)
    in_doubt: list[Delivery] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)


def labels(journal: Journal) -> dict[int, str]:
    """dispatch seq -> e.g. "part_completed-part1", for outbox names and summaries."""
    found: dict[int, str] = {}
    for event in journal.events():
        if event.kind == "dispatch":
            name = str(event.data.get("event", "message"))
            if event.part is not None:
                name += f"-part{event.part}"
            incident = event.data.get("incident")
            if incident:
                name += f"-{incident}"
            found[event.seq] = name
    return found


def transport_for(run: Run, session: Session) -> Transport:
    if run.dry_run:
        from gonogo.notify.outbox import Outbox  # noqa: PLC0415

        names = labels(run.journal)
        return Outbox(run.outbox, lambda seq: names.get(seq, "message"))
    from gonogo.notify.live import LiveTransport  # noqa: PLC0415

    return LiveTransport(run.runbook, session)


def send_dispatch(run: Run, dispatch: int, session: Session) -> DispatchReport:
    """Send what is pending of one dispatch; report what went out and what failed."""
    journal = run.journal
    pending = journal.deliveries(dispatch=dispatch, statuses=("pending",))
    if pending:
        transport_for(run, session).deliver(journal, pending, session.clock.now())
    return report(run, dispatch)


def report(run: Run, dispatch: int) -> DispatchReport:
    result = DispatchReport(dispatch, labels(run.journal).get(dispatch, "message"))
    for d in run.journal.deliveries(dispatch=dispatch):
        if d.status == "sent":
            result.sent[(d.channel, d.audience)] += 1
        elif d.status == "failed":
            result.failures.append(d)
        elif d.status == "in_flight":
            result.in_doubt.append(d)
    return result


def finish_interrupted(run: Run, session: Session) -> list[DispatchReport]:
    """Finish every dispatch that has rows still pending or in flight (after a crash)."""
    unfinished = run.journal.deliveries(statuses=("pending", "in_flight"))
    if not unfinished:
        return []
    dispatches = sorted({d.dispatch for d in unfinished})
    session.show(
        f"Finishing {len(unfinished)} deliveries of {len(dispatches)} interrupted dispatch(es) "
        "before anything else."
    )
    if run.dry_run:
        # Writing an outbox file twice is harmless: in-flight rows are simply written again.
        transport_for(run, session).deliver(run.journal, unfinished, session.clock.now())
    else:
        from gonogo.notify.live import resume_live  # noqa: PLC0415

        resume_live(run, session, unfinished)
    return [report(run, d) for d in dispatches]
