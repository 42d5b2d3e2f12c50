"""Which backend holds a run: the SQLite file in the state directory (the default), or a
shared PostgreSQL database named by `--journal URL` or `GONOGO_JOURNAL_URL`.

A shared run is found by release and mode inside the database. Each site keeps only
local things in its state directory: the dry run's outbox and the path of its own copy
of the runbook (`runbook-path`, written when the site starts or joins the night).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import GonogoError, NoRunError, StateError
from gonogo.night.belongs import REAL, REHEARSAL
from gonogo.night.lock import describe_holder, held_by, run_lock
from gonogo.night.pg_url import is_url, masked
from gonogo.night.runs import (
    Run,
    existing_night,
    locate,
    open_run,
    pick_release,
    run_directory,
    run_meta,
    run_of,
)
from gonogo.night.snapshot import Night, fold
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Runbook

SITE_RUNBOOK = "runbook-path"


@dataclass(frozen=True)
class Place:
    root: Path  # this site's state directory
    release: str
    dry_run: bool
    url: str | None = None  # the shared journal, if the run lives there

    @property
    def directory(self) -> Path:
        return run_directory(self.root, self.release, self.dry_run)

    @property
    def mode(self) -> str:
        return REHEARSAL if self.dry_run else REAL


def journal_url(explicit: str | None) -> str | None:
    """The shared journal's URL, from `--journal` or `GONOGO_JOURNAL_URL`; None: SQLite."""
    url = explicit if explicit is not None else os.environ.get("GONOGO_JOURNAL_URL", "")
    if not url:
        return None
    if not is_url(url):  # the text itself is not shown: it may hold a password
        msg = "the journal URL must begin with postgresql:// (from --journal or GONOGO_JOURNAL_URL)"
        raise StateError(msg)
    return url


def find(root: Path, url: str | None, release: str | None, dry_run: bool) -> Place:
    """The run a command acts on (see README: real before rehearsal)."""
    if url is None:
        directory = locate(root, release, dry_run)
        return Place(root, directory.parent.name, directory.name == REHEARSAL)
    from gonogo.night.pg_journal import runs_in  # noqa: PLC0415  # psycopg: only when shared

    where = masked(url)
    runs = runs_in(url)
    releases = sorted({r for r, _m in runs})
    release = pick_release(releases, release, where,
                           "start one with `gonogo start RUNBOOK --journal URL`")  # fmt: skip
    if dry_run and (release, REHEARSAL) not in runs:
        msg = f"no rehearsal of release {release} in {where}"
        raise NoRunError(msg, hint="start one with `gonogo start RUNBOOK --dry-run`")
    return Place(root, release, dry_run or (release, REAL) not in runs, url)


@contextmanager
def locked(
    place: Place, *, operator: str, command: str, wait: float, zone: dt.tzinfo | None = None
) -> Iterator[None]:
    """The run's operator lock: a file lock here, or an advisory lock in the database.
    Refused, it names the holder with the time in `zone`, else in the run's runbook's."""

    def describe(info: dict[str, object]) -> str:
        return describe_holder(info, zone or _zone_of(place))

    if place.url is None:
        if not place.directory.is_dir():  # a stat, not a write on the parent each command
            place.directory.mkdir(parents=True, exist_ok=True)
        with run_lock(place.directory / "lock", operator=operator, command=command,
                      wait=wait, describe=describe):  # fmt: skip
            yield
        return
    from gonogo.night.pg_lock import advisory_lock  # noqa: PLC0415

    with advisory_lock(place.url, place.release, place.mode, operator=operator,
                       command=command, wait=wait, describe=describe):  # fmt: skip
        yield


def _zone_of(place: Place) -> dt.tzinfo | None:
    """The time zone of the run's runbook, read only when the lock is refused; None
    where the run cannot be read (the message then gives UTC)."""
    try:
        run = open_place(place)
    except (GonogoError, OSError):
        return None
    try:
        return run.timeline().zone
    finally:
        run.close()


def lock_holder(place: Place, run: Run) -> dict[str, object] | None:
    """Who holds the run's lock now, from the open `run`; never waits, never takes it."""
    if place.url is None:
        return held_by(place.directory / "lock")
    from gonogo.night.pg_journal import PgJournal  # noqa: PLC0415

    assert isinstance(run.journal, PgJournal)
    return run.journal.lock_holder(place.release, place.mode)


def open_place(place: Place, runbook: Path | None = None) -> Run:
    """The run, its journal checked whole; `runbook`: this site's copy for a shared run
    (else the one it joined with, else the path the journal names)."""
    if place.url is None:
        return open_run(place.directory)
    from gonogo.night.pg_check import open_checked  # noqa: PLC0415

    journal = open_checked(place.url, place.release, place.mode)
    if journal is None:
        msg = f"no {place.mode} run of release {place.release} in {masked(place.url)}"
        raise StateError(msg)
    local = runbook or site_runbook(place)
    if local is None and not Path(journal.meta()["runbook"]).is_file():
        journal.close()
        msg = f"this site has no copy of release {place.release}'s runbook on record"
        hint = ("join the night with `gonogo start RUNBOOK` and the same --journal URL "
                "(`publish` and `journal check` take it as --runbook)")  # fmt: skip
        raise StateError(msg, hint=hint)
    return run_of(place.directory, journal, local)


def site_runbook(place: Place) -> Path | None:
    """The runbook this site started or joined the shared night with, if any."""
    mine = place.directory / SITE_RUNBOOK
    return Path(mine.read_text(encoding="utf-8").strip()) if mine.is_file() else None


def existing(place: Place, runbook: Runbook) -> Night | None:
    """The night already journaled at this place, or None where none has started."""
    if place.url is None:
        return existing_night(place.directory, runbook)
    from gonogo.night.pg_check import checked_entries  # noqa: PLC0415
    from gonogo.night.pg_journal import PgJournal, find_run  # noqa: PLC0415

    run = find_run(place.url, place.release, place.mode)
    if run is None:
        return None
    journal = PgJournal(place.url, run)
    try:
        if not journal.raw_events():  # a start interrupted before its entry: begun again
            return None
        entries = checked_entries(journal, place.release, place.mode)
        return fold(entries, (), runbook, journal.meta().get("runbook_sha256", ""))
    finally:
        journal.close()


def create_shared(place: Place, loaded: Loaded, *, shift: dt.timedelta, at: dt.datetime) -> Run:
    """A new run in the shared journal (a new SQLite run: `run_files.create_run`)."""
    assert place.url is not None
    from gonogo.night.pg_journal import PgJournal  # noqa: PLC0415

    meta = run_meta(loaded, dry_run=place.dry_run, shift=shift, at=at)
    journal = PgJournal.create(place.url, place.release, place.mode, meta)
    remember_runbook(place, loaded.path)
    return Run(place.directory, journal, loaded, place.dry_run, shift, meta["runbook_sha256"])


def remember_runbook(place: Place, path: Path) -> None:
    """This site's copy of the runbook, for the commands that follow here."""
    place.directory.mkdir(parents=True, exist_ok=True)
    (place.directory / SITE_RUNBOOK).write_text(str(path.resolve()), encoding="utf-8")
