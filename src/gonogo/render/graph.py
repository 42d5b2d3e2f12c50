"""The runbook's Go/NoGo machine as a diagram, drawn by `transitions`' own GraphMachine.

The machine is built exactly as the night builds it (`build_machine`); its states and
transitions are read back from it, so the diagram cannot drift from what runs.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Literal

from gonogo.errors import GonogoError
from gonogo.night.machine import MachineModel, build_machine, part_of
from gonogo.runbook.model import Runbook

ENGINES: dict[str, Literal["mermaid", "graphviz"]] = {"mermaid": "mermaid", "dot": "graphviz"}


class _Model:
    """A bare model for the diagram machine; the real Night keeps its own machine."""


def machine_data(runbook: Runbook) -> tuple[list[str], list[dict[str, Any]], str]:
    """(states, transitions, initial) of the machine the night runs for `runbook`."""
    machine = build_machine(MachineModel(part_count=len(runbook.parts)))
    transitions: list[dict[str, Any]] = []
    for trigger, event in machine.events.items():
        for source, found in event.transitions.items():
            for t in found:
                transitions.append(
                    {
                        "trigger": trigger,
                        "source": source,
                        "dest": t.dest,
                        "conditions": [c.func for c in t.conditions if c.target],
                        "unless": [c.func for c in t.conditions if not c.target],
                    }
                )
    return list(machine.states), transitions, str(machine.initial)


def _label(runbook: Runbook, state: str) -> str:
    number = part_of(state)
    if number is None:
        return state
    # Mermaid quotes state labels; a double quote in a title would end the label.
    title = runbook.parts[number - 1].title.replace('"', "'")
    return f"{state}: {title}"


def diagram(runbook: Runbook, fmt: str) -> str:
    """The diagram's source: Mermaid stateDiagram-v2 (`mermaid`) or Graphviz (`dot`)."""
    from transitions.extensions.diagrams import GraphMachine  # noqa: PLC0415

    if fmt not in ENGINES:
        msg = f"unknown diagram format {fmt!r}; use mermaid or dot"
        raise GonogoError(msg)
    # transitions writes dot through the `graphviz` package (pure Python; `dot` itself is
    # needed only to draw the picture, not for the source printed here).
    if fmt == "dot" and importlib.util.find_spec("graphviz") is None:
        msg = "dot output needs the `graphviz` Python package"
        raise GonogoError(msg, hint="pip install graphviz, or use --format mermaid")
    from transitions import State  # noqa: PLC0415

    class LabelledState(State):
        """A state with a label for the diagram (GraphMachine's own states take none)."""

        def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.label = label or self.name

    class Diagram(GraphMachine):
        state_cls = LabelledState

    states, transitions, initial = machine_data(runbook)
    model = _Model()
    Diagram(
        model=model,
        states=[{"name": s, "label": _label(runbook, s)} for s in states],
        transitions=transitions,
        initial=initial,
        auto_transitions=False,
        graph_engine=ENGINES[fmt],
        show_conditions=True,
        title=f"Release {runbook.release.id}: {runbook.release.title}",
    )
    source: str = model.get_graph().source  # type: ignore[attr-defined]
    return source.rstrip("\n") + "\n"
