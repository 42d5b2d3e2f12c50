"""`gonogo announce`: advance notices from a timer, before the run has started.

The run is created in its planned state if there is none, under the run's lock, so two
machines (or two ticks of a timer) that announce at once create it once; then the
executor sends what is due, also under the lock, so each notice goes out once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from gonogo.errors import TransitionError
from gonogo.night.decisions import Context, Decision
from gonogo.night.decisions.notices import NoticeState, decide_announce, notes, schedule
from gonogo.night.executor import Outcome, confirm, execute
from gonogo.night.new_run import open_new_run
from gonogo.night.places import Place, existing, locked, open_place
from gonogo.night.runs import make_run_directory, state_root
from gonogo.night.session import Session
from gonogo.night.snapshot import Night, fold
from gonogo.night.window_changes import night_plan
from gonogo.runbook.loader import Loaded
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid


def announce(session: Session, runbook_path: Path, *, send_late: bool = False) -> Outcome:
    """Send every advance notice that is due and not yet sent (safe to repeat)."""
    loaded = _with_notices(runbook_path)
    runbook = loaded.runbook
    assert runbook is not None

    def decide(ctx: Context, night: Night) -> Decision | None:
        for line in notes(ctx, schedule(ctx, night), send_late=send_late):
            session.show(line)
        return decide_announce(ctx, night, send_late=send_late)

    root = state_root(session.state_dir)
    place = Place(root, runbook.release.id, session.dry_run, session.journal_url)
    if place.url is None:
        make_run_directory(root, runbook.release.id, session.dry_run)
    zone = timeline(runbook).zone
    with locked(place, operator=session.operator, command=session.command,
                wait=session.lock_wait, zone=zone):  # fmt: skip
        if existing(place, runbook) is None:
            # No run yet: it is created with the first notice that goes out, never empty.
            ctx = Context(runbook, timeline(runbook), session.clock.now())
            decision = decide(ctx, fold((), (), runbook))
            if decision is None:
                return Outcome()
            confirm(session, decision)
            return open_new_run(session, place, loaded, decision, shift=dt.timedelta(0))
    return execute(replace(session, release=runbook.release.id), decide)


def notice_schedule(session: Session, runbook_path: Path) -> tuple[Context, list[NoticeState]]:
    """Where each notice stands, read without the lock (`announce --list`), from the
    journal `announce` writes to: this site's SQLite file or the shared database."""
    loaded = _with_notices(runbook_path)
    runbook = loaded.runbook
    assert runbook is not None
    place = Place(state_root(session.state_dir), runbook.release.id, session.dry_run,
                  session.journal_url)  # fmt: skip
    now = session.clock.now()
    if existing(place, runbook) is None:
        plan = timeline(runbook)
        ctx = Context(runbook, plan, now)
        return ctx, schedule(ctx, fold((), (), runbook))
    run = open_place(place, runbook_path)
    try:
        night = run.night()
        plan = night_plan(run.timeline(), run.runbook, night.opened, night.window)
        ctx = Context(run.runbook, plan, now)
        return ctx, schedule(ctx, night)
    finally:
        run.close()


def _with_notices(runbook_path: Path) -> Loaded:
    loaded = load_valid(runbook_path)
    assert loaded.runbook is not None
    if not loaded.runbook.notices:
        raise TransitionError(
            f"{runbook_path} has no advance notices; nothing was done",
            hint="add `notices:` to the runbook (see docs/runbook-format.md)",
        )
    return loaded
