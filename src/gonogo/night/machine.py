"""The Go/NoGo state machine, built with `transitions` from the runbook's parts.

States: planned -> part_1 ... part_N -> parts_done -> completed, and from any part a
NoGo to rolling_back -> rolled_back. The window is open in every part state. Messages
belong to transitions: each transition's `after` callback records an Effect, which the
caller dispatches when the step is live and drops when the journal is being replayed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from transitions import Machine, MachineError

from gonogo.runbook.events import Event

PLANNED = "planned"
PARTS_DONE = "parts_done"
COMPLETED = "completed"
ROLLING_BACK = "rolling_back"
ROLLED_BACK = "rolled_back"
TERMINAL = (COMPLETED, ROLLED_BACK)


def part_state(number: int) -> str:
    return f"part_{number}"


def part_of(state: str) -> int | None:
    """The part in progress in `state`, or None."""
    if state.startswith("part_") and state[5:].isdigit():
        return int(state[5:])
    return None


@dataclass(frozen=True)
class Effect:
    """A message a transition sends: its event and, for part events, the part number."""

    event: Event
    part: int | None = None
    notice: str | None = None  # an advance notice's id (Event.NOTICE)


@dataclass
class MachineModel:
    """The machine's model. No attribute may share a trigger's name (it would not bind)."""

    part_count: int
    may_pass_gate: Callable[[int], bool] = field(default=lambda _part: True)
    effects: list[Effect] = field(default_factory=list)
    state: str = PLANNED
    machine: Machine | None = field(default=None, repr=False, compare=False)  # build_machine

    @property
    def current_part(self) -> int | None:
        return part_of(self.state)

    # --- guards -------------------------------------------------------------------
    def gate_open(self, event: Any) -> bool:
        part = self.current_part
        return part is None or self.may_pass_gate(part)

    # --- effects ------------------------------------------------------------------
    def _emit(self, event: Event, part: int | None = None) -> None:
        self.effects.append(Effect(event, part))

    def on_window_started(self, event: Any) -> None:
        self._emit(Event.WINDOW_STARTED)

    def on_part_status(self, event: Any) -> None:
        self._emit(Event.PART_STATUS, self.current_part)

    def on_part_completed(self, event: Any) -> None:
        self._emit(Event.PART_COMPLETED, part_of(event.transition.source))

    def on_rollback_started(self, event: Any) -> None:
        self._emit(Event.ROLLBACK_STARTED, part_of(event.transition.source))

    def on_rollback_completed(self, event: Any) -> None:
        self._emit(Event.ROLLBACK_COMPLETED)

    def on_window_completed(self, event: Any) -> None:
        self._emit(Event.WINDOW_COMPLETED)

    def take_effects(self) -> list[Effect]:
        effects, self.effects = self.effects, []
        return effects

    def fire(self, trigger: str) -> bool:
        """Run a trigger; False when a guard refused, MachineError when not allowed now."""
        assert self.machine is not None, "build_machine first"
        # What the trigger method transitions would attach to the model calls.
        result: bool = self.machine.events[trigger].trigger(self)
        return result


def build_machine(night: MachineModel) -> Machine:
    """Attach the machine for `night.part_count` parts to `night`.

    The machine is built once per count of parts and shared (every fold attaches one:
    building it was most of a fold's time). It keeps no reference to the models it
    drives, so a model lives only as long as its caller holds it; nor does it add its
    methods to each model (`add_model` adds one per state and trigger, a third of a
    command's machine time): `fire` runs the machine's event on the model itself.
    """
    machine = _machine_for(night.part_count)
    if night.state not in machine.states:
        raise ValueError(f"{night.state!r} is not a state of a {night.part_count}-part night")
    night.machine = machine
    return machine


@functools.lru_cache(maxsize=16)
def _machine_for(count: int) -> Machine:
    parts = [part_state(n) for n in range(1, count + 1)]
    states = [PLANNED, *parts, PARTS_DONE, COMPLETED, ROLLING_BACK, ROLLED_BACK]
    transitions: list[dict[str, Any]] = [
        {"trigger": "start", "source": PLANNED, "dest": parts[0], "after": "on_window_started"},
        {"trigger": "end", "source": PARTS_DONE, "dest": COMPLETED, "after": "on_window_completed"},
        {
            "trigger": "rollback_done",
            "source": ROLLING_BACK,
            "dest": ROLLED_BACK,
            "after": "on_rollback_completed",
        },
    ]
    for number, state in enumerate(parts, start=1):
        after = parts[number] if number < count else PARTS_DONE
        transitions += [
            {
                "trigger": "go",
                "source": state,
                "dest": after,
                "conditions": "gate_open",
                "after": "on_part_completed",
            },
            {
                "trigger": "nogo",
                "source": state,
                "dest": ROLLING_BACK,
                "after": "on_rollback_started",
            },
            {"trigger": "hold", "source": state, "dest": None},
            {"trigger": "progress", "source": state, "dest": None, "after": "on_part_status"},
        ]
    return Machine(
        model=None,
        states=states,
        transitions=transitions,
        initial=PLANNED,
        auto_transitions=False,
        send_event=True,
        model_attribute="state",
    )


__all__ = ["Effect", "MachineError", "MachineModel", "build_machine"]
