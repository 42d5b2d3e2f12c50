"""Paths that begin alike are rehearsed once up to where they part.

Every generated path starts with the same commands (the window's start, then Go after
Go) and parts from others at a NoGo, a hold or an incident. A path that shares its
first commands with a path rehearsed before it starts from a copy of that path's state
directory as it was after those commands, with their steps as they ran then: the
commands are deterministic on the simulated clock, so running them again could only
give the same journal, outbox and output.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from gonogo.night.sqlite_lending import pass_on
from gonogo.rehearsal.scenario import Action, Scenario


@dataclass(frozen=True)
class Step:
    """One command a rehearsal ran, when, and how it ended against what was expected."""

    at: dt.datetime
    command: str
    code: int
    expected: int
    output: str

    @property
    def ok(self) -> bool:
        return self.code == self.expected


@dataclass(frozen=True)
class Fork:
    """A path's first `len(steps)` commands, as they ran: a path that starts there
    finds its state directory a copy of that path's as it was then."""

    steps: tuple[Step, ...]
    instant: dt.datetime  # the simulated clock then


def _key(action: Action) -> tuple[object, ...]:
    return (action.at, action.do, action.exit)


def plan_forks(scenarios: list[Scenario]) -> list[tuple[int, int] | None]:
    """For each scenario, (the earlier scenario it shares most commands with, how many),
    or None where it shares none."""
    out: list[tuple[int, int] | None] = []
    for i, scenario in enumerate(scenarios):
        best: tuple[int, int] | None = None
        mine = [_key(a) for a in scenario.actions]
        for j in range(i):
            theirs = scenarios[j].actions
            n = 0
            while n < min(len(mine), len(theirs)) and mine[n] == _key(theirs[n]):
                n += 1
            n = min(n, len(mine) - 1)  # a path identical to another still runs its last
            if n and (best is None or n > best[1]):
                best = (j, n)
        out.append(best)
    return out


def copy_state(source: Path, target: Path) -> None:
    """A copy of a state directory no command has open: the journal through SQLite's
    backup (a consistent copy whatever its WAL holds), the outbox's files hard-linked
    where the file system can (they are only ever replaced whole, never changed), any
    other file (the lock, written in place) copied; an interrupted write's `.tmp` left
    out. Into a new directory: whatever was at `target` is removed first, so nothing is
    ever written into a file another path shares. Walked with plain strings: a fork late
    in a long night links hundreds of outbox files."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    top = len(str(source))
    for folder, folders, files in os.walk(source):
        into = str(target) + folder[top:]
        for name in sorted(folders):
            os.makedirs(os.path.join(into, name), exist_ok=True)
        outbox = os.path.basename(folder) == "outbox"
        src, dst = folder + os.sep, into + os.sep  # names from the walk: plain, no join
        for name in sorted(files):
            path, copy = src + name, dst + name
            if name.endswith(("-wal", "-shm")):
                continue  # in the backup of the journal beside them
            if outbox and name.endswith(".tmp"):
                continue  # an interrupted write's, never the outbox's
            if name.endswith(".sqlite"):
                _backup(Path(path), Path(copy))
                pass_on(Path(path), Path(copy))  # what was read of it: checked, not reread
            elif outbox:
                try:
                    os.link(path, copy)
                except OSError:
                    shutil.copy2(path, copy)
            else:
                shutil.copy2(path, copy)


def move_state(source: Path, target: Path) -> None:
    """`copy_state`, where `source` is needed no more: renamed into place (whatever was at
    `target` removed first), with what was read of its journals passed on."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
    except OSError:  # another file system, say: a copy does as well
        copy_state(source, target)
        return
    for journal in target.rglob("*.sqlite"):
        pass_on(source / journal.relative_to(target), journal)


def _backup(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        for db in (src, dst):  # a rehearsal's throwaway copy: closing syncs nothing
            db.execute("PRAGMA synchronous=OFF")
        # nor does it make a rollback journal beside the copy (a file made and removed:
        # the copy of a failed backup is never used); it is in WAL mode as its source
        dst.execute("PRAGMA journal_mode=OFF")
        src.backup(dst)
    finally:
        dst.close()
        src.close()
