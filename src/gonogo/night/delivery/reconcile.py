"""Finishing dispatches a crash or an interrupt left unfinished, before anything else.

Pending rows are sent. SMS rows in flight are reconciled with Twilio first: a Message
to that number since the dispatch began that no other row accounts for means the row
was sent. E-mail rows in flight cannot be checked from here: the operator chooses to
resend them or to leave them in doubt, to settle after reading the mail server's log.
"""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

from gonogo.night.delivery.transport import transport_for
from gonogo.night.journal import Delivery, Mark, Status
from gonogo.night.runs import Run
from gonogo.night.session import Session
from gonogo.night.snapshot import Night

SETTLE_HINT = (
    "check the mail server's log, then `gonogo deliveries settle --resend` or "
    "`gonogo deliveries settle --mark-sent --reason TEXT`"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def finish_interrupted(run: Run, night: Night, session: Session) -> set[int]:
    """Finish every dispatch with rows pending or in flight; returns the dispatches."""
    unfinished = [d for d in night.problems if d.status in (Status.PENDING, Status.IN_FLIGHT)]
    if not unfinished:
        return set()
    dispatches = {d.dispatch for d in unfinished}
    pending = [d for d in unfinished if d.status == Status.PENDING]
    flying = [d for d in unfinished if d.status == Status.IN_FLIGHT]
    session.show(
        f"Finishing {len(unfinished)} deliveries of {len(dispatches)} interrupted dispatch(es) "
        f"before anything else: {len(pending)} not yet tried, {len(flying)} in flight."
    )
    if run.dry_run:
        # Writing an outbox file twice is harmless: in-flight rows are simply written again.
        transport_for(run, night, session).deliver(run.journal, unfinished, session.clock.now())
        return dispatches
    started = {d.seq: d.at for d in night.dispatches}
    again = _reconcile_sms(run, started, [d for d in flying if d.channel == "sms"], session)
    again += _decide_email(run, [d for d in flying if d.channel == "email"], session)
    if again:
        run.journal.mark_many([Mark(d.id, Status.PENDING, reason="resent after a crash")
                               for d in again], _now())  # fmt: skip
    if pending or again:
        fresh = run.journal.deliveries(statuses=(Status.PENDING,))
        transport_for(run, night, session).deliver(run.journal, fresh, _now())
    return dispatches


def _reconcile_sms(
    run: Run, started: dict[int, dt.datetime], rows: list[Delivery], session: Session
) -> list[Delivery]:
    """Rows Twilio has a Message for are marked sent; the others are returned to resend."""
    if not rows:
        return []
    from gonogo.night.delivery.live import LiveTransport  # noqa: PLC0415
    from gonogo.notify.sms import TwilioSms  # noqa: PLC0415

    transport = LiveTransport(run.runbook, progress=False)
    transport.check({"sms"})
    sms = transport.channel("sms")
    assert isinstance(sms, TwilioSms)
    journal = run.journal
    # A Message another row already accounts for is not this row's: without this, the
    # previous dispatch's SMS to the same number (sent within the minute of slack, or
    # just before) would mark this one sent and the recipient would silently miss it.
    known = {d.provider_id for d in journal.deliveries(statuses=(Status.SENT,)) if d.provider_id}
    rows = sorted(rows, key=lambda d: d.id)

    def look(row: Delivery) -> list[str]:
        since = started.get(row.dispatch, _now() - dt.timedelta(days=1))
        return sms.sent_to(row.address, since - dt.timedelta(minutes=1))

    # One list call per row, made concurrently as the sends are.
    workers = transport.concurrency("sms")
    try:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconcile") as pool:
            listed = list(pool.map(look, rows))
    finally:
        transport.close()
    found: list[Mark] = []
    again: list[Delivery] = []
    for row, sids in zip(rows, listed, strict=True):
        mine = [sid for sid in sids if sid not in known]
        if mine:
            sid = mine[-1]  # newest first: the oldest unclaimed one belongs to the oldest row
            known.add(sid)
            found.append(Mark(row.id, Status.SENT, sid, None, "reconciled with Twilio"))
        else:
            again.append(row)
    journal.mark_many(found, _now())
    session.show(
        f"{len(rows)} SMS were in flight: {len(found)} had reached Twilio, "
        f"{len(again)} are sent now."
    )
    return again


def _decide_email(run: Run, rows: list[Delivery], session: Session) -> list[Delivery]:
    if not rows:
        return []
    question = (
        f"{len(rows)} e-mail(s) were in flight when the command stopped and may have gone "
        "out. Send them again? (no: they stay in doubt until you settle them)"
    )
    if session.decide(question, False):
        session.show(f"{len(rows)} e-mail(s) in doubt are sent again.")
        return rows
    run.journal.mark_many(
        [Mark(d.id, Status.IN_DOUBT, None, "in-doubt", "in flight when the command stopped")
         for d in rows],
        _now(),
    )  # fmt: skip
    session.show(f"{len(rows)} e-mail(s) are in doubt: they may or may not have gone out; "
                 f"{SETTLE_HINT}.")  # fmt: skip
    return []
