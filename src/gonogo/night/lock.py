"""The operator lock: one command changes a run at a time; the other waits, then exits 4."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from gonogo.errors import LockHeldError, StateError

_WIDTH = 1024

Describe = Callable[[dict[str, object]], str]


@contextmanager
def run_lock(
    path: Path, *, operator: str, command: str, wait: float, describe: Describe | None = None
) -> Iterator[None]:
    """Hold the run's lock while changing it. The OS frees it if the process dies.
    `describe`: who holds it, in words (default `describe_holder`, times in UTC)."""
    # Not "a+": in append mode every write lands at the end whatever seek() says, so the
    # second holder's record followed the first's and nobody could read who holds it.
    try:
        handle = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o644), "r+", encoding="utf-8")
    except OSError as exc:
        what = "is a directory, not a file" if isinstance(exc, IsADirectoryError) else exc.strerror
        msg = f"cannot take the run's lock {path}: {what}"
        raise StateError(msg, hint="the lock must be a file this user can write; fix it, "
                         "then run the command again") from None  # fmt: skip
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockHeldError(
                        (describe or describe_holder)(_record(path)),
                        hint="wait, then run the command again",
                    ) from None
                time.sleep(0.05)
        handle.seek(0)
        holder = holder_record(operator, command)
        # Fixed width instead of truncate(): truncating costs milliseconds on some disks.
        # Who holds it is a courtesy to the other operator (a full disk may refuse it);
        # the flock is what locks.
        with suppress(OSError):
            handle.write(json.dumps(holder).ljust(_WIDTH))
            handle.flush()
        yield
    finally:
        with suppress(OSError):
            handle.close()  # closing releases the flock


def holder_record(operator: str, command: str) -> dict[str, object]:
    """Who holds a lock: shown to the operator who waited for it in vain."""
    return {
        "operator": operator,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command[:200],
        # UTC, shown in the runbook's zone by whoever reads it (see `holder_since`).
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def holder_since(info: dict[str, object]) -> dt.datetime | None:
    """When the holder took the lock; None for a record without a readable time (one
    written before the time was journaled as UTC: `2026-12-01 22:36:57 UTC`)."""
    try:
        since = dt.datetime.fromisoformat(str(info.get("since", "")))
    except ValueError:
        return None
    return since if since.tzinfo is not None else None


def held_by(path: Path) -> dict[str, object] | None:
    """Who holds the lock at `path` now, never waiting for it; None while nobody does.

    A shared lock is tried and at once let go: it fails only while a command holds the
    lock. A command taking the lock in that moment waits its 50 ms and takes it then.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None  # no lock file: no command has ever changed this run here
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _record(path) or {}
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _record(path: Path) -> dict[str, object]:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def describe_holder(info: dict[str, object], zone: dt.tzinfo | None = None) -> str:
    """`anna holds the run's lock (...)`, its time in `zone` (the runbook's), or UTC."""
    if not info:
        return "another operator's command holds the run's lock"
    return (
        f"{info.get('operator', '?')} holds the run's lock "
        f"(`{info.get('command', '?')}`, pid {info.get('pid', '?')} on {info.get('host', '?')}, "
        f"since {_since_text(info, zone or dt.UTC)})"
    )


def _since_text(info: dict[str, object], zone: dt.tzinfo) -> str:
    since = holder_since(info)
    if since is None:
        return str(info.get("since", "?"))
    return since.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
