"""A new run's SQLite journal, named only once its first entry is committed.

`create_run` builds the journal under a temporary name beside its final one;
`publish` gives it the name once the first entry and its dispatch rows are
committed, so a crash before that leaves no run, only a `.journal-*` file the next
new run removes; `discard` removes it when the first entry was not committed.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from gonogo.night.runs import JOURNAL, Run, filesystem_error, run_directory, run_meta
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.loader import Loaded


def create_run(
    root: Path, loaded: Loaded, *, dry_run: bool, shift: dt.timedelta, at: dt.datetime
) -> Run:
    """A new run whose journal is a temporary file beside its final name: `publish` gives
    it the name once the start entry and its dispatch rows are committed, so a crash
    before that leaves no run, only a `.journal-*` file the next start removes."""
    runbook = loaded.runbook
    assert runbook is not None
    directory = run_directory(root, runbook.release.id, dry_run)
    try:
        for stale in directory.glob(".journal-*"):
            stale.unlink(missing_ok=True)
        # Not mkstemp: SQLite creates the file with the mode the umask gives any journal.
        name = str(directory / f".journal-{os.getpid()}-{secrets.token_hex(4)}.sqlite")
    except OSError as exc:
        raise filesystem_error(exc, f"cannot create the journal in {directory}") from None
    meta = run_meta(loaded, dry_run=dry_run, shift=shift, at=at)
    sha = meta["runbook_sha256"]
    try:
        journal = SqliteJournal.create(Path(name), meta, wal=False)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Run(directory, journal, loaded, dry_run, shift, sha, Path(name))


def publish(run: Run) -> None:
    """Give a new run's journal its name: from now on the run exists."""
    temporary = run.building
    assert temporary is not None, "only a new run is published"
    target = run.directory / JOURNAL
    run.journal.close()
    try:
        os.replace(temporary, target)  # atomic; `start` holds the lock and found no journal
        directory = os.open(run.directory, os.O_RDONLY)
        try:
            os.fsync(directory)  # the new name survives a power cut too
        finally:
            os.close(directory)
    except OSError as exc:
        raise filesystem_error(exc, f"cannot name the journal {target}") from None
    journal = SqliteJournal.open(target)
    journal.use_wal()
    run.journal, run.building = journal, None


def discard(run: Run) -> None:
    """A new run whose start was not committed: it leaves nothing behind."""
    run.journal.close()
    if run.building is not None:
        run.building.unlink(missing_ok=True)
