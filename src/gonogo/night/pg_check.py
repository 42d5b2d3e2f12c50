"""A shared run's damage checks: what `runs.checked_entries`, `sqlite_format` and
`sqlite_check` do for a journal file, for one run of a PostgreSQL journal.

Every command that opens a shared run refuses one that is not whole (exit 1, nothing
written): its meta must name the run, every entry must parse, the first must open a
run (`runs.FIRST_KINDS`) and every status change must name a status. A schema newer
than this gonogo knows is refused when connecting (`pg_connect.py`). `gonogo journal
check --journal URL` lists every problem and where the night stands by what is readable.
Messages name the server by its masked URL and the run by release and mode.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from gonogo.errors import JournalDamagedError, StateError
from gonogo.night.belongs import misplaced
from gonogo.night.entries import Entry, Kind, decode
from gonogo.night.journal import DeliveryGroup, Status
from gonogo.night.pg_journal import PgJournal, Row, find_run
from gonogo.night.pg_url import masked
from gonogo.night.runs import FIRST_KINDS, META_KEYS
from gonogo.night.sqlite_check import CheckReport, readable_night

DAMAGED_HINT = (
    "see what is readable with `gonogo journal check` (same --journal URL); "
    "nothing was written to the run"
)
KNOWN_STATUSES = [s.value for s in Status]


def run_name(url: str, release: str, mode: str) -> str:
    return f"{masked(url)} ({mode} run of release {release})"


def damaged(name: str, what: str) -> JournalDamagedError:
    return JournalDamagedError(f"the journal {name} is damaged: {what}", hint=DAMAGED_HINT)


def entry_of(row: Row) -> Entry:
    """One `gonogo_events` row (`EVENT_COLUMNS`) as an entry; ValueError or TypeError if
    it does not parse."""
    seq, at, operator, kind, part, reason, data, sha = row
    known = Kind(kind)
    try:
        payload = decode(known, json.loads(data))
    except AttributeError as exc:
        raise TypeError(str(exc)) from None
    return Entry(seq, dt.datetime.fromisoformat(at), operator, known, part, reason, payload, sha)


def _entries(rows: list[Row], problems: list[str]) -> list[Entry]:
    entries = []
    for row in rows:
        try:
            entries.append(entry_of(row))
        except (ValueError, TypeError) as exc:
            problems.append(f"entry {row[0]} ({row[3]}) cannot be read: {exc}")
    return entries


def checked_entries(journal: PgJournal, release: str, mode: str) -> list[Entry]:
    """The run's entries, refusing (JournalDamagedError) a run that is not whole."""
    name = run_name(journal.url, release, mode)
    meta = journal.meta()
    missing = [key for key in META_KEYS if key not in meta]
    if missing:
        raise damaged(name, f"it does not name the run's {', '.join(missing)}")
    elsewhere = misplaced(meta, release, mode)
    if elsewhere is not None:
        raise StateError(f"the journal {name} does not belong there: {elsewhere}; nothing was done")
    problems: list[str] = []
    entries = _entries(journal.raw_events(), problems)
    if problems:
        raise damaged(name, problems[0])
    if not entries or entries[0].kind not in FIRST_KINDS:
        raise damaged(name, "it has no start entry")
    bad = journal.first_unknown_status(KNOWN_STATUSES)
    if bad is not None:
        raise damaged(name, f"status change {bad} cannot be read")
    return entries


def open_checked(url: str, release: str, mode: str) -> PgJournal | None:
    """The run's journal, checked whole; None where the database has no such run."""
    run = find_run(url, release, mode)
    if run is None:
        return None
    journal = PgJournal(url, run)
    try:
        checked_entries(journal, release, mode)
    except BaseException:
        journal.close()
        raise
    return journal


def check_run(url: str, release: str, mode: str, runbook: Path | None = None) -> CheckReport:
    """What of the run can be read, and what cannot (`gonogo journal check`); the night
    is derived with `runbook`, this site's copy, where given."""
    name = run_name(url, release, mode)
    run = find_run(url, release, mode)
    if run is None:
        raise StateError(f"no {mode} run of release {release} in {masked(url)}")
    journal = PgJournal(url, run)
    try:
        meta = journal.meta()
        problems = [f"it does not name the run's {key}" for key in META_KEYS if key not in meta]
        elsewhere = misplaced(meta, release, mode) if "release" in meta else None
        problems += [elsewhere] if elsewhere else []
        entries = _entries(journal.raw_events(), problems)
        if not entries or entries[0].kind not in FIRST_KINDS:
            problems.append("it has no start entry")
        groups = _groups(journal, problems)
    finally:
        journal.close()
    statuses = Counter[str]()
    for group in groups:
        statuses[group.status.value] += group.count
    if runbook is not None:
        meta = {**meta, "runbook": str(runbook)}
    night, why = readable_night(meta, entries, groups)
    return CheckReport(name, tuple(problems), tuple(entries), tuple(sorted(statuses.items())),
                       night, why)  # fmt: skip


def _groups(journal: PgJournal, problems: list[str]) -> list[DeliveryGroup]:
    """Every delivery with its latest readable status, counted like `delivery_groups`.
    Status changes are numbered in the run's order, as a copy to a file numbers them."""
    latest: dict[int, Status] = {}
    for number, (delivery, at, status, _pid, code, _reason) in enumerate(journal.raw_log(), 1):
        try:
            dt.datetime.fromisoformat(at)
            in_doubt = status == "sent" and code == "in-doubt"
            latest[delivery] = Status.IN_DOUBT if in_doubt else Status(status)
        except (ValueError, TypeError) as exc:
            problems.append(f"status change {number} cannot be read: {exc}")
    counts: Counter[DeliveryGroup] = Counter()
    for row in journal.raw_deliveries():  # DELIVERY_COLUMNS
        id_, dispatch, channel, audience, _address, _name, language, subject, body = row
        found = latest.get(id_)
        if found is None:
            problems.append(f"delivery {id_} has no status")
            continue
        key = DeliveryGroup(dispatch, audience, channel, language, subject, body, found, 0)
        counts[key] += 1
    return [replace(key, count=n) for key, n in counts.items()]
