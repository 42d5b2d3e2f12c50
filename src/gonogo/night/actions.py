"""Every operator action, one function each: the request in, the executor's outcome out.

The CLI calls one of these per command. Each names its pure decision (`decisions/`)
and hands it to the executor, which does the rest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gonogo.errors import TransitionError
from gonogo.night.decisions import Context, beside, changes, deliveries, window
from gonogo.night.executor import Outcome, confirm, execute, journal_and_send, prepare
from gonogo.night.lock import run_lock
from gonogo.night.runs import create_run, existing_night, run_directory, state_root
from gonogo.night.session import Session
from gonogo.night.snapshot import fold
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid


def start(session: Session, runbook_path: Path) -> Outcome:
    """Open the window: create the run and send the window-started message."""
    loaded = load_valid(runbook_path)
    assert loaded.runbook is not None
    runbook = loaded.runbook
    now = session.clock.now()
    plan = timeline(runbook)
    decision = window.decide_start(Context(runbook, plan, now), dry_run=session.dry_run)
    confirm(session, decision)
    shift = now - plan.window_start if session.dry_run else dt.timedelta(0)
    root = state_root(session.state_dir)
    directory = run_directory(root, runbook.release.id, session.dry_run)
    directory.mkdir(parents=True, exist_ok=True)
    with run_lock(
        directory / "lock", operator=session.operator, command=session.command,
        wait=session.lock_wait,
    ):  # fmt: skip
        found = existing_night(directory, runbook)
        if found is not None and found.window.cancelled is not None:
            msg = f"release {runbook.release.id}'s window was cancelled ({found.window.cancelled})"
            raise TransitionError(msg, hint="nothing was sent")
        if found is not None and found.started:
            kind = "rehearsal" if session.dry_run else "run"
            msg = f"release {runbook.release.id} already has a {kind} in {directory}"
            raise TransitionError(msg, hint="see where it stands with `gonogo status`")
        base = loaded.path.parent
        planned = prepare(session, runbook, base, decision, dry_run=session.dry_run)
        run = create_run(root, loaded, dry_run=session.dry_run, shift=shift, at=now)
        try:
            night = fold((), (), runbook, run.started_sha256)
            return journal_and_send(session, run, night, decision, planned)
        finally:
            run.close()


def step(
    session: Session,
    trigger: str,
    part_ref: str | None = None,
    reason: str | None = None,
    *,
    override_verification: bool = False,
) -> Outcome:
    """Go, NoGo, hold, progress, rollback-done, end."""
    return execute(
        session,
        lambda ctx, night: window.decide_step(
            ctx, night, trigger, part_ref, reason, override_verification=override_verification
        ),
    )


def resume(session: Session) -> Outcome:
    """Finish whatever dispatch a crash interrupted (every changing command does this too)."""
    outcome = execute(session, lambda _ctx, _night: None)
    if not outcome.dispatches:
        session.show("Nothing to resume: every dispatch is finished.")
    return outcome


def retry_failed(session: Session) -> Outcome:
    outcome = execute(session, lambda _ctx, night: deliveries.retry_failed(night))
    if not outcome.journaled and not outcome.dispatches:
        session.show("No failed deliveries.")
    return outcome


def settle(session: Session, action: str, reason: str) -> Outcome:
    return execute(session, lambda _ctx, night: deliveries.settle(night, action, reason))


def open_incident(
    session: Session,
    priority: int,
    summary: str,
    services: list[str],
    audiences: list[str] | None,
    light: str | None,
) -> Outcome:
    return execute(
        session,
        lambda ctx, night: beside.open_incident(
            ctx, night, priority, summary, services, audiences, light
        ),
    )


def update_incident(session: Session, incident_id: str, summary: str) -> Outcome:
    return execute(
        session, lambda ctx, night: beside.update_incident(ctx, night, incident_id, summary)
    )


def resolve_incident(session: Session, incident_id: str, summary: str | None) -> Outcome:
    return execute(
        session, lambda ctx, night: beside.resolve_incident(ctx, night, incident_id, summary)
    )


def disruption(session: Session, summary: str, services: list[str]) -> Outcome:
    return execute(session, lambda ctx, _night: beside.disruption(ctx, summary, services))


def set_light(session: Session, service: str, colour: str, reason: str) -> Outcome:
    return execute(session, lambda ctx, _night: beside.set_light(ctx, service, colour, reason))


def verify_start(session: Session) -> Outcome:
    return execute(session, beside.verify_start)


def verify_report(session: Session, participant: str, result: str, note: str | None) -> Outcome:
    return execute(
        session,
        lambda ctx, night: beside.verify_report(ctx, night, participant, result, note),
    )


def reschedule(
    session: Session, day: dt.date, start: dt.time | None, end: dt.time | None, reason: str
) -> Outcome:
    return execute(
        session, lambda ctx, night: changes.reschedule(ctx, night, day, start, end, reason)
    )


def cancel(session: Session, reason: str) -> Outcome:
    return execute(session, lambda ctx, night: changes.cancel(ctx, night, reason))


def extend(session: Session, until: dt.time, reason: str) -> Outcome:
    return execute(session, lambda ctx, night: changes.extend(ctx, night, until, reason))
