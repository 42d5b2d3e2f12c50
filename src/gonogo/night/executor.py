"""The one pipeline every operator action goes through.

lock -> open -> accept a changed runbook -> finish interrupted dispatches -> snapshot ->
decide (pure, `decisions/`) -> confirm -> plan recipients -> preflight the channels ->
journal the decision with its dispatches in one transaction -> send -> outcome.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.errors import (
    ExitCode,
    GonogoError,
    JournalWriteError,
    StateError,
    Stop,
    StoppedError,
)
from gonogo.night.belongs import part_ids
from gonogo.night.decisions import Context, Decision, Send
from gonogo.night.delivery.reconcile import SETTLE_HINT, finish_interrupted
from gonogo.night.delivery.transport import deliver_pending, transport_for
from gonogo.night.dispatch import PlannedDispatch, plan_dispatch
from gonogo.night.entries import ChangeAccepted, Dispatched, Kind, NewEntry
from gonogo.night.journal import Delivery, Status
from gonogo.night.places import find, locked, open_place
from gonogo.night.runs import Run, state_root
from gonogo.night.session import Session
from gonogo.night.snapshot import Dispatch, Night
from gonogo.night.window_changes import night_plan
from gonogo.runbook.model import Runbook


@dataclass(frozen=True)
class DispatchResult:
    dispatch: Dispatch
    failures: tuple[Delivery, ...] = ()
    in_doubt: tuple[Delivery, ...] = ()
    pending: tuple[Delivery, ...] = ()


@dataclass
class Outcome:
    """What a command did: the dispatches it sent or finished, and its exit code."""

    dispatches: list[DispatchResult] = field(default_factory=list)
    journaled: bool = False
    note: str | None = None  # e.g. the id of an incident just opened
    language: str = "en"  # the runbook's, as a catalogue has it: what the summary is in

    @property
    def exit_code(self) -> ExitCode:
        """3 while any delivery of the command's dispatches (those it finished or sent)
        is failed, in doubt or unsent when it ends, else 0."""
        bad = any(r.failures or r.in_doubt or r.pending for r in self.dispatches)
        return ExitCode.DELIVERY_FAILED if bad else ExitCode.OK


Decide = Callable[[Context, Night], Decision | None]


def results(night: Night, seqs: set[int]) -> list[DispatchResult]:
    problems: dict[int, list[Delivery]] = {}
    for d in night.problems:
        if d.dispatch in seqs:
            problems.setdefault(d.dispatch, []).append(d)
    out = []
    for seq in sorted(seqs):
        dispatch = night.dispatch(seq)
        if dispatch is None:
            continue
        mine = problems.get(seq, [])
        out.append(
            DispatchResult(
                dispatch,
                tuple(d for d in mine if d.status == Status.FAILED),
                tuple(d for d in mine if d.status in (Status.IN_FLIGHT, Status.IN_DOUBT)),
                tuple(d for d in mine if d.status == Status.PENDING),
            )
        )
    return out


@contextmanager
def acting_run(session: Session) -> Iterator[tuple[Run, Night, set[int]]]:
    """The run a changing command acts on, locked, with anything interrupted finished."""
    root = state_root(session.state_dir)
    place = find(root, session.journal_url, session.release, session.dry_run)
    with locked(place, operator=session.operator, command=session.command, wait=session.lock_wait):
        run = open_place(place)
        try:
            night = run.night()
            changed = run.changed_content(night)
            if changed is not None:
                _accept_change(session, run, night, changed)
            if changed:
                night = run.night()
            finished = _finish(run, night, session)
            # Folded again only when something was journaled since (a rehearsal's cost).
            yield run, run.night() if finished else night, finished
        finally:
            run.close()


def _finish(run: Run, night: Night, session: Session) -> set[int]:
    try:
        return finish_interrupted(run, night, session)
    except (KeyboardInterrupt, Stop) as exc:
        raise _stopped(run, exc) from None


def _accept_change(session: Session, run: Run, night: Night, new: str) -> None:
    old = night.accepted_sha256
    if not session.accept_changed_runbook:
        msg = (
            f"the runbook {run.loaded.path} has changed since the run started "
            f"(sha256 {old[:12]} then, {new[:12]} now); nothing was done"
        )
        raise StateError(
            msg,
            hint="review the change; to go on with it, repeat the command with "
            "--accept-changed-runbook (it is journaled)",
        )
    parts = part_ids(run.runbook)
    entry = NewEntry(
        Kind.RUNBOOK_CHANGE_ACCEPTED, ChangeAccepted(old, new, str(run.loaded.path), parts)
    )
    with run.journal.transaction():
        run.journal.append(entry, at=session.clock.now(), operator=session.operator,
                           runbook_sha256=new)  # fmt: skip
    from gonogo.render.send_words import word  # noqa: PLC0415

    session.show(word(_language(run.runbook), "change accepted", sha=new[:12]))


def execute(session: Session, decide: Decide) -> Outcome:
    """Carry out one operator action on the run the session names."""
    with acting_run(session) as (run, night, finished):
        # On the night it opened; moved or extended by an operator.
        plan = night_plan(run.timeline(), run.runbook, night.opened, night.window)
        context = Context(run.runbook, plan, session.clock.now())
        decision = decide(context, night)
        outcome = Outcome(results(night, finished), language=_language(run.runbook))
        if decision is None:
            return outcome
        done = carry_out(session, run, night, decision)
        if finished:
            # What was finished first may have changed since (retried, settled): each
            # dispatch once, as it stands now, so the summary and exit code say where
            # the command left the night, not what it cured on the way.
            seqs = finished | {r.dispatch.seq for r in done.dispatches}
            done.dispatches = results(run.night(), seqs)
        return done


def _language(runbook: Runbook) -> str:
    from gonogo.render.send_words import language_of  # noqa: PLC0415

    return language_of(runbook.release.language)


def confirm(session: Session, decision: Decision) -> None:
    for caution in decision.cautions:
        session.show(caution.warning)
        if not session.confirm(caution.question, caution.language):
            raise GonogoError("not confirmed; nothing was journaled or sent")


def plan(runbook: Runbook, base: Path, sends: tuple[Send, ...]) -> list[PlannedDispatch]:
    """Who gets which text: the recipients of each send (reads the recipients files)."""
    return [
        plan_dispatch(runbook, base, s.effect, s.values, audiences=s.audiences,
                      incident=s.incident)
        for s in sends
    ]  # fmt: skip


def confirm_dispatches(
    session: Session,
    planned: list[PlannedDispatch],
    *,
    dry_run: bool,
    runbook: Runbook | None = None,
) -> None:
    from gonogo.render.preview import preview_lines  # noqa: PLC0415
    from gonogo.render.send_words import word  # noqa: PLC0415

    if not any(p.rows for p in planned):
        return
    language = _language(runbook) if runbook else "en"
    names = {a: spec.name for a, spec in runbook.audiences.items()} if runbook else None
    rates: dict[str, float] = {}
    if runbook is not None:
        for name, channel in (("sms", runbook.channels.sms), ("email", runbook.channels.email)):
            if channel is not None:
                rates[name] = channel.rate_limit
    for line in preview_lines(
        planned, dry_run=dry_run, audience_names=names, rates=rates, language=language
    ):
        session.show(line)
    if not session.confirm(word(language, "to outbox" if dry_run else "send now"), language):
        raise GonogoError("not confirmed; nothing was journaled or sent")


def prepare(
    session: Session, runbook: Runbook, base: Path, decision: Decision, *, dry_run: bool
) -> list[PlannedDispatch]:
    """Plan, show and confirm what goes out; check credentials and servers. Nothing is
    journaled yet, so a refusal here leaves no trace."""
    planned = plan(runbook, base, decision.sends)
    confirm_dispatches(session, planned, dry_run=dry_run, runbook=runbook)
    channels = {text[0] for p in planned for text in p.tally()} | set(decision.channels)
    if channels and not dry_run:
        from gonogo.night.delivery.live import LiveTransport  # noqa: PLC0415

        LiveTransport(runbook).check(channels)
    return planned


def carry_out(session: Session, run: Run, night: Night, decision: Decision) -> Outcome:
    confirm(session, decision)
    base = run.loaded.path.parent
    planned = prepare(session, run.runbook, base, decision, dry_run=run.dry_run)
    return journal_and_send(session, run, night, decision, planned)


def journal_and_send(
    session: Session, run: Run, night: Night, decision: Decision, planned: list[PlannedDispatch]
) -> Outcome:
    seqs = commit(session, run, night.accepted_sha256, decision, planned)
    requeued = {m.delivery for m in decision.marks if m.status == Status.PENDING}
    if requeued:
        seqs |= {d.dispatch for d in night.problems if d.id in requeued}
    return Outcome(send(session, run, seqs), journaled=True, note=decision.note,
                   language=_language(run.runbook))  # fmt: skip


def commit(
    session: Session, run: Run, sha256: str, decision: Decision, planned: list[PlannedDispatch]
) -> set[int]:
    """The decision, its dispatches and their rows: one transaction. Returns the dispatches."""
    now = session.clock.now()
    journal = run.journal
    operator = session.operator
    seqs: set[int] = set()
    with journal.transaction():
        cause = journal.append(decision.entry, at=now, operator=operator, runbook_sha256=sha256)
        for p in planned:
            if p.silent:
                continue
            payload = Dispatched(
                p.effect.event.value, cause, len(p.rows), p.incident, p.effect.notice,
                p.sms_validity,
            )  # fmt: skip
            entry = NewEntry(Kind.DISPATCH, payload, p.effect.part)
            seq = journal.append(entry, at=now, operator=operator, runbook_sha256=sha256)
            journal.add_deliveries(seq, p.rows, now)
            seqs.add(seq)
        journal.mark_many(decision.marks, now)
    return seqs


def send(session: Session, run: Run, seqs: set[int]) -> list[DispatchResult]:
    """Send what is pending of each dispatch; a stop reports what is unfinished."""
    if not seqs:
        return []
    transport = transport_for(run, session)
    # Counted, not read: each dispatch's rows are read as it goes out.
    groups = run.journal.dispatch_groups()
    total = sum(g.count for seq in seqs for g in groups.get(seq, ()) if g.status == Status.PENDING)
    try:
        for seq in sorted(seqs):
            deliver_pending(transport, run.journal, seq, session.clock.now())
    except (KeyboardInterrupt, Stop) as exc:
        raise _stopped(run, exc) from None
    except JournalWriteError as exc:
        raise JournalWriteError(
            f"{exc.message}; sending stopped: {exc.sent} of {total} messages went out, "
            f"{total - exc.sent} did not (a send that cannot be journaled is not made)",
            hint="once the journal can be written (free space), `gonogo resume` finishes "
            "them; nothing is sent twice",
            sent=exc.sent,
        ) from None
    return results(run.night(), seqs)


def _stopped(run: Run, exc: BaseException) -> StoppedError:
    counts = run.night().deliveries
    signum = exc.signum if isinstance(exc, Stop) else None
    what = "stopped by a signal" if signum else "interrupted"
    return StoppedError(
        f"{what} while sending: {counts.unfinished} deliveries are unfinished "
        f"({counts.pending} not yet tried, {counts.in_flight} in flight); nothing was lost",
        hint="`gonogo resume` finishes them" if counts.unfinished else SETTLE_HINT,
        signum=signum,
    )
