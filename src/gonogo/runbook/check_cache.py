"""Recipients-file checks remembered across runs, under a hash of what they depend on.

Checking a recipients file parses and validates every phone number (phonenumbers) and
e-mail address (email-validator). Importing the two alone costs `gonogo validate`
about 30 ms, and a real file of thousands of rows costs more than all the rest of the
check; yet pre-commit and CI validate on every commit while recipients rarely change.
What the check finds depends only on the file's bytes, on gonogo's check and on the
two libraries, so it is stored under a hash of exactly those and reused.

The key is made of content and versions, not of paths or times, so that a CI job that
keeps the directory between runs (in a fresh virtualenv each time) finds its entries.
Entries not used for 30 days are removed whenever a new one is written.

The cache is a convenience, never a source of truth: an entry that is missing, cannot
be read or does not parse, or a directory that cannot be written, only means the file
is checked afresh. A file that cannot be checked (not UTF-8, say) is never cached.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import gonogo
from gonogo.runbook.diagnostics import RecipientProblem

if TYPE_CHECKING:
    from gonogo.runbook.recipients import Recipient

CACHE_DIR_ENV = "GONOGO_CACHE_DIR"
# Bump when the entry format or the meaning of a cached result changes.
_FORMAT = "gonogo recipients check, entry format 1"
# What the check runs on: email-validator uses idna for international domain names.
# detect-secrets: no longer quoted from, kept so an old entry is never taken as new.
_LIBRARIES = ("phonenumbers", "email_validator", "idna", "detect_secrets")
_UNUSED_FOR = 30 * 24 * 3600  # seconds an entry may go unread before it is removed


def default_cache_dir() -> Path | None:
    """$GONOGO_CACHE_DIR, else $XDG_CACHE_HOME/gonogo, else ~/.cache/gonogo.

    None (no cache) when there is no home directory to put it in.
    """
    if configured := os.environ.get(CACHE_DIR_ENV):
        return Path(configured)
    if xdg := os.environ.get("XDG_CACHE_HOME"):
        return Path(xdg) / "gonogo"
    try:
        home = Path.home()
    except (RuntimeError, KeyError):  # no $HOME and no passwd entry
        return None
    # Python 3.11 returns "~" itself when it finds no home: a cache there would land
    # in whatever directory validate runs in.
    return home / ".cache" / "gonogo" if home.is_absolute() else None


def recipient_problems(
    path: Path, data: bytes, cache_dir: Path | None
) -> tuple[RecipientProblem, ...]:
    """Every problem in the recipients file at `path`, whose bytes are `data`, from the
    cache when it has them.

    Raises `RunbookError` when the file cannot be decoded, as the check does; such a
    file is never cached. Only problems are stored, and they quote nothing of the file.
    """
    if cache_dir is None:
        return _check(path, data)
    entry = cache_dir / "recipients" / f"{_key(data)}.json"
    cached = _read_entry(entry)
    if cached is not None:
        return cached
    problems = _check(path, data)
    _write_entry(entry, problems)
    return problems


def _check(path: Path, data: bytes) -> tuple[RecipientProblem, ...]:
    _recipients, problems = checked_recipients(path, data)
    return tuple(problems)


# Files' results, so that `start` checks each file once: its runbook check and its
# dispatch plan both ask (a runbook may have dozens of audiences). Bounded in files and
# in recipients: `validate` of many runbooks must not hold them all.
_CHECKED: dict[tuple[Path, bytes], tuple[list[Recipient], list[RecipientProblem]]] = {}
_KEEP = 64
_KEEP_RECIPIENTS = 250_000


def checked_recipients(path: Path, data: bytes) -> tuple[list[Recipient], list[RecipientProblem]]:
    """`load_recipients(path, data)`, once per process for the same file and bytes."""
    from gonogo.runbook.recipients import load_recipients  # noqa: PLC0415  # ~30 ms

    found = _CHECKED.get(_memo_key(path, data))
    if found is None:
        found = load_recipients(path, data)
        keep_checked(path, data, found)
    return found


def keep_checked(
    path: Path, data: bytes, found: tuple[list[Recipient], list[RecipientProblem]]
) -> None:
    """What `checked_recipients(path, data)` returns from now on in this process: what it
    found, here or in a process forked from this one (`rehearsal.ahead`)."""
    _CHECKED[_memo_key(path, data)] = found
    held = sum(len(recipients) for recipients, _problems in _CHECKED.values())
    while len(_CHECKED) > _KEEP or (len(_CHECKED) > 1 and held > _KEEP_RECIPIENTS):
        oldest = next(iter(_CHECKED))  # the newest, `found`, is always kept
        held -= len(_CHECKED.pop(oldest)[0])


def _memo_key(path: Path, data: bytes) -> tuple[Path, bytes]:
    return path.resolve(), hashlib.sha256(data).digest()


def _key(data: bytes) -> str:
    digest = hashlib.sha256(_checker_identity())
    digest.update(data)
    return digest.hexdigest()


@functools.cache
def _checker_identity() -> bytes:
    """What a result depends on besides the file: the entry format, gonogo's check (the
    source of recipients.py and addresses.py), Python (csv's messages) and the installed
    versions of the libraries, read from their dist-info directories without importing
    them."""
    here = Path(__file__).parent
    # The check and its messages (an entry written while they quoted the file is not read).
    names = ("recipients.py", "addresses.py", "secrets.py")
    sources = [(here / name).read_bytes() for name in names]
    parts = [_FORMAT, gonogo.__version__, sys.version]
    parts += [hashlib.sha256(source).hexdigest() for source in sources]
    parts += [_library_version(name) for name in _LIBRARIES]
    return "\n".join(parts).encode()


def _library_version(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return f"{module}: not installed"
    origin = Path(spec.origin)
    try:
        installed = os.listdir(origin.parent.parent)
    except OSError:
        installed = []
    # Wheels install `<name>-<version>.dist-info`, the name with - and . written _.
    prefix = f"{module.lower()}-"
    found = sorted(n for n in installed if n.lower().startswith(prefix) and n.endswith("-info"))
    if found:
        return f"{module}: {' '.join(found)}"
    try:  # not installed from a wheel: the file itself, as it is now
        stat = origin.stat()
    except OSError:
        return f"{module}: {origin}"
    return f"{module}: {origin} {stat.st_mtime_ns} {stat.st_size}"


def _read_entry(entry: Path) -> tuple[RecipientProblem, ...] | None:
    import json  # noqa: PLC0415  # only when a file has recipients

    try:
        rows = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(rows, list):
        return None
    problems = []
    for row in rows:
        match row:
            case [int(line), int(column), ("error" | "warning") as severity, str(message)]:
                problems.append(RecipientProblem(line, column, message, severity))
            case _:
                return None  # not ours, or damaged: check the file afresh
    with contextlib.suppress(OSError):
        os.utime(entry)  # used: not pruned for another 30 days
    return tuple(problems)


def _write_entry(entry: Path, problems: tuple[RecipientProblem, ...]) -> None:
    import json  # noqa: PLC0415
    import tempfile  # noqa: PLC0415

    rows = [[p.line, p.column, p.severity, p.message] for p in problems]
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=entry.parent, suffix=".tmp")
    except OSError:
        return
    # Written whole, then renamed: a reader never sees half an entry, and two validate
    # runs writing the same entry at once both leave a complete one.
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(rows, out, ensure_ascii=False)
        os.replace(temporary, entry)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        return
    _prune(entry.parent, keep=entry)


def _prune(directory: Path, keep: Path) -> None:
    """Remove entries nobody has read for 30 days (and temporary files left by a crash)."""
    cutoff = time.time() - _UNUSED_FOR
    try:
        candidates = list(directory.iterdir())
    except OSError:
        return
    for path in candidates:
        try:
            if path != keep and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue  # gone already, or not ours to remove
