"""Every filesystem fault is one error line and a non-zero exit, never a traceback."""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.cli import crash
from tests.cli.test_night_cli import RUNBOOKS, gonogo, journal_path, ok

from servers.gonogo_forks import gonogo as forked
from servers.twilio_fake import TwilioFake

NOBODY = 65534


def _one_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("gonogo: error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def rehearsal(tmp_path: Path) -> Iterator[Path]:
    """A rehearsal at part 1 in a directory every user may enter (for the `nobody` cases)."""
    base = Path(tempfile.mkdtemp(prefix="gonogo-fs-"))
    base.chmod(0o755)
    shutil.copytree(RUNBOOKS, base / "runbooks")
    ok(base / "state", "start", str(base / "runbooks" / "release-21.0.yaml"))
    yield base / "state"
    shutil.rmtree(base, ignore_errors=True)


def test_a_lock_that_is_a_directory(rehearsal: Path) -> None:
    lock = journal_path(rehearsal).parent / "lock"
    lock.unlink()
    lock.mkdir()
    before = _digest(journal_path(rehearsal))
    error = _one_error(gonogo(rehearsal, "go", "1"))
    assert error == f"gonogo: error: cannot take the run's lock {lock}: is a directory, not a file"
    assert _digest(journal_path(rehearsal)) == before


def test_a_state_directory_that_is_a_file(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.write_text("not a directory\n")
    runbook = RUNBOOKS / "release-21.0.yaml"
    for args in (["start", str(runbook)], ["status"], ["go", "1"], ["journal", "check"]):
        error = _one_error(gonogo(state, *args, yes=args[0] not in ("journal",)))
        assert error == f"gonogo: error: the state directory {state} is not a directory"


def _as_nobody() -> list[str]:
    """Run a command as another user where the tests run as root (root ignores modes):
    `setpriv` from util-linux, as a preexec setuid cannot exec an interpreter under /root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be tested")
    return [setpriv, "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]


def _run(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [*_as_nobody(), sys.executable, "-m", "gonogo", *args, "--state-dir", str(state),
               "--dry-run"]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, check=False,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_no_permission_to_the_run(rehearsal: Path) -> None:
    directory = journal_path(rehearsal).parent
    if os.geteuid() != 0:
        for path in directory.iterdir():
            path.chmod(0o444)
        directory.chmod(0o555)
    before = _digest(journal_path(rehearsal))
    try:
        error = _one_error(_run(rehearsal, "go", "1", "--yes"))
    finally:
        directory.chmod(0o755)
    assert error.startswith(f"gonogo: error: cannot take the run's lock {directory / 'lock'}:")
    assert "Permission denied" in error
    assert _digest(journal_path(rehearsal)) == before


def test_a_read_only_journal(rehearsal: Path) -> None:
    """The lock may be taken, the journal may not be written: one line, nothing sent."""
    directory = journal_path(rehearsal).parent
    (directory / "lock").chmod(0o666)
    journal_path(rehearsal).chmod(0o444)
    before = _digest(journal_path(rehearsal))
    outbox = sorted(p.name for p in (directory / "outbox").iterdir())
    error = _one_error(_run(rehearsal, "go", "1", "--yes"))
    assert error.startswith("gonogo: error: cannot ")
    assert str(journal_path(rehearsal)) in error
    assert "read-only" in error or "readonly" in error
    assert _digest(journal_path(rehearsal)) == before
    assert sorted(p.name for p in (directory / "outbox").iterdir()) == outbox


@pytest.mark.slow
def test_a_disk_that_fills_mid_fan_out(tmp_path: Path) -> None:
    """Disk full, made with RLIMIT_FSIZE (`ulimit -f`) in the command's process: a write
    past the limit fails with EFBIG (Python ignores SIGXFSZ), which SQLite reports as an
    I/O error, as it reports ENOSPC as "database or disk is full". No root, no tiny file
    system needed. The limit is half as much again as the journal after `start`: `go 1`
    commits its 600 rows and then runs out of room while journaling the sends."""
    trials = crash.load()
    phones = trials.numbers(600)
    runbook = trials.write_runbook(tmp_path / "rb", phones, 8)
    state = tmp_path / "state"
    with TwilioFake() as twilio:
        env = {**os.environ, **twilio.env()}

        def gonogo_real(*args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
            def cap() -> None:
                assert limit is not None
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

            return subprocess.run(
                [*trials.gonogo(state, *args), "--yes"], env=env, capture_output=True,
                text=True, timeout=300, check=False, stdin=subprocess.DEVNULL,
                preexec_fn=cap if limit else None,  # no threads here
            )  # fmt: skip

        assert gonogo_real("start", str(runbook)).returncode == 0
        size = (state / "21.0" / "real" / "journal.sqlite").stat().st_size
        before = len(twilio.messages)
        done = gonogo_real("go", "1", limit=size * 3 // 2)
        error = _one_error(done)
        twilio.wait_idle()
        went = len(twilio.messages) - before
        assert 0 < went < 600
        assert f"sending stopped: {went} of 600 messages went out, {600 - went} did not" in error
        assert "`gonogo resume` finishes them" in done.stderr

        resumed = gonogo_real("resume", "--settle", "0")
        assert resumed.returncode == 0, resumed.stderr
        twilio.wait_idle()
        body = twilio.messages[-1]["body"]
        got = Counter(m["to"] for m in twilio.messages if m["body"] == body)
        assert got == Counter(phones)  # every number once: none twice, none missed


SCENARIO = RUNBOOKS.parent / "examples" / "scenarios" / "smooth-night.yaml"


def test_an_output_that_is_a_pipe_nothing_reads_is_refused_at_once(
    rehearsal: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "out.txt"
    os.mkfifo(pipe)  # opened for writing, it would wait for a reader for ever
    refused = f"gonogo: error: a pipe that nothing reads, not a file: {pipe}"
    assert _one_error(gonogo(rehearsal, "report", "--out", str(pipe), yes=False)) == refused
    done = forked(["rehearse", str(RUNBOOKS / "release-21.0.yaml"), "--scenario", str(SCENARIO),
                   "--junit-xml", str(pipe)])  # fmt: skip
    assert _one_error(done) == refused


def test_a_rehearsal_out_that_is_a_pipe_or_a_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "file").write_text("mine\n")
    for name in ("pipe", "file"):
        done = forked(["rehearse", str(RUNBOOKS / "release-21.0.yaml"), "--scenario",
                       str(SCENARIO), "--out", str(tmp_path / name)])  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert f"--out {tmp_path / name} is not a directory; give a directory" in done.stderr
    assert (tmp_path / "file").read_text() == "mine\n"
