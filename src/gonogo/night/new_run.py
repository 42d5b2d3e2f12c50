"""A run that does not exist yet, created together with its first decision.

The journal is built under a temporary name and takes its real name only once the
first entry (the window's start, or the first advance notice) and its dispatch rows
are committed: a crash before that leaves no run, never a half-made one.
"""

from __future__ import annotations

import datetime as dt

from gonogo.night.decisions import Decision
from gonogo.night.executor import Outcome, commit, journal_and_send, prepare, send
from gonogo.night.places import Place, create_shared
from gonogo.night.run_files import create_run, discard, publish
from gonogo.night.session import Session
from gonogo.night.snapshot import fold
from gonogo.render.send_words import language_of
from gonogo.runbook.loaded import Loaded


def open_new_run(
    session: Session, place: Place, loaded: Loaded, decision: Decision, *, shift: dt.timedelta
) -> Outcome:
    """Create the run with `decision` as its first entry, then send what it sends.

    In a shared (PostgreSQL) journal the run and its first entry are one transaction
    already; the SQLite file is built under a temporary name and named once committed.
    """
    runbook = loaded.runbook
    assert runbook is not None
    base = loaded.path.parent
    planned = prepare(session, runbook, base, decision, dry_run=session.dry_run)
    now = session.clock.now()
    if place.url is not None:
        run = create_shared(place, loaded, shift=shift, at=now)
        try:
            night = fold((), (), runbook, run.started_sha256)
            return journal_and_send(session, run, night, decision, planned)
        finally:
            run.close()
    run = create_run(place.root, loaded, dry_run=session.dry_run, shift=shift, at=now)
    try:
        night = fold((), (), runbook, run.started_sha256)
        seqs = commit(session, run, night.accepted_sha256, decision, planned)
    except BaseException:
        discard(run)
        raise
    try:
        publish(run)
        return Outcome(send(session, run, seqs), journaled=True, note=decision.note,
                       language=language_of(runbook.release.language))  # fmt: skip
    finally:
        run.close()
