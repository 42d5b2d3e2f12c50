"""The machine diagram: the Mermaid output parsed back has every state and transition."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gonogo.cli import main
from gonogo.render.graph import diagram, machine_data
from gonogo.runbook.model import Runbook
from gonogo.runbook.validate import load_valid

ROOT = Path(__file__).resolve().parents[2]
RUNBOOKS = sorted((ROOT / "runbooks").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))
STATE = re.compile(r'^state "(?P<label>[^"]*)" as (?P<name>\S+)$')
EDGE = re.compile(r"^(?P<source>\S+) --> (?P<dest>\S+?)(?:: (?P<labels>.*))?$")


def parse_mermaid(text: str) -> tuple[dict[str, str], set[tuple[str, str, str]], str]:
    """(state -> label, {(trigger, source, dest)}, initial) of a stateDiagram-v2."""
    lines = [line.strip() for line in text.splitlines()]
    assert "stateDiagram-v2" in lines
    states: dict[str, str] = {}
    edges: set[tuple[str, str, str]] = set()
    initial = ""
    for line in lines:
        if found := STATE.match(line):
            states[found["name"]] = found["label"]
        elif found := EDGE.match(line):
            if found["source"] == "[*]":
                initial = found["dest"]
                continue
            for label in found["labels"].split(" | "):
                trigger = label.split(" ")[0]
                edges.add((trigger, found["source"], found["dest"]))
    return states, edges, initial


def runbook(path: Path) -> Runbook:
    loaded = load_valid(path)
    assert loaded.runbook is not None
    return loaded.runbook


@pytest.mark.parametrize("path", RUNBOOKS, ids=lambda p: p.name)
def test_mermaid_has_every_state_and_transition(path: Path) -> None:
    book = runbook(path)
    states, transitions, initial = machine_data(book)
    parsed_states, parsed_edges, parsed_initial = parse_mermaid(diagram(book, "mermaid"))
    assert list(parsed_states) == states
    assert parsed_initial == initial == "planned"
    expected = {(t["trigger"], t["source"], t["dest"] or t["source"]) for t in transitions}
    assert parsed_edges == expected
    # The numbers of transitions the night can take: start, end, rollback_done, and four
    # per part (go, nogo, hold, progress).
    assert len(expected) == 3 + 4 * len(book.parts)
    for number, part in enumerate(book.parts, start=1):
        assert parsed_states[f"part_{number}"] == f"part_{number}: {part.title}"


def test_guards_are_shown() -> None:
    text = diagram(runbook(ROOT / "runbooks" / "release-21.0.yaml"), "mermaid")
    assert "part_5 --> parts_done: go [gate_open]" in text
    assert "part_2 --> rolling_back: nogo" in text


def test_dot_has_every_state_and_edge() -> None:
    book = runbook(ROOT / "runbooks" / "release-21.0.yaml")
    text = diagram(book, "dot")
    assert text.startswith('digraph "Release 21.0: Release 21.0 av tjänsteplattformen" {')
    states, transitions, _ = machine_data(book)
    for state in states:
        assert re.search(rf"^\s*{state} \[label=", text, re.MULTILINE), state
    for t in transitions:
        if t["dest"] is not None:
            assert f"{t['source']} -> {t['dest']} [" in text


def test_cli(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "examples" / "minimal.yaml")
    assert main(["graph", path]) == 0
    out = capsys.readouterr().out
    assert "stateDiagram-v2" in out
    assert "part_1 --> parts_done: go [gate_open]" in out
    assert main(["graph", path, "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith("digraph")
    assert main(["graph", path, "--format", "svg"]) == 2
