"""The console script's garbage-collector policy (see gonogo.console)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from gonogo.console import young_threshold

RUNBOOK = Path(__file__).resolve().parents[2] / "runbooks" / "release-21.0.yaml"


@pytest.mark.parametrize(
    ("args", "threshold"),
    [
        (["validate", "runbook.yaml"], 50_000),
        (["go", "1", "--yes"], 700),
        (["start", "runbook.yaml"], 700),
        (["rehearse", "runbook.yaml", "--all-paths"], 700),
        ([], 700),
    ],
)
def test_only_validate_collects_less_often(args: list[str], threshold: int) -> None:
    # A night's dispatch of thousands of messages collects as Python always does.
    assert young_threshold(args) == threshold


def test_status_on_an_80_column_terminal_fits_without_columns_exported(tmp_path: Path) -> None:
    """bash does not export COLUMNS: the screen asks the terminal how wide it is."""
    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    start = [sys.executable, "-m", "gonogo", "start", str(RUNBOOK), "--dry-run", "--yes",
             "--state-dir", str(state)]  # fmt: skip
    assert subprocess.run(start, env=env, capture_output=True, check=False).returncode == 0
    args = ["-m", "gonogo", "status", "--dry-run", "--state-dir", str(state)]
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=60,
                          dimensions=(40, 80))  # fmt: skip
    child.expect(pexpect.EOF)
    shown = re.sub(r"\x1b\[[0-9;]*m", "", child.before)  # colours take no columns
    lines = shown.replace("\r\n", "\n").splitlines()
    assert any("databas" in line for line in lines), lines
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    # Piped, it stays 120 wide for logs, whatever the terminal.
    piped = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                           check=False)  # fmt: skip
    assert max(len(line) for line in piped.stdout.splitlines()) > 80
