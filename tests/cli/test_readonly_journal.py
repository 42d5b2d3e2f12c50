"""A journal on a read-only file system (an archive) is read by the commands that read.

The tests run as root in CI, where permissions do not stop a write; a read-only bind
mount does. Each command runs in its own user and mount namespace (`unshare -rm`) in
which the state directory is mounted read-only; elsewhere it stays writable.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from night.test_shared_night import runbook, site

LOCAL = {"GONOGO_JOURNAL_URL": ""}
_MOUNT = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", "-rm", "sh", "-c", _MOUNT, "sh", "/tmp", "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


pytestmark = pytest.mark.skipif(
    not _can_mount(), reason="needs `unshare -rm` and a bind mount in it (user namespaces)"
)


def read_only(home: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`gonogo ARGS --state-dir STATE` with `state` mounted read-only for it."""
    return mounted(home, state, *args, "--state-dir", str(state))


def mounted(home: Path, state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`gonogo ARGS` with `state` mounted read-only for it."""
    command = [sys.executable, "-m", "gonogo", *args, "--dry-run"]
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", _MOUNT, "sh", str(state), *command],
        cwd=home,
        env={**os.environ, **LOCAL},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def gonogo(home: Path, *args: str) -> str:
    """A command as its own process (not forked: it closes the journal as a user's does)."""
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", *args, "--dry-run"],
        cwd=home,
        env={**os.environ, **LOCAL},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done.stdout


@pytest.fixture
def archived(tmp_path: Path) -> tuple[Path, Path]:
    """A site and the state directory of its rehearsal, its commands done."""
    home = site(tmp_path, "a")
    gonogo(home, "start", runbook(home), "--yes")
    gonogo(home, "go", "1", "--yes")
    return home, home / ".gonogo"


def test_the_reading_commands_read_a_journal_on_a_read_only_file_system(
    archived: tuple[Path, Path],
) -> None:
    home, state = archived
    directory = state / "21.0" / "rehearsal"
    # Closed by a command that wrote (or made by `journal copy`): no -wal, no -shm file,
    # which SQLite needs to read a WAL journal the usual way.
    assert [p.name for p in directory.glob("journal*")] == ["journal.sqlite"]
    log = read_only(home, state, "log").stdout
    check = read_only(home, state, "journal", "check").stdout
    status = read_only(home, state, "status")
    assert status.returncode == 0, status.stderr
    assert "del 2 (migrering) pågår" in status.stdout
    report = read_only(home, state, "report", "--format", "html")
    assert report.returncode == 0, report.stderr
    site_dir = home / "site"
    published = read_only(home, state, "publish", "--out", str(site_dir))
    assert published.returncode == 0, published.stderr
    assert (site_dir / "index.html").is_file()
    copied = mounted(home, state, "journal", "copy", "--from", str(state), "--to",
                     str(home / "copy"))  # fmt: skip
    assert copied.returncode == 0, copied.stderr
    assert gonogo(home, "log", "--state-dir", str(home / "copy")) == log
    assert gonogo(home, "log") == log  # as read where it is writable
    assert gonogo(home, "journal", "check") == check
    refused = read_only(home, state, "go", "2", "--yes")
    assert refused.returncode == 1
    assert "Read-only file system" in refused.stderr


def test_entries_still_in_the_write_ahead_log_are_read_too(
    archived: tuple[Path, Path],
) -> None:
    """A journal left with committed entries in its -wal file (a reader killed while a
    command wrote) is not read as the main file stands: that would leave them out."""
    home, state = archived
    journal = state / "21.0" / "rehearsal" / "journal.sqlite"
    script = (
        "import sqlite3, sys, time\n"
        "db = sqlite3.connect(sys.argv[1])\n"
        "db.execute('SELECT count(*) FROM events').fetchone()\n"
        "print('open', flush=True)\n"
        "time.sleep(60)\n"
    )
    with subprocess.Popen([sys.executable, "-c", script, str(journal)],
                          stdout=subprocess.PIPE, text=True) as holder:  # fmt: skip
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline() == "open\n"
            gonogo(home, "go", "2", "--yes")  # not the last to close: its entries stay in the log
        finally:
            holder.send_signal(signal.SIGKILL)  # as a crash: the log is left as it is
    assert Path(f"{journal}-wal").stat().st_size > 0
    status = read_only(home, state, "status")
    assert status.returncode == 0, status.stderr
    assert "del 3 (miljoer) pågår" in status.stdout
    assert "Go del 2" in read_only(home, state, "log").stdout
