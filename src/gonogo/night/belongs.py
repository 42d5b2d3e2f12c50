"""Whether a journal and a runbook belong to the run they are found for.

A journal copied into another release's directory, or a runbook edited mid-night so
that the parts already begun are other parts now, would otherwise replay into a night
that never happened: another release's decisions shown and acted on as this one's, or
a Go given on one part attributed to another by its number. Both are refused, saying
which run, which part and what to do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from gonogo.errors import StateError
from gonogo.night.entries import ChangeAccepted, Entry, Kind
from gonogo.runbook.loader import Loaded
from gonogo.runbook.model import Runbook

REAL = "real"
REHEARSAL = "rehearsal"
PARTS = "parts"  # meta: the ids of the runbook's parts, in order, when the run began


def mode_of(meta: Mapping[str, str]) -> str | None:
    """The mode the journal says it is a run of (None: it does not say)."""
    return {"1": REHEARSAL, "0": REAL}.get(meta.get("dry_run", ""))


def _run_words(release: str | None, mode: str | None) -> str:
    kind = {REHEARSAL: "rehearsal", REAL: "real run"}.get(mode or "", "run")
    return f"release {release}'s {kind}"


def misplaced(meta: Mapping[str, str], release: str, mode: str) -> str | None:
    """Why the journal whose meta this is is not the `mode` run of `release`, or None."""
    theirs = meta.get("release")
    their_mode = mode_of(meta) or mode
    if theirs == release and their_mode == mode:
        return None
    return (
        f"it is the journal of {_run_words(theirs, their_mode)}, but it lies where "
        f"{_run_words(release, mode)} belongs"
    )


def refuse_misplaced(meta: Mapping[str, str], path: Path, release: str, mode: str) -> None:
    """Refuse a journal found in another run's place: nothing is read on from it."""
    why = misplaced(meta, release, mode)
    if why is None:
        return
    theirs = meta.get("release", "?")
    their_mode = mode_of(meta) or mode
    msg = f"the journal {path} does not belong there: {why}; nothing was done"
    hint = (
        f"put {_run_words(release, mode)} journal back in {path.parent} and keep this one "
        f"in {path.parent.parent.parent / theirs / their_mode} "
        "(`gonogo journal check` shows what it holds)"
    )
    raise StateError(msg, hint=hint)


def part_ids(runbook: Runbook) -> tuple[str, ...]:
    return tuple(part.id for part in runbook.parts)


def journaled_parts(meta: Mapping[str, str], entries: Sequence[Entry]) -> tuple[str, ...] | None:
    """The part ids the night's decisions were made on: those the run began with, or of
    the last accepted runbook change; None for a journal from before they were kept."""
    parts: tuple[str, ...] | None = None
    if meta.get(PARTS):
        parts = tuple(json.loads(meta[PARTS]))
    for entry in entries:
        if isinstance(entry.payload, ChangeAccepted) and entry.payload.parts:
            parts = entry.payload.parts
    return parts


def _begun(entries: Sequence[Entry]) -> dict[int, str]:
    """Each part the journal has begun, with what became of it (in words)."""
    begun: dict[int, str] = {}
    for entry in entries:
        part = entry.part
        if entry.kind == Kind.START:
            begun.setdefault(1, "began")
        elif entry.kind in (Kind.GO, Kind.NOGO) and part is not None:
            begun[part] = "got Go" if entry.kind == Kind.GO else "got NoGo"
            if entry.kind == Kind.GO:
                begun.setdefault(part + 1, "began")
        elif entry.kind in (Kind.HOLD, Kind.PROGRESS) and part is not None:
            begun.setdefault(part, "began")
    return begun


def parts_moved(meta: Mapping[str, str], entries: Sequence[Entry], runbook: Runbook) -> str | None:
    """Where `runbook`'s parts no longer match the parts the journal has begun (by id, in
    order), in words; None where they match, or the journal does not say."""
    if runbook.release.id != meta.get("release", runbook.release.id):
        return f"it is release {runbook.release.id}'s runbook now, the night is release " + (
            f"{meta.get('release')}'s"
        )
    then = journaled_parts(meta, entries)
    if then is None:
        return None
    now = part_ids(runbook)
    for number, what in sorted(_begun(entries).items()):
        if number > len(then):
            break
        was = then[number - 1]
        found = now[number - 1] if number <= len(now) else None
        if found == was:
            continue
        if was not in now:
            return f"part {number} '{was}' {what} and is no longer in the runbook"
        return (
            f"part {number} '{was}' {what} and is part {now.index(was) + 1} in the runbook now"
            + (f" ('{found}' is part {number})" if found else "")
        )
    return None


def accepted(started: str, entries: Sequence[Entry]) -> str:
    """The content hash the night goes on with: the start's, or the last accepted."""
    for entry in entries:
        if isinstance(entry.payload, ChangeAccepted):
            started = entry.payload.new
    return started


def refuse_other_parts(
    meta: Mapping[str, str], entries: Sequence[Entry], loaded: Loaded, started: str
) -> None:
    """Refuse a changed runbook whose parts no longer match the journal's decisions."""
    assert loaded.runbook is not None
    moved = parts_moved(meta, entries, loaded.runbook)
    if moved is not None:
        raise changed_runbook_error(loaded.path, accepted(started, entries), moved)


def changed_runbook_error(path: Path, started: str, what: str) -> StateError:
    """The runbook at `path` changed since the night started so that the journal's
    decisions no longer fit it (`what`)."""
    msg = (
        f"the runbook {path} has changed since the night started, and the night journaled "
        f"so far no longer fits it: {what}; nothing was done"
    )
    hint = (
        f"put back the runbook the night started with (sha256 {started[:12]}), e.g. from "
        "version control; --accept-changed-runbook accepts only a change that keeps the "
        "parts already begun, in their order (see README: State)"
    )
    return StateError(msg, hint=hint)
