"""Where runs live: a release's night in the state directory, its journal, runbook and plan."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import StateError
from gonogo.night.journal import NOT_SENT, Journal
from gonogo.night.snapshot import Night, fold
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import LocalTimeError, Timeline, timeline
from gonogo.runbook.validate import load_valid

REAL = "real"
REHEARSAL = "rehearsal"
JOURNAL = "journal.sqlite"


_LOADED: dict[tuple[Path, str], tuple[Loaded, str]] = {}


def load_cached(path: Path) -> Loaded:
    """load_valid, once per process for unchanged files (a rehearsal runs many commands)."""
    if not path.is_file():
        return load_valid(path)  # its one clear line: no such file, or a directory
    key = (path.resolve(), hashlib.sha256(path.read_bytes()).hexdigest())
    hit = _LOADED.get(key)
    if hit is not None and content_hash(hit[0]) == hit[1]:
        return hit[0]
    loaded = load_valid(path)
    _LOADED[key] = (loaded, content_hash(loaded))
    return loaded


def state_root(state_dir: Path | None) -> Path:
    if state_dir is not None:
        return state_dir
    env = os.environ.get("GONOGO_STATE_DIR")
    return Path(env) if env else Path.cwd() / ".gonogo"


def content_hash(loaded: Loaded) -> str:
    """The runbook's bytes and its recipients files': what the night sends depends on both."""
    digest = hashlib.sha256(loaded.path.read_bytes())
    runbook = loaded.runbook
    if runbook is not None:
        for name, audience in sorted(runbook.audiences.items()):
            if audience.recipients:
                csv = loaded.path.parent / audience.recipients
                digest.update(f"\0{name}\0".encode())
                digest.update(csv.read_bytes() if csv.is_file() else b"")
    return digest.hexdigest()


@dataclass
class Run:
    directory: Path
    journal: Journal
    loaded: Loaded
    dry_run: bool
    shift: dt.timedelta  # a rehearsal's plan moved to begin when it started
    started_sha256: str  # the content hash the run started with

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
        so a rehearsal across a change of daylight saving keeps the plan's local times."""
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
        """The night as the journal has it now (see `snapshot.fold`)."""
        journal = self.journal
        problems = journal.deliveries(statuses=NOT_SENT)
        return fold(journal.entries(), journal.delivery_groups(), self.runbook,
                    self.started_sha256, problems)  # fmt: skip

    def changed_content(self, night: Night) -> str | None:
        """The runbook's content hash now, if it differs from the one the night goes on with."""
        now = content_hash(self.loaded)
        return now if now != night.accepted_sha256 else None

    def close(self) -> None:
        self.journal.close()


def run_directory(root: Path, release: str, dry_run: bool) -> Path:
    return root / release / (REHEARSAL if dry_run else REAL)


def existing_night(directory: Path, runbook: Runbook) -> Night | None:
    """The night already journaled in `directory`, or None where there is none.

    A kill -9 between creating the journal and journaling the start leaves a journal
    without its tables; `start` may then begin again in that file instead of refusing.
    """
    path = directory / JOURNAL
    if not path.is_file():
        return None
    try:
        journal = SqliteJournal.open(path)
    except StateError as exc:
        if "interrupted while starting" in exc.message:
            return None
        raise
    try:
        return fold(journal.entries(), (), runbook)
    finally:
        journal.close()


def create_run(
    root: Path, loaded: Loaded, *, dry_run: bool, shift: dt.timedelta, at: dt.datetime
) -> Run:
    runbook = loaded.runbook
    assert runbook is not None
    directory = run_directory(root, runbook.release.id, dry_run)
    directory.mkdir(parents=True, exist_ok=True)
    sha = content_hash(loaded)
    journal = SqliteJournal.create(
        directory / JOURNAL,
        {
            "release": runbook.release.id,
            "runbook": str(loaded.path.resolve()),
            "runbook_sha256": sha,
            "dry_run": "1" if dry_run else "0",
            "shift_seconds": str(int(shift.total_seconds())),
            "created": at.isoformat(),
        },
    )
    return Run(directory, journal, loaded, dry_run, shift, sha)


def locate(root: Path, release: str | None, dry_run: bool) -> Path:
    """The run directory a command acts on (see README: real before rehearsal)."""
    releases = sorted(
        p.name for p in root.glob("*") if any((p / k / JOURNAL).exists() for k in (REAL, REHEARSAL))
    )
    if not releases:
        msg = f"no run in {root}"
        raise StateError(msg, hint="start one with `gonogo start RUNBOOK` (or --dry-run)")
    if release is None:
        if len(releases) > 1:
            msg = f"several releases have runs in {root}: {', '.join(releases)}"
            raise StateError(msg, hint="pick one with --release ID")
        release = releases[0]
    if release not in releases:
        msg = f"no run of release {release} in {root} (runs: {', '.join(releases)})"
        raise StateError(msg)
    real, rehearsal = (run_directory(root, release, d) for d in (False, True))
    if dry_run:
        if not (rehearsal / JOURNAL).exists():
            msg = f"no rehearsal of release {release}"
            raise StateError(msg, hint="start one with `gonogo start RUNBOOK --dry-run`")
        return rehearsal
    return real if (real / JOURNAL).exists() else rehearsal


def open_run(directory: Path) -> Run:
    """Open a run's journal and load the runbook it names."""
    journal = SqliteJournal.open(directory / JOURNAL)
    meta = journal.meta()
    path = Path(meta["runbook"])
    if not path.is_file():
        journal.close()
        msg = f"the run's runbook {path} is gone"
        raise StateError(msg, hint="restore the file; the journal names the runbook it ran")
    try:
        loaded = load_cached(path)
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
