"""A run that does not exist yet, created together with its first decision.

The journal is built under a temporary name and takes its real name only once the
first entry (the window's start, or the first advance notice) and its dispatch rows
are committed: a crash before that leaves no run, never a half-made one.
"""

from __future__ import annotations

import datetime as dt

from gonogo.night.decisions import Decision
from gonogo.night.executor import Outcome, commit, prepare, send
from gonogo.night.runs import create_run, discard, publish, state_root
from gonogo.night.session import Session
from gonogo.night.snapshot import fold
from gonogo.runbook.loaded import Loaded


def open_new_run(
    session: Session, loaded: Loaded, decision: Decision, *, shift: dt.timedelta
) -> Outcome:
    """Create the run with `decision` as its first entry, then send what it sends."""
    runbook = loaded.runbook
    assert runbook is not None
    base = loaded.path.parent
    planned = prepare(session, runbook, base, decision, dry_run=session.dry_run)
    root = state_root(session.state_dir)
    run = create_run(root, loaded, dry_run=session.dry_run, shift=shift,
                     at=session.clock.now())  # fmt: skip
    try:
        night = fold((), (), runbook, run.started_sha256)
        seqs = commit(session, run, night.accepted_sha256, decision, planned)
    except BaseException:
        discard(run)
        raise
    try:
        publish(run)
        return Outcome(send(session, run, seqs), journaled=True, note=decision.note)
    finally:
        run.close()
