"""A window moved, cancelled or extended, as pure decisions, and what the fold makes of it."""

from __future__ import annotations

import datetime as dt

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Context
from gonogo.night.decisions.changes import cancel, extend, reschedule
from gonogo.night.decisions.notices import schedule
from gonogo.night.entries import Empty, Extended, Kind, Rescheduled
from gonogo.night.machine import Effect
from gonogo.night.window_changes import adjusted
from gonogo.runbook.events import Event

from ..entries import T0, entry
from .nights import PLAN, RUNBOOK, context, english, journaled, night

DAY = 24 * 60
WEEK_SENT = entry("announce", -7 * DAY, {"notices": ["vecka"], "window_start": T0.isoformat()})
NEW_START = dt.datetime(2021, 12, 4, 22, 0, tzinfo=dt.UTC)  # 23:00 in Stockholm
NEW_END = dt.datetime(2021, 12, 5, 6, 0, tzinfo=dt.UTC)


def test_reschedule_tells_those_notified_and_rearms_the_notices() -> None:
    ctx = context(-6 * DAY)
    decision = reschedule(ctx, night(WEEK_SENT), dt.date(2021, 12, 4), None, None, "fel")
    assert decision.entry.kind == Kind.RESCHEDULE
    assert decision.entry.payload == Rescheduled(NEW_START.isoformat(), NEW_END.isoformat())
    assert decision.entry.reason == "fel"
    [send] = decision.sends
    assert send.effect == Effect(Event.WINDOW_MOVED)
    assert send.audiences == ("vard", "apotek", "intern")  # the week notice's audiences
    assert send.values["window_day"] == "lördag 4 december"
    assert send.values["previous_window"] == "lördag 27 november 23:00"
    assert send.values["reason"] == "fel"
    moved = night(WEEK_SENT, journaled(decision.entry, -6 * DAY))
    assert moved.window.start == NEW_START
    plan = adjusted(PLAN, moved.window)
    assert (plan.window_start, plan.window_end) == (NEW_START, NEW_END)
    assert plan.parts[0].start == NEW_START
    assert plan.point_of_no_return == NEW_END - RUNBOOK.window.rollback
    # The week notice is due again for the new window, a week before it.
    later = Context(RUNBOOK, plan, NEW_START - dt.timedelta(days=7))
    assert {s.notice.id: s.status for s in schedule(later, moved)}["vecka"] == "due"


def test_reschedule_before_any_notice_sends_nothing() -> None:
    decision = reschedule(context(-6 * DAY), night(), dt.date(2021, 12, 4), None, None, "fel")
    assert decision.sends == ()


@pytest.mark.parametrize(
    ("day", "start", "message"),
    [
        (dt.date(2021, 11, 1), None, "den nya starten 2021-11-01 23:00 har redan passerats"),
        (dt.date(2021, 11, 27), None, "servicefönstret ligger redan på den tiden"),
        (dt.date(2022, 3, 27), dt.time(2, 30), "does not exist in Europe/Stockholm"),
    ],
)
def test_reschedule_refusals(day: dt.date, start: dt.time | None, message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        reschedule(context(-6 * DAY), night(), day, start, None, "fel")


@pytest.mark.parametrize(
    ("end", "message"),
    [
        (dt.time(23), "the window 2021-12-04 23:00-23:00 does not fit the plan: the window "
                      "ends when it starts; nothing was changed"),
        (dt.time(23, 30), "the window 2021-12-04 23:00-23:30 does not fit the plan: part 1 "
                          "ends after the window's end 23:30 (and 5 more); nothing was changed"),
        (dt.time(4, 30), "the window 2021-12-04 23:00-04:30 does not fit the plan: part 5 "
                         "ends after the window's end 04:30; nothing was changed"),
    ],
)  # fmt: skip
def test_reschedule_refuses_a_window_validate_would_reject(end: dt.time, message: str) -> None:
    ctx = english(-6 * DAY)  # as always on an English runbook
    with pytest.raises(TransitionError) as refused:
        reschedule(ctx, night(WEEK_SENT), dt.date(2021, 12, 4), None, end, "fel")
    assert refused.value.message == message
    assert "give an --end that leaves room" in (refused.value.hint or "")


def test_reschedule_refuses_a_window_that_does_not_fit_in_swedish() -> None:
    with pytest.raises(TransitionError) as refused:
        reschedule(
            context(-6 * DAY), night(WEEK_SENT), dt.date(2021, 12, 4), None, dt.time(23, 30), "x"
        )
    # The rule broken is validate's, which stays English (as `gonogo validate` says it).
    assert refused.value.message == (
        "servicefönstret 2021-12-04 23:00-23:30 ryms inte i planen: part 1 ends after the "
        "window's end 23:30 (och 5 till); inget har ändrats"
    )
    assert refused.value.hint == (
        "delarna följer med starten och behåller sina längder; ange ett --end som ger plats "
        "för dem och tillbakarullningen"
    )


def test_reschedule_asks_when_the_rollback_no_longer_fits() -> None:
    decision = reschedule(
        context(-6 * DAY), night(WEEK_SENT), dt.date(2021, 12, 4), None, dt.time(6), "fel"
    )
    (caution,) = decision.cautions
    # 21.0 is Swedish; the detail is validate's, in its words.
    assert caution.warning == (
        "Varning: a NoGo at the last part leaves no room: its planned end plus the rollback "
        "(1h30m) is 45m past the window's end 06:00."
    )
    assert (caution.question, caution.language) == ("Flytta servicefönstret ändå?", "sv")
    # As planned (05:15 + 1h30m fits before 07:00), nothing to ask.
    assert (
        reschedule(context(-6 * DAY), night(), dt.date(2021, 12, 4), None, None, "fel").cautions
        == ()
    )


def test_after_opening_no_reschedule_or_cancel() -> None:
    opened = night(entry("start", 0))
    for decide in (
        lambda: reschedule(context(10), opened, dt.date(2021, 12, 4), None, None, "x"),
        lambda: cancel(context(10), opened, "x"),
    ):
        with pytest.raises(TransitionError, match=r"servicefönstret har öppnats; det kan inte"):
            decide()


def test_cancel() -> None:
    decision = cancel(context(-DAY), night(WEEK_SENT), "beslut")
    assert (decision.entry.kind, decision.entry.payload) == (Kind.CANCEL, Empty())
    [send] = decision.sends
    assert send.effect == Effect(Event.WINDOW_CANCELLED)
    cancelled = night(WEEK_SENT, journaled(decision.entry, -DAY))
    assert cancelled.window.cancelled == "beslut"
    statuses = {s.notice.id: s.status for s in schedule(context(-DAY + 10), cancelled)}
    assert statuses == {"vecka": "sent", "dygn": "cancelled", "timme": "cancelled"}
    with pytest.raises(
        TransitionError, match="servicefönstret är inställt; det kan inte ställas in"
    ):
        cancel(context(-DAY), cancelled, "igen")


def test_extend() -> None:
    opened = night(entry("start", 0))
    decision = extend(context(6 * 60), opened, dt.time(8, 30), "migreringen")
    new_end = dt.datetime(2021, 11, 28, 7, 30, tzinfo=dt.UTC)
    assert decision.entry.payload == Extended(new_end.isoformat(), PLAN.window_end.isoformat())
    [send] = decision.sends
    assert send.effect == Effect(Event.WINDOW_EXTENDED)
    assert send.audiences == ()  # the message's own audiences
    assert send.values["window_end"] == "08:30"
    extended = night(entry("start", 0), journaled(decision.entry, 6 * 60))
    assert extended.window.extended_end == new_end
    assert extended.window.announced_end == PLAN.window_end
    plan = adjusted(PLAN, extended.window)
    assert plan.window_end == new_end
    assert plan.point_of_no_return == new_end - RUNBOOK.window.rollback


@pytest.mark.parametrize(
    ("entries", "until", "message"),
    [
        ((), dt.time(8, 30), "servicefönstret är inte öppet; bara ett öppet servicefönster kan"),
        (
            (entry("start", 0),),
            dt.time(6, 30),
            "06:30 är inte senare än servicefönstrets slut 07:00; inget",
        ),
    ],
)
def test_extend_refusals(entries: tuple[object, ...], until: dt.time, message: str) -> None:
    with pytest.raises(TransitionError, match=message):
        extend(context(60), night(*entries), until, "x")  # type: ignore[arg-type]
