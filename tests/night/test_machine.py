"""The Go/NoGo machine: every trigger from every state."""

from __future__ import annotations

import pytest
from transitions import MachineError

from gonogo.night.machine import Effect, MachineModel, build_machine, part_of, part_state
from gonogo.runbook.events import Event

PARTS = 5
TRIGGERS = ("start", "go", "nogo", "hold", "progress", "rollback_done", "end")
STATES = ["planned", *(part_state(n) for n in range(1, PARTS + 1)), "parts_done", "completed",
          "rolling_back", "rolled_back"]  # fmt: skip


def _expected(state: str, trigger: str) -> tuple[str, list[Effect]] | None:
    """Where `trigger` leads from `state` and what it sends; None if not allowed."""
    part = part_of(state)
    if state == "planned" and trigger == "start":
        return part_state(1), [Effect(Event.WINDOW_STARTED)]
    if part is not None:
        after = part_state(part + 1) if part < PARTS else "parts_done"
        return {
            "go": (after, [Effect(Event.PART_COMPLETED, part)]),
            "nogo": ("rolling_back", [Effect(Event.ROLLBACK_STARTED, part)]),
            "hold": (state, []),
            "progress": (state, [Effect(Event.PART_STATUS, part)]),
        }.get(trigger)
    if state == "parts_done" and trigger == "end":
        return "completed", [Effect(Event.WINDOW_COMPLETED)]
    if state == "rolling_back" and trigger == "rollback_done":
        return "rolled_back", [Effect(Event.ROLLBACK_COMPLETED)]
    return None


def _night(state: str) -> MachineModel:
    night = MachineModel(part_count=PARTS, state=state)
    build_machine(night)
    return night


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_every_trigger_from_every_state(state: str, trigger: str) -> None:
    night = _night(state)
    assert night.state == state
    assert night.take_effects() == []  # restoring a state runs no callbacks
    expected = _expected(state, trigger)
    if expected is None:
        with pytest.raises(MachineError):
            night.fire(trigger)
        assert night.state == state
        assert night.take_effects() == []
        return
    assert night.fire(trigger) is True
    assert (night.state, night.take_effects()) == expected


def test_a_closed_gate_refuses_go_and_changes_nothing() -> None:
    night = _night(part_state(5))
    asked: list[int] = []

    def gate(part: int) -> bool:
        asked.append(part)
        return False

    night.may_pass_gate = gate
    assert night.fire("go") is False
    assert (night.state, night.take_effects(), asked) == (part_state(5), [], [5])
    assert night.fire("nogo") is True  # NoGo needs no verification
    assert night.state == "rolling_back"


def test_the_whole_night_in_order() -> None:
    night = _night("planned")
    for trigger in ["start", "progress", *["go"] * PARTS, "end"]:
        night.fire(trigger)
    assert night.state == "completed"


def test_no_auto_transitions() -> None:
    night = _night("planned")
    assert not hasattr(night, "to_completed")


@pytest.mark.parametrize("count", [1, 2, 9])
def test_any_number_of_parts(count: int) -> None:
    night = MachineModel(part_count=count)
    build_machine(night)
    night.fire("start")
    for number in range(1, count + 1):
        assert night.current_part == number
        night.fire("go")
    assert night.state == "parts_done"
    assert [e.part for e in night.take_effects()] == [None, *range(1, count + 1)]
