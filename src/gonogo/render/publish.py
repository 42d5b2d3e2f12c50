"""The operational-information site: status.json, feed.xml, index.html, calendar.ics.

Built from the runbooks and the journals alone: the state directory's, or the runs of a
shared journal (`--journal URL`), which give the same bytes for the same night. The same
input gives the same bytes: every time shown comes from a runbook or a journal, the build
time is SOURCE_DATE_EPOCH or the latest journaled moment (the clock only caps it, so
nothing is dated in the future), ordering is fixed and identifiers are derived from
release and incident ids.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
from pathlib import Path

from gonogo.errors import StateError
from gonogo.night.belongs import REHEARSAL
from gonogo.night.pg_url import masked
from gonogo.night.runs import JOURNAL
from gonogo.render.calendar_ics import calendar
from gonogo.render.feed import feed
from gonogo.render.site_page import page
from gonogo.render.site_sources import build_time, sources, started_runs
from gonogo.render.status_json import status


def _write_all(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Every file written beside its place first and renamed into place only when all
    are: a full disk or any write error leaves the old site whole and no temporary file
    behind. Each rename is atomic: a reader sees an old file or a new one, never half."""
    out.mkdir(parents=True, exist_ok=True)
    temporaries: dict[Path, Path] = {}  # each file's temporary, in the same directory
    replaced = 0
    path = out
    try:
        for name, data in files.items():
            path = out / name
            temporary = out / f".{name}.{os.getpid()}.tmp"
            temporary.unlink(missing_ok=True)  # a crashed publish's: its process is gone
            # O_EXCL: a pipe or link put there meanwhile is refused, not written through.
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            temporaries[path] = temporary
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())  # some file systems say they are full only here
        for path in temporaries:
            if path.is_dir() and not path.is_symlink():  # the one thing a rename refuses
                raise IsADirectoryError(errno.EISDIR, "a directory is in its place")
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
            replaced += 1
    except BaseException as exc:
        for temporary in temporaries.values():
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        kept = (f"files replaced: {replaced} of {len(files)}" if replaced
                else f"the site in {out} is as it was")  # fmt: skip
        raise StateError(
            f"could not write {path}: {exc.strerror or exc}; {kept}",
            hint=f"make room on the disk of {out}, or fix what is named, then publish again",
        ) from exc
    return list(temporaries)


def site_url(base_url: str) -> str:
    """The site's address as links are built from it: empty, or ending in one slash."""
    return base_url.rstrip("/") + "/" if base_url else ""


def refuse_empty(root: Path, *, dry_run: bool, url: str | None = None) -> None:
    """An empty site would blank a status page people rely on: say why there is nothing."""
    if url is None:
        where = str(root)
        found = root.glob(f"*/{REHEARSAL}/{JOURNAL}")
        rehearsals = sorted(p.parent.parent.name for p in found)
    else:
        where = masked(url)
        rehearsals = [r for r, rehearsal in started_runs(root, url, dry_run=True) if rehearsal]
    if rehearsals and not dry_run:
        why = f"{where} has only rehearsals ({', '.join(rehearsals)}); --dry-run publishes them"
    else:
        why = f"no run in {where} and no --runbook to announce"
    raise StateError(
        f"nothing to publish: {why}",
        hint="--allow-empty publishes an empty site anyway (it replaces the current one)",
    )


def publish(
    root: Path,
    out: Path,
    *,
    dry_run: bool,
    runbooks: list[Path],
    base_url: str = "",
    allow_empty: bool = False,
    now: dt.datetime | None = None,
    url: str | None = None,
) -> list[Path]:
    """Write the four files into `out`; returns their paths. `url`: the runs are those
    of that shared journal, not of the state directory.

    Refuses (StateError) when there is nothing to show, unless `allow_empty`.
    """
    found = sources(root, dry_run=dry_run, runbooks=runbooks, url=url)
    if not found and not allow_empty:
        refuse_empty(root, dry_run=dry_run, url=url)
    base_url = site_url(base_url)
    try:
        built = build_time(found, runbooks, now or dt.datetime.now(dt.UTC))
        state = status(found, built)
        files = {
            "status.json": (json.dumps(state, ensure_ascii=False, indent=2) + "\n").encode(),
            "feed.xml": feed(found, state, base_url),
            "index.html": page(found, state).encode(),
            "calendar.ics": calendar(found, built),
        }
    finally:
        for source in found:
            if source.view is not None:
                source.view.run.close()
    return _write_all(out, files)
