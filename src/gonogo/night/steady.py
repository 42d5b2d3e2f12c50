"""What a rehearsal's commands read, read once: one memo for the whole process.

A command checks that the runbook and its recipients files are still what the night
started with (`content_hash`). A rehearsal runs hundreds of commands in one process
within a second on files nobody edits meanwhile: inside `steady_files()` each file is
read and hashed once. The journal keeps its decoded entries and delivery counts in the
same memo (`remember`, `recall`); those are checked against the file before each use
(`entry_memo`), not taken to be steady.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from gonogo.runbook.loader import Loaded


def steady_sha256(path: Path) -> str:
    """The file's SHA-256 (once inside `steady_files()`)."""
    return steady(("sha256", path), lambda: hashlib.sha256(path.read_bytes()).hexdigest())


# Set inside `steady_files()`: what was read of the files, by what was asked.
_STEADY: ContextVar[dict[object, Any] | None] = ContextVar("steady_files", default=None)
_T = TypeVar("_T")


@contextmanager
def steady_files() -> Iterator[None]:
    """Inside it, the runbook and recipients files are taken not to change: each is read
    and hashed once, not again by every command. For a rehearsal, whose commands run in
    one process within a second; a real night's commands each read them afresh."""
    if _STEADY.get() is not None:
        yield
        return
    token = _STEADY.set({})
    try:
        yield
    finally:
        _STEADY.reset(token)


def steady(key: object, compute: Callable[[], _T]) -> _T:
    memo = _STEADY.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def steady_for(owner: object, key: object, compute: Callable[[], _T]) -> _T:
    """`steady` for what is computed from an object rather than a file (a runbook's plan),
    by that object's identity (`held_for`)."""
    memo = _STEADY.get()
    return compute() if memo is None else held_for(memo, owner, key, compute)


def held_for(memo: dict[Any, Any], owner: object, key: object, compute: Callable[[], _T]) -> _T:
    """`compute()` kept in `memo` under `owner`'s identity and `key`. The memo holds the
    object with the value, so no other object can come to have its id while it is kept."""
    slot = (id(owner), key)
    if slot not in memo:
        memo[slot] = (owner, compute())
    return memo[slot][1]  # type: ignore[no-any-return]


def recall(key: str, kind: type[_T]) -> _T | None:
    """What was kept under `key` inside `steady_files()`, if it is a `kind`."""
    memo = _STEADY.get()
    found = None if memo is None else memo.get(key)
    return found if isinstance(found, kind) else None


def remembering() -> bool:
    """Whether this runs inside `steady_files()` (a rehearsal)."""
    return _STEADY.get() is not None


def remember(key: str, value: object) -> None:
    """Keep `value` under `key` for the rest of `steady_files()` (outside it, nothing)."""
    memo = _STEADY.get()
    if memo is not None:
        memo[key] = value


def content_hash(loaded: Loaded) -> str:
    """The runbook's bytes and its recipients files': what the night sends depends on both."""
    return steady(("content", loaded.path), lambda: _content_hash(loaded))


def _content_hash(loaded: Loaded) -> str:
    digest = hashlib.sha256(loaded.path.read_bytes())
    runbook = loaded.runbook
    if runbook is not None:
        for name, audience in sorted(runbook.audiences.items()):
            if audience.recipients:
                csv = loaded.path.parent / audience.recipients
                digest.update(f"\0{name}\0".encode())
                digest.update(csv.read_bytes() if csv.is_file() else b"")
    return digest.hexdigest()
