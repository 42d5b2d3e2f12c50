"""The operator lock: one changer at a time; the other waits, then is told who holds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gonogo.errors import ExitCode, LockHeldError
from gonogo.night.lock import run_lock

HOLD = """
import sys, time
from pathlib import Path
from gonogo.night.lock import run_lock
with run_lock(Path(sys.argv[1]), operator="berit", command="gonogo go 3", wait=0):
    print("locked", flush=True)
    time.sleep(60)
"""


def _holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_a_second_locker_waits_then_names_the_holder(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with run_lock(path, operator="anna", command="gonogo go 1", wait=0):
        begun = time.monotonic()
        with (
            pytest.raises(LockHeldError) as caught,
            run_lock(path, operator="bo", command="gonogo go 1", wait=0.3),
        ):
            pytest.fail("got a held lock")
        assert time.monotonic() - begun >= 0.3
    message = caught.value.message
    assert message.startswith("anna holds the run's lock (`gonogo go 1`, pid ")
    assert str(os.getpid()) in message
    assert caught.value.exit_code == ExitCode.LOCKED
    with run_lock(path, operator="bo", command="gonogo go 1", wait=0):
        pass  # released on leaving


def test_the_holder_is_named_after_many_holders(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    for name in ("anna", "a-much-longer-operator-name", "bo"):
        with run_lock(path, operator=name, command=f"gonogo go {name}", wait=0):
            pass
    with (
        run_lock(path, operator="cia", command="gonogo end", wait=0),
        pytest.raises(LockHeldError, match=r"^cia holds the run's lock \(`gonogo end`"),
        run_lock(path, operator="dan", command="gonogo end", wait=0),
    ):
        pass


def test_the_lock_is_released_by_an_error_inside(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    with pytest.raises(ValueError, match="boom"), run_lock(path, operator="a", command="c", wait=0):
        raise ValueError("boom")
    with run_lock(path, operator="b", command="c", wait=0):
        pass


def test_a_waiter_gets_the_lock_when_the_holder_finishes(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = _holder(path)
    try:
        with (
            pytest.raises(LockHeldError, match="berit holds the run's lock"),
            run_lock(path, operator="anna", command="c", wait=0.2),
        ):
            pass
        holder.send_signal(signal.SIGTERM)
        with run_lock(path, operator="anna", command="c", wait=10):
            assert "anna" in path.read_text(encoding="utf-8")
    finally:
        holder.kill()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()


def test_a_killed_holder_frees_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    holder = _holder(path)
    try:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        with run_lock(path, operator="anna", command="c", wait=2):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=10)
        assert holder.stdout is not None
        holder.stdout.close()
