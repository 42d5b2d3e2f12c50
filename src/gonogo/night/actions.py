"""Every operator action, one function each: the request in, the executor's outcome out.

The CLI calls one of these per command. Each names its pure decision (`decisions/`)
and hands it to the executor, which does the rest.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from gonogo.errors import StateError, TransitionError
from gonogo.night.decisions import Context, beside, changes, deliveries, window
from gonogo.night.executor import Outcome, confirm, execute, journal_and_send, prepare
from gonogo.night.new_run import open_new_run
from gonogo.night.places import Place, existing, locked, open_place, remember_runbook
from gonogo.night.runs import load_cached, make_run_directory, state_root
from gonogo.night.session import Session
from gonogo.night.steady import content_hash
from gonogo.render.send_words import language_of, word
from gonogo.runbook.loader import Loaded
from gonogo.runbook.timeline import timeline


def start(session: Session, runbook_path: Path) -> Outcome:
    """Open the window: send the window-started message, in a new run, in the planned
    run that advance notices made, or (a shared journal) join a night already started."""
    loaded = load_cached(runbook_path)  # once per process (a rehearsal starts many runs)
    assert loaded.runbook is not None
    runbook = loaded.runbook
    now = session.clock.now()
    plan = timeline(runbook)
    decision = window.decide_start(Context(runbook, plan, now), dry_run=session.dry_run)
    confirm(session, decision)
    shift = now - plan.window_start if session.dry_run else dt.timedelta(0)
    root = state_root(session.state_dir)
    place = Place(root, runbook.release.id, session.dry_run, session.journal_url)
    if place.url is None:
        make_run_directory(root, runbook.release.id, session.dry_run)
    with locked(place, operator=session.operator, command=session.command,
                wait=session.lock_wait, zone=plan.zone):  # fmt: skip
        found = existing(place, runbook)
        if found is None:
            return open_new_run(session, place, loaded, decision, shift=shift)
        if found.window.cancelled is not None:
            msg = f"release {runbook.release.id}'s window was cancelled ({found.window.cancelled})"
            raise TransitionError(msg, hint="nothing was sent")
        if found.started:
            if place.url is not None:
                return _join(session, place, loaded, found.accepted_sha256)
            kind = "rehearsal" if session.dry_run else "run"
            msg = f"release {runbook.release.id} already has a {kind} in {place.directory}"
            raise TransitionError(msg, hint="see where it stands with `gonogo status`")
        # The planned run advance notices made: the window opens in the same journal.
        run = open_place(place)
        try:
            night = run.night()
            planned = prepare(session, runbook, loaded.path.parent, decision,
                              dry_run=session.dry_run)  # fmt: skip
            return journal_and_send(session, run, night, decision, planned)
        finally:
            run.close()


def _join(session: Session, place: Place, loaded: Loaded, accepted: str) -> Outcome:
    """A shared night already started elsewhere: this site's runbook joins it if it matches."""
    mine = content_hash(loaded)
    if mine != accepted:
        msg = (
            f"the runbook {loaded.path} differs from the one the night goes on with "
            f"(sha256 {accepted[:12]} journaled, {mine[:12]} here); nothing was done"
        )
        raise StateError(msg, hint="use the night's runbook, or accept the change from a "
                         "site that has it (--accept-changed-runbook)")  # fmt: skip
    remember_runbook(place, loaded.path)
    language = language_of(loaded.runbook.release.language) if loaded.runbook else "en"
    session.show(word(language, "joined", release=place.release))
    return Outcome(language=language)


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
        session.show(word(outcome.language, "nothing to resume"))
    return outcome


def retry_failed(session: Session) -> Outcome:
    outcome = execute(
        session,
        lambda ctx, night: deliveries.retry_failed(
            night, language_of(ctx.runbook.release.language)
        ),
    )
    if not outcome.journaled and not outcome.dispatches:
        session.show(word(outcome.language, "no failed"))
    return outcome


def settle(session: Session, action: str, reason: str) -> Outcome:
    return execute(
        session,
        lambda ctx, night: deliveries.settle(
            night, action, reason, language_of(ctx.runbook.release.language)
        ),
    )


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
