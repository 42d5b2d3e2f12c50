"""Ctrl-C stops a rehearsal of every path: it is not one command's failure to report."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "bench"))
from rehearse import large_runbook  # noqa: E402  # bench/rehearse.py's generated runbook


def _default_sigint() -> None:  # a shell's job may have inherited it ignored
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.slow  # two whole rehearsals in fresh processes
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_mid_rehearsal_stops_it_with_130(tmp_path: Path, jobs: int) -> None:
    # 30 parts, 92 paths, about 5 s: the Ctrl-C lands mid-rehearsal. 21.0's 18 paths
    # took 1.5 s, and on a busy machine the rehearsal could finish before the signal.
    runbook = large_runbook(tmp_path / "runbook", parts=30, audiences=2, size=10)
    out = tmp_path / "out"
    rehearsal = subprocess.Popen(
        [sys.executable, "-m", "gonogo", "rehearse", str(runbook), "--all-paths",
         "--out", str(out), "--jobs", str(jobs)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, preexec_fn=_default_sigint,  # noqa: PLW1509  # no threads here
    )  # fmt: skip
    deadline = time.monotonic() + 60
    # Several paths' journals: its commands are under way, in every lane.
    while len(list(out.glob("*/**/journal.sqlite"))) < 4:
        assert rehearsal.poll() is None, rehearsal.communicate()
        assert time.monotonic() < deadline, "the rehearsal never got going"
        time.sleep(0.01)
    os.killpg(rehearsal.pid, signal.SIGINT)  # as a terminal's Ctrl-C: every lane gets it
    stdout, stderr = rehearsal.communicate(timeout=60)

    assert rehearsal.returncode == 130, stdout + stderr
    assert "the rehearsal was interrupted; what it did so far is in " + str(out) in stderr
    assert "Traceback" not in stderr
    assert "FAILED" not in stdout  # no path reported as failed by the interrupt
    assert "Result:" not in stdout  # and no verdict on a rehearsal that did not finish
