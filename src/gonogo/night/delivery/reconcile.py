"""Finishing dispatches a crash or an interrupt left unfinished, before anything else.

Pending rows are sent. SMS rows in flight are reconciled with Twilio first: a Message
to that number with the row's text since its request that no other row accounts for
means the row was sent; none means it was not, and it is sent now; where Twilio's list
cannot tell (see `notify/reconcile.py`), the row is left in doubt for the operator to
settle. E-mail rows in flight cannot be checked from here: the operator chooses to
resend them or to leave them in doubt, to settle after reading the mail server's log.
"""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

from gonogo.night.delivery.transport import transport_for
from gonogo.night.entries import Kind, NewEntry, Resumed
from gonogo.night.journal import Delivery, Mark, Status
from gonogo.night.runs import Run
from gonogo.night.session import Session
from gonogo.night.snapshot import Night
from gonogo.render.send_words import language_of, word

SETTLE_HINT = (
    "check the mail server's log (for an SMS, Twilio's message log), then "
    "`gonogo settle --resend --reason TEXT` or `gonogo settle --mark-sent --reason TEXT`"
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
    lang = language_of(run.runbook.release.language)
    session.show(word(lang, "finishing", n=len(unfinished), d=len(dispatches),
                      pending=len(pending), flying=len(flying)))  # fmt: skip
    # Who took over, and when: `log` shows it (the status marks carry no operator).
    resumed = Resumed(tuple(sorted(dispatches)), len(pending), len(flying))
    entry, sha = NewEntry(Kind.RESUMED, resumed), night.accepted_sha256
    with run.journal.transaction():
        run.journal.append(entry, at=session.clock.now(), operator=session.operator,
                           runbook_sha256=sha)  # fmt: skip
    if run.dry_run:
        # Writing an outbox file twice is harmless: in-flight rows are simply written again.
        transport_for(run, session, night).deliver(run.journal, unfinished, session.clock.now())
        return dispatches
    started = {d.seq: d.at for d in night.dispatches}
    sms = [d for d in flying if d.channel == "sms"]
    again = _reconcile_sms(run, started, sms, session, lang)
    again += _decide_email(run, [d for d in flying if d.channel == "email"], session, lang)
    if again:
        run.journal.mark_many([Mark(d.id, Status.PENDING, reason="resent after a crash")
                               for d in again], _now())  # fmt: skip
    if pending or again:
        fresh = run.journal.deliveries(statuses=(Status.PENDING,))
        transport_for(run, session, night).deliver(run.journal, fresh, _now())
    return dispatches


def _reconcile_sms(
    run: Run,
    started: dict[int, dt.datetime],
    rows: list[Delivery],
    session: Session,
    lang: str,
) -> list[Delivery]:
    """Rows Twilio has a Message for are marked sent; the others are returned to resend.

    Twilio is asked only once requests a killed command had on the wire can have
    landed. Then one list call (or a few pages) per number, without a date filter: a
    Message still in the sender's queue has no send date. A row is matched by number and
    body, created no earlier than its own in-flight mark (less the clocks' skew), each
    Message claimed for one row only and never one whose SID this run's journal holds
    (see `notify/reconcile.py`). A row the listing cannot settle is left in doubt.
    """
    if not rows:
        return []
    from gonogo.night.delivery.live import LiveTransport  # noqa: PLC0415
    from gonogo.notify.reconcile import (  # noqa: PLC0415
        InDoubtSms,
        ListedSms,
        earliest,
        match_in_doubt,
    )
    from gonogo.notify.sms import TwilioSms  # noqa: PLC0415

    transport = LiveTransport(run.runbook, progress=False)
    transport.check({"sms"})
    sms = transport.channel("sms")
    assert isinstance(sms, TwilioSms)
    _settle(rows, session, sms.timeout if session.settle is None else session.settle, lang)
    journal = run.journal
    # Messages any row of this run was ever journaled with are never another row's.
    known = journal.provider_ids({row.address for row in rows})
    # The in-flight mark journaled just before the request; a journal without one (it
    # cannot be) falls back to when the dispatch began, the earliest it can have been.
    asked = journal.requested_at([row.id for row in rows])
    day_ago = _now() - dt.timedelta(days=1)
    doubtful = [
        InDoubtSms(row.id, row.id, row.address, row.body,
                   asked.get(row.id) or started.get(row.dispatch, day_ago))
        for row in rows
    ]  # fmt: skip
    since: dict[str, dt.datetime] = {}
    for d in doubtful:
        since[d.to] = min(since.get(d.to, earliest(d)), earliest(d))

    def look(number: str) -> list[ListedSms]:
        return sms.messages_to(number, since[number])

    try:
        with ThreadPoolExecutor(
            max_workers=transport.concurrency("sms"), thread_name_prefix="reconcile"
        ) as pool:
            listed = [m for found in pool.map(look, sorted(since)) for m in found]
    finally:
        transport.close()
    matched = match_in_doubt(doubtful, listed, claimed=known)
    found = [
        Mark(row.id, Status.SENT, matched.found[row.id].sid, None, "reconciled with Twilio")
        for row in rows
        if row.id in matched.found
    ]
    unsure = [row for row in rows if row.id in matched.unsure]
    doubt = [
        Mark(row.id, Status.IN_DOUBT, None, "in-doubt", f"not settled by Twilio's list: "
             f"{matched.unsure[row.id]}")
        for row in unsure
    ]  # fmt: skip
    again = [row for row in rows if row.id not in matched.found and row.id not in matched.unsure]
    journal.mark_many([*found, *doubt], _now())
    # "Tried", not "sent": how the new tries end is the summary's to say.
    tried = word(lang, "tried again" if len(again) == 1 else "tried again plural")
    session.show(
        word(lang, "sms in flight", n=len(rows), found=len(found), again=len(again),
             unsure=word(lang, "sms unsure", n=len(unsure)) if unsure else "", tried=tried)
    )  # fmt: skip
    for row in unsure:
        session.show(word(lang, "sms in doubt line", audience=row.audience,
                          address=row.address, why=matched.unsure[row.id]))  # fmt: skip
    if unsure:
        session.show(word(lang, "sms in doubt", n=len(unsure), hint=SETTLE_HINT))
    return again


def _settle(rows: list[Delivery], session: Session, seconds: float, lang: str) -> None:
    """Wait until `seconds` have passed since the last of `rows` was marked in flight."""
    last = max((d.marked_at for d in rows if d.marked_at), default=None)
    if last is None or seconds <= 0:
        return
    left = seconds - (_now() - last).total_seconds()
    if left <= 0:
        return
    session.show(word(lang, "waiting", s=f"{left:.0f}"))
    deadline = time.monotonic() + left
    while (remaining := deadline - time.monotonic()) > 0:
        if remaining > 5:
            session.show(f"  {remaining:.0f} s ...")
        time.sleep(min(5.0, remaining))


def _decide_email(run: Run, rows: list[Delivery], session: Session, lang: str) -> list[Delivery]:
    if not rows:
        return []
    if session.decide(word(lang, "emails in flight", n=len(rows)), False, lang):
        session.show(word(lang, "emails again", n=len(rows)))
        return rows
    run.journal.mark_many(
        [Mark(d.id, Status.IN_DOUBT, None, "in-doubt", "in flight when the command stopped")
         for d in rows],
        _now(),
    )  # fmt: skip
    session.show(word(lang, "emails in doubt", n=len(rows), hint=SETTLE_HINT))
    return []
