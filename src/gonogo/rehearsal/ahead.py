"""The recipients files of a rehearsal of every path, checked side by side first.

`rehearse --all-paths` checks every recipients file once (libphonenumber and
email-validator on each row) before its first command, and plans the stand-ins from
what the check found: at national scale that is the longest stretch a rehearsal runs
on one core. The files are independent, so they are checked in lanes (`side_by_side`),
one per core, and what each lane found is kept in this process (`keep_checked`); the
runbook's load then finds every file checked. Anything that cannot be read here is
left to that load, which says what is wrong as it always does.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from gonogo.errors import GonogoError
from gonogo.rehearsal.lanes import side_by_side
from gonogo.runbook.check_cache import checked_recipients, keep_checked
from gonogo.runbook.loader import load
from gonogo.runbook.recipients_file import read_limited, resolve_recipients

# Below this many bytes in all, one core checks the files sooner than two processes
# start: 21.0's few dozen rows are checked in milliseconds.
WORTH = 256 * 1024


def check_ahead(runbook: Path, jobs: int, *, worth: int = WORTH) -> int:
    """Check `runbook`'s recipients files in up to `jobs` lanes, if they hold `worth`
    bytes or more; the number of files checked."""
    if jobs < 2:
        return 0
    loaded = load(runbook)  # its structure only: the load that follows checks it all
    if loaded.runbook is None:
        return 0  # the load that follows reports why
    files: dict[Path, bytes] = {}
    for audience in loaded.runbook.audiences.values():
        if audience.recipients is None:
            continue
        try:
            path = resolve_recipients(loaded.path, audience.recipients)
            files.setdefault(path.resolve(), read_limited(path))
        except (GonogoError, OSError):
            continue  # the load that follows reports it
    named = list(files.items())
    if len(named) < 2 or sum(len(data) for _, data in named) < worth:
        return 0
    _warm(*named[0])
    work = {i: len(data) for i, (_, data) in enumerate(named)}
    try:
        found = side_by_side(work, jobs, lambda i: checked_recipients(*named[i]))
    except GonogoError:  # a file that cannot be checked: the load says where and what
        return 0
    for i, result in found.items():
        keep_checked(*named[i], result)
    return len(found)


def _warm(path: Path, data: bytes) -> None:
    """The header and first row checked here, before the lanes fork: what the libraries
    load on first use (a country's numbering plan) is then loaded once, not per lane."""
    from gonogo.runbook.recipients import load_recipients  # noqa: PLC0415

    with contextlib.suppress(GonogoError):  # the load that follows reports it
        load_recipients(path, b"\n".join(data.split(b"\n", 2)[:2]))
