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
from gonogo.night.executor import Outcome, execute
from gonogo.night.lock import run_lock
from gonogo.night.runs import create_run, existing_night, open_run, run_directory, state_root
from gonogo.night.session import Session
from gonogo.night.snapshot import Night, fold
from gonogo.night.window_changes import adjusted
from gonogo.runbook.loader import Loaded
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid


def announce(session: Session, runbook_path: Path, *, send_late: bool = False) -> Outcome:
    """Send every advance notice that is due and not yet sent (safe to repeat)."""
    loaded = _with_notices(runbook_path)
    release = _ensure_run(session, loaded)

    def decide(ctx: Context, night: Night) -> Decision | None:
        for line in notes(ctx, schedule(ctx, night), send_late=send_late):
            session.show(line)
        return decide_announce(ctx, night, send_late=send_late)

    return execute(replace(session, release=release), decide)


def notice_schedule(session: Session, runbook_path: Path) -> tuple[Context, list[NoticeState]]:
    """Where each notice stands, read without the lock (`announce --list`)."""
    loaded = _with_notices(runbook_path)
    runbook = loaded.runbook
    assert runbook is not None
    directory = run_directory(state_root(session.state_dir), runbook.release.id,
                              session.dry_run)  # fmt: skip
    now = session.clock.now()
    if existing_night(directory, runbook) is None:
        plan = timeline(runbook)
        ctx = Context(runbook, plan, now)
        return ctx, schedule(ctx, fold((), (), runbook))
    run = open_run(directory)
    try:
        night = run.night()
        ctx = Context(run.runbook, adjusted(run.timeline(), night.window), now)
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


def _ensure_run(session: Session, loaded: Loaded) -> str:
    """The release's run, created in its planned state (no entries) if there is none."""
    runbook = loaded.runbook
    assert runbook is not None
    root = state_root(session.state_dir)
    directory = run_directory(root, runbook.release.id, session.dry_run)
    directory.mkdir(parents=True, exist_ok=True)
    with run_lock(
        directory / "lock", operator=session.operator, command=session.command,
        wait=session.lock_wait,
    ):  # fmt: skip
        if existing_night(directory, runbook) is None:
            now = session.clock.now()
            shift = dt.timedelta(0)  # a rehearsal's `start --dry-run` moves the plan later
            create_run(root, loaded, dry_run=session.dry_run, shift=shift, at=now).close()
    return runbook.release.id
