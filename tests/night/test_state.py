"""Replaying the journal: the state and the actuals of every part."""

from __future__ import annotations

import datetime as dt

import pytest

from gonogo.errors import StateError
from gonogo.night.journal import Event
from gonogo.night.state import replay

T0 = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)


def _events(*specs: tuple[str, int | None, str | None]) -> list[Event]:
    return [
        Event(seq, T0 + dt.timedelta(minutes=10 * seq), f"op{seq}", kind, part, reason, {}, "sha")
        for seq, (kind, part, reason) in enumerate(specs, start=1)
    ]


def test_replay_of_a_night_with_a_hold_and_a_nogo() -> None:
    events = _events(
        ("start", None, None),
        ("dispatch", None, None),
        ("progress", 1, None),
        ("hold", 1, "väntar"),
        ("go", 1, None),
        ("hold", 2, "långsam migrering"),
        ("nogo", 2, "fel i migreringen"),
        ("runbook_change_accepted", None, None),
        ("rollback_done", None, None),
    )
    state, night = replay(events, 5)
    assert state.state == night.state == "rolled_back"
    assert state.outcome == "rolled back"
    assert state.opened == events[0].at
    assert state.closed == events[-1].at
    part1, part2, part3 = state.parts[1], state.parts[2], state.parts[3]
    assert (part1.started, part1.ended, part1.decision, part1.decided_by) == (
        events[0].at, events[4].at, "go", "op5",
    )  # fmt: skip
    assert part1.status_sent == events[2].at
    assert (part2.started, part2.decision, part2.reason) == (
        events[4].at,
        "nogo",
        "fel i migreringen",
    )
    assert part3.started is None
    assert state.holds == []  # a decision ends the part's hold
    assert night.take_effects() == []  # replay sends nothing


def test_open_hold_is_shown_until_the_decision() -> None:
    state, _ = replay(_events(("start", None, None), ("hold", 1, "väntar")), 5)
    assert [(h.part, h.by, h.reason) for h in state.holds] == [(1, "op2", "väntar")]
    assert state.current_part == 1
    assert state.outcome is None


def test_replayed_night_takes_the_next_trigger() -> None:
    _state, night = replay(_events(("start", None, None), ("go", 1, None)), 5)
    night.fire("go")
    assert night.state == "part_3"


@pytest.mark.parametrize(
    "kinds", [["go"], ["start", "start"], ["start", "end"], ["start", "rollback_done"]]
)
def test_a_journal_that_does_not_fit_the_machine_is_an_error(kinds: list[str]) -> None:
    with pytest.raises(StateError, match="does not fit state"):
        replay(_events(*((k, None, None) for k in kinds)), 5)


def test_replay_ignores_what_is_not_a_decision() -> None:
    state, _ = replay(_events(("dispatch", None, None), ("lights", None, None)), 5)
    assert state.state == "planned"
