"""`gonogo journal check`: read every entry and row of a SQLite journal, say what is damaged
and where the night stands by the part that can be read.

The file is opened read-only: checking never changes it.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from gonogo.errors import GonogoError, JournalDamagedError, StateError
from gonogo.night.belongs import misplaced, parts_moved
from gonogo.night.entries import Entry
from gonogo.night.journal import DeliveryGroup, Status
from gonogo.night.runs import FIRST_KINDS, load_cached
from gonogo.night.snapshot import Night, fold
from gonogo.night.sqlite_format import check_format, entry_of, quick_check, read_error
from gonogo.night.sqlite_readonly import read_only_uri
from gonogo.night.sqlite_summary import Summary


@dataclass(frozen=True)
class CheckReport:
    path: Path | str  # a file, or a shared run: its masked URL, release and mode
    problems: tuple[str, ...]
    entries: tuple[Entry, ...] = ()
    statuses: tuple[tuple[str, int], ...] = ()  # latest status of each delivery, counted
    night: Night | None = None
    no_night: str = "nothing could be read"  # why the night could not be derived

    @property
    def whole(self) -> bool:
        return not self.problems


def check_journal(path: Path, run: tuple[str, str] | None = None) -> CheckReport:
    """What of the journal at `path` can be read, and what cannot; `run`: the release
    and mode of the run it was found for, which it must be the journal of."""
    if path.is_dir():
        return CheckReport(path, (f"{path} is a directory, not a journal",))
    try:
        size = path.stat().st_size
    except OSError as exc:
        msg = f"cannot read the journal {path}: {exc.strerror}"
        raise StateError(msg) from None
    if size == 0:
        return CheckReport(path, ("the file is empty",))
    try:
        db = sqlite3.connect(read_only_uri(path) or f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return CheckReport(path, (f"SQLite cannot open it: {exc}",))
    with closing(db):
        db.row_factory = sqlite3.Row
        return _check(db, path, run)


def _check(db: sqlite3.Connection, path: Path, run: tuple[str, str] | None) -> CheckReport:
    try:
        db.execute("PRAGMA user_version").fetchone()
    except sqlite3.DatabaseError as exc:
        error = read_error(path, exc, db)
        if not isinstance(error, JournalDamagedError):
            raise error from None  # not the file's fault: permissions, I/O
    problems = quick_check(db, limit=20)
    try:
        check_format(db, path)
    except StateError as exc:
        return CheckReport(path, (*problems, exc.message))
    orphans = _rows(db, "PRAGMA foreign_key_check", problems, "foreign keys")
    problems += [f"{r[0]} row {r[1]} refers to a missing {r[2]} row" for r in orphans]
    meta = {
        r["key"]: r["value"] for r in _rows(db, "SELECT key, value FROM meta", problems, "meta")
    }
    elsewhere = misplaced(meta, *run) if run and "release" in meta else None
    if elsewhere is not None:
        problems.append(elsewhere)
    entries = _entries(db, problems)
    if not entries or entries[0].kind not in FIRST_KINDS:
        problems.append("it has no start entry")
    groups = _groups(db, problems)
    problems += _summary_problems(db, groups)
    statuses = Counter[str]()
    for group in groups:
        statuses[group.status.value] += group.count
    night, why = readable_night(meta, entries, groups)
    return CheckReport(path, tuple(problems), tuple(entries), tuple(sorted(statuses.items())),
                       night, why)  # fmt: skip


def _rows(db: sqlite3.Connection, query: str, problems: list[str], what: str) -> list[sqlite3.Row]:
    """The rows SQLite can read, up to the first it cannot."""
    found: list[sqlite3.Row] = []
    try:
        found.extend(db.execute(query))
    except sqlite3.DatabaseError as exc:
        problems.append(f"{what}: nothing after row {len(found)} can be read ({exc})")
    return found


def _entries(db: sqlite3.Connection, problems: list[str]) -> list[Entry]:
    entries = []
    for row in _rows(db, "SELECT * FROM events ORDER BY seq", problems, "events"):
        try:
            entries.append(entry_of(row))
        except (ValueError, TypeError, IndexError) as exc:
            problems.append(f"entry {row['seq']} ({row['kind']}) cannot be read: {exc}")
    return entries


def _groups(db: sqlite3.Connection, problems: list[str]) -> list[DeliveryGroup]:
    """Every delivery with its latest readable status, counted like `delivery_groups`."""
    latest: dict[int, Status] = {}
    query = "SELECT seq, delivery, at, status, code FROM delivery_log ORDER BY seq"
    for row in _rows(db, query, problems, "delivery_log"):
        try:
            dt.datetime.fromisoformat(row["at"])
            in_doubt = row["status"] == "sent" and row["code"] == "in-doubt"
            latest[row["delivery"]] = Status.IN_DOUBT if in_doubt else Status(row["status"])
        except (ValueError, TypeError) as exc:
            problems.append(f"status change {row['seq']} cannot be read: {exc}")
    counts: Counter[DeliveryGroup] = Counter()
    for row in _rows(db, "SELECT * FROM deliveries ORDER BY id", problems, "deliveries"):
        status = latest.get(row["id"])
        if status is None:
            problems.append(f"delivery {row['id']} has no status")
            continue
        key = DeliveryGroup(row["dispatch"], row["audience"], row["channel"], row["language"],
                            row["subject"], row["body"], status, 0)  # fmt: skip
        counts[key] += 1
    return [replace(key, count=n) for key, n in counts.items()]


def _summary_problems(db: sqlite3.Connection, groups: list[DeliveryGroup]) -> list[str]:
    """The summary of counts (format 2) must say what the status log says."""
    try:
        summary = Summary(db)
        if not summary.present:
            return []
        kept = _counted(summary.groups())
    except (sqlite3.DatabaseError, ValueError) as exc:
        return [f"the summary of delivery counts cannot be read ({exc})"]
    replayed = _counted(groups)
    wrong = sorted({key[0] for key in (kept - replayed) + (replayed - kept)})
    if not wrong:
        return []
    return [
        f"the summary of delivery counts disagrees with the status log for dispatch "
        f"{', '.join(map(str, wrong))}; the log is right: `gonogo journal copy` writes a "
        "copy whose summary is rebuilt from it"
    ]


def readable_night(
    meta: dict[str, str], entries: list[Entry], groups: list[DeliveryGroup]
) -> tuple[Night | None, str]:
    runbook_path = meta.get("runbook")
    if not runbook_path:
        return None, "the journal does not name its runbook"
    try:
        loaded = load_cached(Path(runbook_path))
    except (GonogoError, OSError):
        return None, f"its runbook {runbook_path} cannot be loaded"
    assert loaded.runbook is not None
    moved = parts_moved(meta, entries, loaded.runbook)
    if moved is not None:
        return None, f"its runbook {runbook_path} has changed and no longer fits: {moved}"
    try:
        return fold(entries, groups, loaded.runbook, meta.get("runbook_sha256", "")), ""
    except Exception as exc:  # noqa: BLE001  # a damaged journal may not replay at all
        return None, f"the readable entries do not replay ({type(exc).__name__}: {exc})"


def _counted(
    groups: list[DeliveryGroup],
) -> Counter[tuple[int, str, str, str, str | None, str, str]]:
    return Counter({(g.dispatch, g.audience, g.channel, g.language, g.subject, g.body,
                     g.status.value): g.count for g in groups})  # fmt: skip
