"""`gonogo deliveries --refresh`: ask Twilio what became of the night's SMS, journal it."""

from __future__ import annotations

import datetime as dt
import os

from gonogo.night.decisions.receipts import decide_receipts
from gonogo.night.executor import Outcome, execute
from gonogo.night.journal import Delivery, Status
from gonogo.night.runs import locate, open_run, state_root
from gonogo.night.session import Session
from gonogo.render.send_words import language_of, word

# Twilio stamps date_sent when a Message leaves its queue, after we journaled it sent
# (a request's answer comes first); the margin covers clocks that disagree a little.
_MARGIN = dt.timedelta(minutes=10)


def refresh_receipts(session: Session) -> Outcome:
    """Journal the delivery receipts that changed since the last refresh.

    Safe to repeat (an unchanged status journals nothing) and to interrupt (nothing is
    journaled until the whole listing is in, then in one transaction under the lock).
    """
    run = open_run(locate(state_root(session.state_dir), session.release, session.dry_run))
    try:
        dry_run, sms_spec = run.dry_run, run.runbook.channels.sms
        lang = language_of(run.runbook.release.language)
        sent = [
            d for d in run.journal.deliveries(statuses=(Status.SENT,))
            if d.channel == "sms" and d.provider_id
        ]  # fmt: skip
    finally:
        run.close()
    if dry_run:
        session.show(word(lang, "no receipts rehearsal"))
        return Outcome()
    if not sent or sms_spec is None:
        session.show(word(lang, "no receipts yet"))
        return Outcome()
    listed = _listed(session, sms_spec.messaging_service_sid, sms_spec.sender, sent)
    return execute(session, lambda _ctx, night: decide_receipts(night, sent, listed, lang))


def _listed(
    session: Session, service: str | None, sender: str | None, sent: list[Delivery]
) -> dict[str, tuple[str, str | None]]:
    from gonogo.notify.receipts import statuses_since  # noqa: PLC0415  # twilio is slow
    from gonogo.notify.sms import TwilioSms  # noqa: PLC0415

    since = min(d.marked_at or session.clock.now() for d in sent) - _MARGIN
    sms = TwilioSms(messaging_service_sid=service, sender=sender, env=os.environ)
    try:
        found = statuses_since(sms, since)
    finally:
        sms.close()
    return {sid: (r.status, r.error_code) for sid, r in found.items()}
