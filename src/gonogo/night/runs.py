"""Where runs live: a release's night in the state directory, its journal, runbook and plan."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import NoRunError, StateError
from gonogo.night.belongs import (
    PARTS,
    REAL,
    REHEARSAL,
    accepted,
    changed_runbook_error,
    part_ids,
    refuse_misplaced,
    refuse_other_parts,
)
from gonogo.night.entries import Entry, Kind
from gonogo.night.journal import NOT_SENT, Journal
from gonogo.night.snapshot import Night, fold
from gonogo.night.sqlite_format import damaged
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import content_hash, steady_for, steady_sha256
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import LocalTimeError, Timeline, timeline
from gonogo.runbook.validate import load_valid

JOURNAL = "journal.sqlite"


# (path, runbook bytes) -> (loaded, content hash its recipients were checked at, or "")
_LOADED: dict[tuple[Path, str], tuple[Loaded, str]] = {}


def load_cached(path: Path, journaled: str | None = None) -> Loaded:
    """load_valid, once per process for unchanged files (a rehearsal runs many commands).

    Where the runbook and its recipients files hash to `journaled`, the content a run
    started with (and `start` checked whole), the recipients are not checked again:
    that check is most of a command's time at national scale, the hash a few ms.
    """
    if not path.is_file():
        return load_valid(path)  # its one clear line: no such file, or a directory
    key = (path.resolve(), steady_sha256(path))
    hit = _LOADED.get(key)
    if hit is not None:
        loaded, checked = hit
        now = content_hash(loaded)
        if checked == now or (checked == "" and now == journaled):
            return loaded
    if journaled is not None:
        loaded = load_valid(path, recipients=False)
        if content_hash(loaded) == journaled:
            _LOADED[key] = (loaded, "")  # "": recipients unchecked, trusted for `journaled`
            return loaded
    loaded = load_valid(path)
    _LOADED[key] = (loaded, content_hash(loaded))
    return loaded


def state_root(state_dir: Path | None) -> Path:
    if state_dir is not None:
        return state_dir
    env = os.environ.get("GONOGO_STATE_DIR")
    return Path(env) if env else Path.cwd() / ".gonogo"


@dataclass
class Run:
    directory: Path
    journal: Journal
    loaded: Loaded
    dry_run: bool
    shift: dt.timedelta  # a rehearsal's plan moved to begin when it started
    started_sha256: str  # the content hash the run started with
    building: Path | None = None  # a new run's journal, not yet under its name

    @property
    def runbook(self) -> Runbook:
        assert self.loaded.runbook is not None  # load_valid guarantees it
        return self.loaded.runbook

    @property
    def release(self) -> str:
        return self.runbook.release.id

    @property
    def outbox(self) -> Path:
        return self.directory / "outbox"

    @property
    def lock_path(self) -> Path:
        return self.directory / "lock"

    def timeline(self) -> Timeline:
        """The plan; a rehearsal's is resolved on the night it runs, in the runbook's zone,
        so a rehearsal across a change of daylight saving keeps the plan's local times.
        Resolved once for all of a rehearsal's commands (`steady_for`)."""
        return steady_for(self.runbook, ("timeline", self.shift), self._timeline)

    def _timeline(self) -> Timeline:
        plan = timeline(self.runbook)
        if not self.shift:
            return plan
        moved = plan.window_start + self.shift
        try:
            that_night = timeline(self.runbook, day=moved.astimezone(plan.zone).date())
        except LocalTimeError:  # a planned time the clocks skip that night
            return plan.shifted(self.shift)
        return that_night.shifted(moved - that_night.window_start)

    def night(self) -> Night:
        """The night as the journal has it now (see `snapshot.fold`); refused where the
        runbook changed since the night started so that its decisions no longer fit."""
        journal = self.journal
        entries = journal.entries()
        changed = content_hash(self.loaded) != self.started_sha256
        if changed:
            refuse_other_parts(self.journal.meta(), entries, self.loaded, self.started_sha256)
        problems = journal.deliveries(statuses=NOT_SENT)
        try:
            return fold(entries, journal.dispatch_groups(), self.runbook,
                        self.started_sha256, problems)  # fmt: skip
        except StateError as exc:
            if not changed:
                raise
            then = accepted(self.started_sha256, entries)
            raise changed_runbook_error(self.loaded.path, then, exc.message) from None

    def changed_content(self, night: Night) -> str | None:
        """The runbook's content hash now, if it differs from the one the night goes on with."""
        now = content_hash(self.loaded)
        return now if now != night.accepted_sha256 else None

    def close(self) -> None:
        self.journal.close()


def run_directory(root: Path, release: str, dry_run: bool) -> Path:
    return root / release / (REHEARSAL if dry_run else REAL)


def make_run_directory(root: Path, release: str, dry_run: bool) -> Path:
    directory = run_directory(root, release, dry_run)
    if root.exists() and not root.is_dir():
        msg = f"the state directory {root} is not a directory"
        raise StateError(msg, hint="point --state-dir (or GONOGO_STATE_DIR) at a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise filesystem_error(exc, f"cannot create the run's directory {directory}") from None
    return directory


def filesystem_error(exc: OSError, doing: str) -> StateError:
    """An OSError as one line: what could not be done, and why in the OS's words."""
    why = exc.strerror or type(exc).__name__
    where = f" ({exc.filename})" if exc.filename and str(exc.filename) not in doing else ""
    hint = {
        errno.ENOSPC: "free space, then run the command again",
        errno.EACCES: "give this user access to the state directory, then run it again",
        errno.EROFS: "the file system is read-only: use a writable --state-dir",
    }.get(exc.errno or 0, "fix the state directory, then run the command again")
    return StateError(f"{doing}: {why}{where}", hint=hint)


def existing_night(directory: Path, runbook: Runbook) -> Night | None:
    """The night journaled in `directory`, or None where no journal exists.

    A journal appears under its name only with its start entry committed (`publish`),
    so one that is there but empty, unreadable or without that entry is damaged and
    raises: `start` never begins again over it.
    """
    path = directory / JOURNAL
    if not path.exists() and not path.is_symlink():
        return None
    journal = SqliteJournal.open(path)
    try:
        return fold(checked_entries(journal, path), (), runbook)
    finally:
        journal.close()


META_KEYS = ("release", "runbook", "runbook_sha256")


FIRST_KINDS = (Kind.START, Kind.ANNOUNCE, Kind.RESCHEDULE, Kind.CANCEL)


def checked_entries(journal: Journal, path: Path) -> list[Entry]:
    """A run's entries, refusing a journal that is not a whole run: every entry readable,
    the run's own meta there, and a first entry that opens a run: the window's start, or
    an act before the window (an advance notice, a reschedule, a cancellation)."""
    meta = journal.meta()
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        raise damaged(path, f"it does not name the run's {', '.join(missing)}")
    refuse_misplaced(meta, path, path.parent.parent.name, path.parent.name)
    entries = journal.entries()
    if not entries or entries[0].kind not in FIRST_KINDS:
        raise damaged(path, "it has no start entry")
    return entries


def run_meta(
    loaded: Loaded, *, dry_run: bool, shift: dt.timedelta, at: dt.datetime
) -> dict[str, str]:
    """What a run's journal records about itself when it starts (any backend)."""
    runbook = loaded.runbook
    assert runbook is not None
    return {
        "release": runbook.release.id,
        "runbook": str(loaded.path.resolve()),
        "runbook_sha256": content_hash(loaded),
        "dry_run": "1" if dry_run else "0",
        "shift_seconds": str(int(shift.total_seconds())),
        "created": at.isoformat(),
        PARTS: json.dumps(part_ids(runbook)),
    }


def pick_release(releases: list[str], release: str | None, where: str, start_hint: str) -> str:
    """The release a command acts on among those with runs `where` (a directory, a URL)."""
    if not releases:
        raise NoRunError(f"no run in {where}", hint=start_hint)
    if release is None:
        if len(releases) > 1:
            msg = f"several releases have runs in {where}: {', '.join(releases)}"
            raise StateError(msg, hint="pick one with --release ID")
        return releases[0]
    if release not in releases:
        msg = f"no run of release {release} in {where} (runs: {', '.join(releases)})"
        raise NoRunError(msg)
    return release


def locate(root: Path, release: str | None, dry_run: bool) -> Path:
    """The run directory a command acts on (see README: real before rehearsal)."""
    if root.exists() and not root.is_dir():
        msg = f"the state directory {root} is not a directory"
        raise StateError(msg, hint="point --state-dir (or GONOGO_STATE_DIR) at a directory")
    releases = sorted(
        p.name for p in root.glob("*") if any((p / k / JOURNAL).exists() for k in (REAL, REHEARSAL))
    )
    release = pick_release(releases, release, str(root),
                           "start one with `gonogo start RUNBOOK` (or --dry-run)")  # fmt: skip
    real, rehearsal = (run_directory(root, release, d) for d in (False, True))
    if dry_run:
        if not (rehearsal / JOURNAL).exists():
            msg = f"no rehearsal of release {release}"
            raise NoRunError(msg, hint="start one with `gonogo start RUNBOOK --dry-run`")
        return rehearsal
    return real if (real / JOURNAL).exists() else rehearsal


def open_run(directory: Path) -> Run:
    """Open a run's journal and load the runbook it names."""
    journal = SqliteJournal.open(directory / JOURNAL)
    try:
        checked_entries(journal, directory / JOURNAL)
    except BaseException:
        journal.close()
        raise
    return run_of(directory, journal)


def run_of(directory: Path, journal: Journal, runbook: Path | None = None) -> Run:
    """The run of an open journal, with the runbook it names (or `runbook`, this site's)."""
    meta = journal.meta()
    path = runbook or Path(meta["runbook"])
    if not path.is_file():
        journal.close()
        msg = f"the run's runbook {path} is gone: the journal keeps its hash, not its content"
        hint = (f"put the runbook the night ran with back at {path} (e.g. from version "
                "control); `gonogo journal check` reads the journal without it")  # fmt: skip
        raise StateError(msg, hint=hint)
    try:
        loaded = load_cached(path, meta["runbook_sha256"])
    except BaseException:
        journal.close()
        raise
    return Run(
        directory,
        journal,
        loaded,
        meta.get("dry_run") == "1",
        dt.timedelta(seconds=int(meta.get("shift_seconds", "0"))),
        meta["runbook_sha256"],
    )
