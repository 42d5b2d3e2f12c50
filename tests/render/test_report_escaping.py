"""Operator text in the report is shown as typed: it cannot inject HTML, in either format."""

from __future__ import annotations

from pathlib import Path

import pytest

from render import RUNBOOK, at, run
from render.test_report import report

# Each where an operator types it; each must come out as typed, never as markup.
HOLD = "<b>DBA</b> & Co väntar"
INCIDENT = "<img src=x onerror=alert(1)> svarar inte"
UPDATE = "Felsökning <script>alert(2)</script> &amp; mer"
LIGHT = "<a href='https://example.org/'>se här</a>"


@pytest.fixture(scope="module")
def typed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("typed")
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(27, "23:50"), "hold", "1", "--reason", HOLD)
    run(state, at(28, "00:05"), "go", "1")
    run(state, at(28, "00:30"), "incident", "open", "--priority", "2",
        "--summary", INCIDENT, "--services", "erecept")  # fmt: skip
    run(state, at(28, "00:40"), "incident", "update", "INC-1", "--summary", UPDATE)
    run(state, at(28, "00:50"), "lights", "set", "nkoo", "yellow", "--reason", LIGHT)
    return state


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_operator_text_cannot_inject_html(
    typed: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = report(typed, capsys, "--format", fmt)
    for text in (HOLD, INCIDENT, UPDATE, LIGHT):
        assert _entities(text).replace("'", "&#39;" if fmt == "html" else "'") in out, text
    # None of the operators' tags is in it as a tag.
    for tag in ("<b>DBA", "<img src", "<script>", "<a href"):
        assert tag not in out, tag
