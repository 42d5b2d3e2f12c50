"""What a command says where there is no run yet: the hint must be a step that helps."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "command",
    [["reschedule", "--date", "2021-12-04", "--reason", "flyttas"], ["cancel", "--reason", "x"]],
)
def test_moving_or_cancelling_a_window_nobody_was_told_of_points_at_the_runbook(
    tmp_path: Path, command: list[str]
) -> None:
    """`start`, the general hint, would open the window and tell everyone."""
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", *command, "--yes", "--state-dir", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"gonogo: error: no run in {tmp_path}",
        "hint: if no notice has gone out yet, nobody was told of the window: change "
        "`window:` in the runbook instead; if notices did go out, point --state-dir (or "
        "--journal, --release) at the run that sent them; nothing was sent",
    ]
    assert "gonogo start" not in done.stderr
    assert not any(tmp_path.iterdir())  # nothing was made
