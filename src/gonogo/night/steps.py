"""The steps an operator takes: start, go, nogo, hold, progress, rollback-done, end.

Each step: lock the run, replay the journal, check the request against the machine,
show what will go out and confirm, then journal the decision together with its
dispatches' recipients in one transaction, and only then send.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from transitions import MachineError

from gonogo.errors import GonogoError, StateError, TransitionError
from gonogo.night.clock import Clock
from gonogo.night.dispatch import PlannedDispatch, plan_dispatch, values_for
from gonogo.night.lock import run_lock
from gonogo.night.machine import (
    COMPLETED,
    PARTS_DONE,
    PLANNED,
    ROLLED_BACK,
    ROLLING_BACK,
    Effect,
)
from gonogo.night.run import (
    Run,
    create_run,
    locate,
    open_run,
    run_directory,
    started,
    state_root,
)
from gonogo.night.send import DispatchReport, send_dispatch
from gonogo.night.state import NightState, replay
from gonogo.runbook.events import Event
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid


@dataclass
class Session:
    """Who is acting, where, and how: everything a step needs besides its arguments."""

    clock: Clock
    operator: str
    confirm: Callable[[str], bool]  # shown a question, answers it (--yes answers yes)
    show: Callable[[str], None]  # prints a line for the operator
    # A real choice (resend e-mails that may have gone out?): --yes takes the default.
    decide: Callable[[str, bool], bool] = field(default=lambda _question, default: default)
    state_dir: Path | None = None
    release: str | None = None
    dry_run: bool = False
    accept_changed_runbook: bool = False
    lock_wait: float = 5.0
    command: str = "gonogo"


@dataclass
class StepResult:
    dispatches: list[DispatchReport] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(d.failed for d in self.dispatches)


@contextmanager
def locked_run(session: Session) -> Iterator[Run]:
    """The run a changing command acts on, locked, with a changed runbook handled."""
    directory = locate(state_root(session.state_dir), session.release, session.dry_run)
    with run_lock(
        directory / "lock",
        operator=session.operator,
        command=session.command,
        wait=session.lock_wait,
    ):
        run, changed = open_run(directory)
        try:
            if changed is not None:
                _accept_change(session, run, changed)
            # A dispatch a crash interrupted is finished before anything else happens.
            from gonogo.night.send import finish_interrupted  # noqa: PLC0415

            finish_interrupted(run, session)
            yield run
        finally:
            run.close()


def _accept_change(session: Session, run: Run, new: str) -> None:
    if not session.accept_changed_runbook:
        msg = (
            f"the runbook {run.loaded.path} has changed since the run started "
            f"(sha256 {run.sha256[:12]} then, {new[:12]} now); nothing was done"
        )
        raise StateError(
            msg,
            hint="review the change; to go on with it, repeat the command with "
            "--accept-changed-runbook (it is journaled)",
        )
    with run.journal.transaction():
        run.journal.append(
            at=session.clock.now(),
            operator=session.operator,
            kind="runbook_change_accepted",
            runbook_sha256=new,
            data={"old": run.sha256, "new": new, "file": str(run.loaded.path)},
        )
    session.show(f"Runbook change accepted and journaled (sha256 {new[:12]}).")
    run.sha256 = new


def start(session: Session, runbook_path: Path) -> StepResult:
    """Open the window: create the run and send the window-started message."""
    loaded = load_valid(runbook_path)
    assert loaded.runbook is not None
    runbook = loaded.runbook
    now = session.clock.now()
    plan = timeline(runbook)
    shift = now - plan.window_start if session.dry_run else dt.timedelta(0)
    off_plan = now - plan.window_start
    data: dict[str, object] = {"dry_run": session.dry_run}
    if not session.dry_run and abs(off_plan) > dt.timedelta(hours=1):
        minutes = int(off_plan.total_seconds() // 60)
        when = f"{abs(minutes)} minutes {'after' if minutes > 0 else 'before'}"
        local = plan.window_start.astimezone(plan.zone)
        session.show(f"Warning: this is {when} the planned start {local:%Y-%m-%d %H:%M}.")
        if not session.confirm("Start the window anyway?"):
            raise GonogoError("not started; nothing was journaled or sent")
        data["off_plan_minutes"] = minutes
    root = state_root(session.state_dir)
    directory = run_directory(root, runbook.release.id, session.dry_run)
    directory.mkdir(parents=True, exist_ok=True)
    with run_lock(
        directory / "lock", operator=session.operator, command=session.command,
        wait=session.lock_wait,
    ):  # fmt: skip
        if started(directory):
            kind = "rehearsal" if session.dry_run else "run"
            msg = f"release {runbook.release.id} already has a {kind} in {directory}"
            raise TransitionError(msg, hint="see where it stands with `gonogo status`")
        effect = Effect(Event.WINDOW_STARTED)
        planned = [_plan(runbook, loaded.path.parent, effect, now, plan.zone)]
        confirm_dispatches(session, planned, dry_run=session.dry_run)
        run = create_run(root, loaded, dry_run=session.dry_run, shift=shift, at=now)
        try:
            return commit_and_send(session, run, "start", None, None, data, planned)
        finally:
            run.close()


STEP_NAMES = {
    "go": "go",
    "nogo": "nogo",
    "hold": "hold",
    "progress": "progress",
    "rollback_done": "rollback-done",
    "end": "end",
}


def step(
    session: Session,
    trigger: str,
    part_ref: str | None = None,
    reason: str | None = None,
    gate: Callable[[Run, int], str | None] | None = None,
    data: dict[str, object] | None = None,
) -> StepResult:
    """One decision of the night. Raises TransitionError, with nothing done, if not allowed.

    `gate` says why a part may not get Go yet (production verification), or None.
    """
    data = dict(data or {})
    with locked_run(session) as run:
        state, night = replay(run.journal.events(), len(run.runbook.parts))
        part = _check_part(run, state, trigger, part_ref)
        if trigger == "progress":
            _check_progress(run, state, part)
        blocker: list[str] = []

        def may_pass(number: int) -> bool:
            found = gate(run, number) if gate else None
            if found:
                blocker.append(found)
            return not found

        night.may_pass_gate = may_pass
        try:
            allowed = night.fire(trigger)
        except MachineError:
            raise TransitionError(
                explain(run, state, trigger), hint=next_step(run, state)
            ) from None
        if not allowed:
            raise TransitionError(
                f"part {part} cannot get Go: {blocker[0] if blocker else 'a guard refused'}; "
                "nothing was done",
                hint="wait for the reports (`gonogo verify`), or give Go with "
                "--override-verification --reason TEXT",
            )
        now = session.clock.now()
        plan = run.timeline()
        if trigger == "go" and now > plan.point_of_no_return:
            at = plan.local(plan.point_of_no_return).strftime("%H:%M")
            session.show(
                f"Warning: the point of no return ({at}) has passed: after this Go, a NoGo "
                "cannot finish the rollback inside the window."
            )
            if not session.confirm("Give Go anyway?"):
                raise GonogoError("not confirmed; nothing was journaled or sent")
            data["past_point_of_no_return"] = True
        zone = run.timeline().zone
        planned = [
            _plan(run.runbook, run.loaded.path.parent, e, now, zone) for e in night.take_effects()
        ]
        confirm_dispatches(session, planned, dry_run=run.dry_run)
        return commit_and_send(session, run, trigger, part, reason, data, planned)


def _plan(
    runbook: Runbook, base: Path, effect: Effect, now: dt.datetime, zone: dt.tzinfo
) -> PlannedDispatch:
    values = values_for(runbook, effect, now, now.astimezone(zone))
    return plan_dispatch(runbook, base, effect, values)


def _check_part(run: Run, state: NightState, trigger: str, ref: str | None) -> int | None:
    if ref is None:
        return state.current_part
    found = run.runbook.part(ref)
    if found is None:
        parts = ", ".join(f"{n} ({p.id})" for n, p in enumerate(run.runbook.parts, 1))
        raise TransitionError(f"unknown part '{ref}'; parts: {parts}")
    number, _part = found
    current = state.current_part
    if current != number:
        name = STEP_NAMES.get(trigger, trigger)
        if current is None:
            raise TransitionError(
                f"`{name} {ref}`: no part is in progress; {describe(run, state)}",
                hint=next_step(run, state),
            )
        actual = state.parts[number]
        done = ""
        if actual.decision:
            at = run.timeline().local(actual.ended).strftime("%H:%M") if actual.ended else "?"
            done = f" (part {number} got {actual.decision.title()} at {at} by {actual.decided_by})"
        current_id = run.runbook.parts[current - 1].id
        raise TransitionError(
            f"`{name} {ref}`: part {current} ({current_id}) is in progress, "
            f"not part {number}{done}; nothing was done",
            hint=next_step(run, state),
        )
    return number


def _check_progress(run: Run, state: NightState, part: int | None) -> None:
    from gonogo.runbook.catalog import message_for  # noqa: PLC0415

    if part is None:
        return  # the machine explains
    sent = state.parts[part].status_sent
    if sent is not None:
        at = run.timeline().local(sent).strftime("%H:%M")
        raise TransitionError(f"the status message for part {part} was already sent at {at}")
    spec = run.runbook.parts[part - 1]
    # Only parts the plan gives a status message have one (message 2 is part 1's); the
    # shared text would otherwise go out for every part as a message nobody approved.
    wanted = spec.status_message or spec.messages.status is not None
    if not wanted or message_for(run.runbook, Event.PART_STATUS, part) is None:
        raise TransitionError(
            f"the runbook has no status message for part {part} ({spec.id}); nothing was done",
            hint="a part sends one only with `status_message: true` or its own messages.status",
        )


def describe(run: Run, state: NightState) -> str:
    """Where the night stands, in words."""
    current = state.current_part
    if current is not None:
        return f"part {current} ({run.runbook.parts[current - 1].id}) is in progress"
    return {
        PLANNED: "the window has not started",
        PARTS_DONE: "every part has had Go; the window waits to be ended",
        ROLLING_BACK: "the night is rolling back",
        COMPLETED: "the night is over: completed",
        ROLLED_BACK: "the night is over: rolled back",
    }.get(state.state, state.state)


def next_step(run: Run, state: NightState) -> str:
    current = state.current_part
    if current is not None:
        return f"next: `gonogo go {current}` or `gonogo nogo {current} --reason ...`"
    return {
        PLANNED: "next: `gonogo start RUNBOOK`",
        PARTS_DONE: "next: `gonogo end`",
        ROLLING_BACK: "next: `gonogo rollback-done` when the rollback is finished",
        COMPLETED: "nothing more to do; see `gonogo report` or `gonogo log`",
        ROLLED_BACK: "nothing more to do; see `gonogo report` or `gonogo log`",
    }.get(state.state, "see `gonogo status`")


def explain(run: Run, state: NightState, trigger: str) -> str:
    name = STEP_NAMES.get(trigger, trigger)
    return f"`{name}` is not possible now: {describe(run, state)}; nothing was done"


def confirm_dispatches(session: Session, planned: list[PlannedDispatch], *, dry_run: bool) -> None:
    from gonogo.render.preview import preview_lines  # noqa: PLC0415

    if not any(p.rows for p in planned):
        return
    for line in preview_lines(planned, dry_run=dry_run):
        session.show(line)
    question = "Write these to the outbox (dry run)?" if dry_run else "Send these messages now?"
    if not session.confirm(question):
        raise GonogoError("not confirmed; nothing was journaled or sent")


def commit_and_send(
    session: Session,
    run: Run,
    kind: str,
    part: int | None,
    reason: str | None,
    data: Mapping[str, object],
    planned: list[PlannedDispatch],
) -> StepResult:
    channels = {row.channel for p in planned for row in p.rows}
    if channels and not run.dry_run:
        from gonogo.notify.live import LiveTransport  # noqa: PLC0415

        # Credentials and servers are checked before the decision is journaled.
        LiveTransport(run.runbook, session).check(channels)
    now = session.clock.now()
    journal = run.journal
    dispatch_ids: list[int] = []
    with journal.transaction():
        cause = journal.append(
            at=now, operator=session.operator, kind=kind, runbook_sha256=run.sha256,
            part=part, reason=reason, data=dict(data),
        )  # fmt: skip
        for p in planned:
            if p.silent:
                continue
            seq = journal.append(
                at=now, operator=session.operator, kind="dispatch", runbook_sha256=run.sha256,
                part=p.effect.part,
                data={
                    "event": p.effect.event.value, "cause": cause, "recipients": len(p.rows),
                    **p.tag,
                },
            )  # fmt: skip
            journal.add_deliveries(seq, p.rows, now)
            dispatch_ids.append(seq)
    result = StepResult()
    for seq in dispatch_ids:
        result.dispatches.append(send_dispatch(run, seq, session))
    return result


def resume(session: Session) -> StepResult:
    """Finish whatever dispatch a crash interrupted (every changing command does this too)."""
    from gonogo.night.send import finish_interrupted  # noqa: PLC0415

    directory = locate(state_root(session.state_dir), session.release, session.dry_run)
    with run_lock(
        directory / "lock", operator=session.operator, command=session.command,
        wait=session.lock_wait,
    ):  # fmt: skip
        run, changed = open_run(directory)
        try:
            if changed is not None:
                _accept_change(session, run, changed)
            reports = finish_interrupted(run, session)
            if not reports:
                session.show("Nothing to resume: every dispatch is finished.")
            return StepResult(reports)
        finally:
            run.close()


def retry_failed(session: Session) -> StepResult:
    """Try the failed deliveries again, after showing how many and confirming."""
    from gonogo.night.send import report, transport_for  # noqa: PLC0415

    with locked_run(session) as run:
        failed = run.journal.deliveries(statuses=("failed",))
        if not failed:
            session.show("No failed deliveries.")
            return StepResult()
        per: dict[tuple[str, str], int] = {}
        for d in failed:
            per[(d.channel, d.audience)] = per.get((d.channel, d.audience), 0) + 1
        for (channel, audience), n in sorted(per.items()):
            session.show(f"  {channel} {audience}: {n} failed")
        if not session.confirm(f"Try {len(failed)} failed deliveries again?"):
            raise GonogoError("not confirmed; nothing was sent")
        if not run.dry_run:
            from gonogo.notify.live import LiveTransport  # noqa: PLC0415

            LiveTransport(run.runbook, session).check({d.channel for d in failed})
        now = session.clock.now()
        run.journal.mark_many([(d.id, "pending", None, None, "retry") for d in failed], now)
        fresh = run.journal.deliveries(statuses=("pending",))
        transport_for(run, session).deliver(run.journal, fresh, now)
        return StepResult([report(run, seq) for seq in sorted({d.dispatch for d in failed})])
