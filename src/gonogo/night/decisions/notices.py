"""Advance notices: which are due, and what `announce` sends (pure; see decisions/)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.errors import TransitionError
from gonogo.night.decisions import Caution, Context, Decision, Send
from gonogo.night.decisions.refusal_words import refusal, words_of
from gonogo.night.dispatch import values_for
from gonogo.night.entries import Announced, Kind, NewEntry
from gonogo.night.machine import Effect
from gonogo.night.notices import NoticeSent
from gonogo.night.snapshot import Dispatch, Night
from gonogo.render.send_words import language_of, word
from gonogo.runbook.events import Event
from gonogo.runbook.model import Notice
from gonogo.runbook.notices import late_after, moment, notice_values

SENT, DUE, LATE, COMING, PASSED = "sent", "due", "late", "coming", "passed"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class NoticeState:
    """Where one notice stands now: sent, due, late (due long ago), coming, or passed."""

    notice: Notice
    moment: dt.datetime
    status: str
    sent: NoticeSent | None = None
    dispatches: tuple[Dispatch, ...] = ()

    @property
    def recipients(self) -> int:
        return sum(d.recipients for d in self.dispatches)


def schedule(ctx: Context, night: Night) -> list[NoticeState]:
    """Every notice of the runbook in the order they fall due.

    A notice counts as sent only for the window it named: after the window moves it is
    due again. Once the window has opened, or its start has passed, none is due.
    """
    start = ctx.plan.window_start
    out = []
    for notice in sorted(ctx.runbook.notices, key=lambda n: -n.before):
        at = moment(ctx.plan, notice)
        sent = night.notices.get(notice.id)
        mine: tuple[Dispatch, ...] = ()
        if sent is not None:
            mine = tuple(
                d for d in night.dispatches if d.notice == notice.id and d.cause == sent.seq
            )
        if sent is not None and sent.window_start == start:
            status = SENT
        elif night.window.cancelled is not None:
            status = CANCELLED
        elif night.started or ctx.now >= start:
            status = PASSED
        elif ctx.now < at:
            status = COMING
        elif ctx.now - at > late_after(notice):
            status = LATE
        else:
            status = DUE
        out.append(NoticeState(notice, at, status, sent, mine))
    return out


def decide_announce(ctx: Context, night: Night, *, send_late: bool) -> Decision | None:
    """Send every notice that is due and not yet sent; late ones only on `send_late`.

    `--yes` answers the confirmation a send asks for, but a notice long past its moment
    ("in an hour" at a quarter to eleven) is a different question: only `--send-late`
    says yes to it, so a timer with `--yes` never sends one.
    """
    if not ctx.runbook.notices:
        lang = words_of(ctx.runbook)
        raise TransitionError(refusal(lang, "no notices"), hint=refusal(lang, "add notices"))
    states = schedule(ctx, night)
    due = [s for s in states if s.status == DUE]
    late = [s for s in states if s.status == LATE] if send_late else []
    if not due and not late:
        return None
    ids = tuple(s.notice.id for s in [*late, *due])
    values = notice_values(ctx.runbook, ctx.plan)
    sends = tuple(
        Send(effect, values_for(ctx.runbook, effect, ctx.now, ctx.local(ctx.now), values))
        for effect in (Effect(Event.NOTICE, notice=i) for i in ids)
    )
    lang = language_of(ctx.runbook.release.language)
    cautions = tuple(
        Caution(
            word(
                lang,
                "notice late",
                id=s.notice.id,
                ago=_ago(lang, ctx.now - s.moment),
                at=f"{ctx.local(s.moment):%Y-%m-%d %H:%M}",
            ),
            word(lang, "send late", id=s.notice.id),
            lang,
        )
        for s in late
    )
    payload = Announced(ids, ctx.plan.window_start.isoformat(), tuple(s.notice.id for s in late))
    return Decision(NewEntry(Kind.ANNOUNCE, payload), sends, cautions)


def notes(ctx: Context, states: list[NoticeState], *, send_late: bool) -> list[str]:
    """What the operator should know besides what goes out: skipped late notices, the next."""
    lines = []
    lang = language_of(ctx.runbook.release.language)
    if not send_late:
        for s in states:
            if s.status == LATE:
                lines.append(word(lang, "not late", id=s.notice.id,
                                  ago=_ago(lang, ctx.now - s.moment)))  # fmt: skip
    coming = [s for s in states if s.status == COMING]
    if coming:
        first = coming[0]
        at = f"{ctx.local(first.moment):%Y-%m-%d %H:%M}"
        lines.append(word(lang, "next notice", id=first.notice.id, at=at))
    elif not any(s.status in (DUE, LATE) for s in states):
        lines.append(word(lang, "no notice"))
    return lines


def _ago(language: str, delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 48 * 60:
        return word(language, "days", n=minutes // 1440)
    if minutes >= 120:
        return word(language, "hours", n=minutes // 60)
    return word(language, "minutes", n=minutes)
