"""Advance notices as pure decisions: which are due, sent once, late only when asked."""

from __future__ import annotations

import datetime as dt

import pytest

from gonogo.errors import TransitionError
from gonogo.night.decisions import Context
from gonogo.night.decisions.notices import decide_announce, notes, schedule
from gonogo.night.entries import Announced, Kind
from gonogo.night.machine import Effect
from gonogo.runbook.events import Event

from ..entries import T0, entry
from .nights import PLAN, RUNBOOK, night

HOUR = 60
DAY = 24 * HOUR
START = T0.isoformat()


def at(minutes_before: float) -> Context:
    """The context `minutes_before` the window's planned start (23:00 on 27 November)."""
    return Context(RUNBOOK, PLAN, T0 - dt.timedelta(minutes=minutes_before))


def sent(*ids: str, minute: float = -8 * DAY, start: str = START) -> object:
    return entry("announce", minute, {"notices": list(ids), "window_start": start})


def statuses(ctx: Context, *entries: object) -> dict[str, str]:
    return {s.notice.id: s.status for s in schedule(ctx, night(*entries))}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("minutes_before", "expected"),
    [
        (8 * DAY, {"vecka": "coming", "dygn": "coming", "timme": "coming"}),
        (7 * DAY, {"vecka": "due", "dygn": "coming", "timme": "coming"}),
        (6 * DAY, {"vecka": "late", "dygn": "coming", "timme": "coming"}),
        (DAY - 10, {"vecka": "late", "dygn": "due", "timme": "coming"}),
        (HOUR - 14, {"vecka": "late", "dygn": "late", "timme": "due"}),
        (HOUR - 16, {"vecka": "late", "dygn": "late", "timme": "late"}),
        (0, {"vecka": "passed", "dygn": "passed", "timme": "passed"}),
    ],
)
def test_schedule_against_the_clock(minutes_before: float, expected: dict[str, str]) -> None:
    assert statuses(at(minutes_before)) == expected


def test_a_notice_sent_for_this_window_is_sent() -> None:
    assert statuses(at(DAY - 10), sent("vecka"))["vecka"] == "sent"


def test_a_notice_sent_for_another_start_is_due_again() -> None:
    earlier = (T0 - dt.timedelta(days=7)).isoformat()
    assert statuses(at(DAY - 10), sent("dygn", start=earlier))["dygn"] == "due"


def test_once_the_window_opened_nothing_is_due() -> None:
    opened = entry("start", -10)  # opened early
    assert set(statuses(at(5), opened).values()) == {"passed"}


def test_announce_sends_what_is_due_once() -> None:
    decision = decide_announce(at(DAY - 10), night(), send_late=False)
    assert decision is not None
    assert decision.entry.kind == Kind.ANNOUNCE
    assert decision.entry.payload == Announced(("dygn",), START)
    assert [s.effect for s in decision.sends] == [Effect(Event.NOTICE, notice="dygn")]
    values = decision.sends[0].values
    assert values["window_day"] == "lördag 27 november"
    assert values["window_start"] == "23:00"
    assert values["time"] == "23:10"  # 22:50 UTC the day before, in Stockholm
    assert decision.cautions == ()
    assert decide_announce(at(DAY - 20), night(sent("dygn", minute=-DAY)), send_late=False) is None


def test_a_late_notice_goes_out_only_when_asked_and_after_a_caution() -> None:
    ctx = at(DAY - 10)
    decision = decide_announce(ctx, night(), send_late=True)
    assert decision is not None
    assert decision.entry.payload == Announced(("vecka", "dygn"), START, ("vecka",))
    [caution] = decision.cautions
    assert caution.warning == (
        "Aviseringen vecka skulle ha gått ut för 6 dagar sedan (2021-11-20 23:00); den "
        "skulle gå ut sent."
    )
    assert caution.question == "Skicka aviseringen vecka sent ändå?"
    lines = notes(ctx, schedule(ctx, night()), send_late=False)
    assert lines == [
        "Aviseringen vecka skulle ha gått ut för 6 dagar sedan och skickas inte sent utan "
        "att fråga: `gonogo announce RUNBOOK --send-late` skickar den.",
        "Nästa avisering: timme 2021-11-27 22:00.",
    ]


def test_nothing_due_says_what_comes_next() -> None:
    ctx = at(8 * DAY)
    assert decide_announce(ctx, night(), send_late=True) is None
    assert notes(ctx, schedule(ctx, night()), send_late=False) == [
        "Nästa avisering: vecka 2021-11-20 23:00."
    ]


def test_a_runbook_without_notices_is_refused() -> None:
    bare = RUNBOOK.model_copy(update={"notices": []})
    with pytest.raises(
        TransitionError, match="runbooken har inga förhandsaviseringar; inget har skickats"
    ):
        decide_announce(Context(bare, PLAN, T0), night(), send_late=False)
