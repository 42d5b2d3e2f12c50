"""Run a scenario: the real commands, machine, journal and dry-run channels, on a simulated clock.

The clock jumps from action to action, so a whole night rehearses in well under a
second. Commands are run through the command line itself (the caller passes a function
that runs one), so a scenario says exactly what an operator would type.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gonogo.night.clock import FixedClock, using
from gonogo.night.journal import Status
from gonogo.night.kept_open import kept_open
from gonogo.night.snapshot import Night, continuing
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import steady_files
from gonogo.night.view import NightView, night_view
from gonogo.rehearsal.forks import Fork, Step, copy_state
from gonogo.rehearsal.out_dir import emptied
from gonogo.rehearsal.scenario import MessageExpectation, Scenario
from gonogo.runbook.catalog import iter_messages
from gonogo.runbook.events import Event
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import night_instant

# Runs one gonogo command (argv without "gonogo"); returns (exit code, what it printed).
Execute = Callable[[list[str]], tuple[int, str]]

# Commands that confirm before sending take --yes; a rehearsal answers for the operator.
_CONFIRMING = {
    "start", "go", "nogo", "progress", "rollback-done", "end", "resume", "retry-failed",
    "disruption", "verify",
}  # fmt: skip
_CONFIRMING_SUB = {("incident", "open"), ("incident", "update"), ("incident", "resolve")}
# Commands that only read the run take no --by (no operator to journal).
_READING = {("status",), ("log",), ("deliveries",), ("report",), ("publish",),
            ("incident", "list"), ("journal", "check")}  # fmt: skip

# Journal kinds that must be followed by a dispatch of this event (unless it is silent).
_NEEDS = {
    "start": Event.WINDOW_STARTED,
    "go": Event.PART_COMPLETED,
    "nogo": Event.ROLLBACK_STARTED,
    "rollback_done": Event.ROLLBACK_COMPLETED,
    "end": Event.WINDOW_COMPLETED,
    "progress": Event.PART_STATUS,
    "incident_opened": Event.INCIDENT_OPENED,
    "incident_updated": Event.INCIDENT_UPDATED,
    "incident_resolved": Event.INCIDENT_RESOLVED,
    "verification_started": Event.VERIFICATION_STARTED,
}


@dataclass(frozen=True)
class Sent:
    event: str
    part: int | None
    audience: str
    channel: str
    text: str


@dataclass(frozen=True)
class Ending:
    """How a rehearsed night ended, as its journal says: what the report of a rehearsal
    reads, without the journal (a lane process sends it back to the one that prints)."""

    state: str
    outcome: str | None  # "completed", "rolled back"; None: the night is not over
    zone: dt.tzinfo  # the runbook's, for the times shown
    sent: tuple[Sent, ...]  # one per text sent
    unsent: tuple[str, ...]  # "no ... message was sent", where an entry needed one

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.zone)


@dataclass
class Outcome:
    """What a rehearsal did and whether every expectation held."""

    scenario: Scenario
    state_dir: Path
    steps: list[Step] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)  # what, held, got
    ending: Ending | None = None  # once concluded
    forks: dict[int, Fork] = field(default_factory=dict)  # by the count of steps before

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and all(held for _, held, _ in self.checks)


def argv_for(action_argv: list[str], runbook: Path, state_dir: Path) -> list[str]:
    argv = list(action_argv)
    if argv and argv[0] == "start":
        argv[1:1] = [str(runbook)]
        argv.append("--dry-run")
    confirming = (argv[0] in _CONFIRMING) if argv else False
    if len(argv) > 1 and (argv[0], argv[1]) in _CONFIRMING_SUB:
        confirming = True
    if argv and argv[0] == "verify" and len(argv) > 1 and argv[1] != "start":
        confirming = True
    if confirming and "--yes" not in argv:
        argv.append("--yes")
    reading = tuple(argv[:1]) in _READING or tuple(argv[:2]) in _READING
    return [*argv, "--state-dir", str(state_dir), *([] if reading else ["--by", "rehearsal"])]


def rehearse(
    runbook: Runbook,
    runbook_path: Path,
    scenario: Scenario,
    state_dir: Path,
    execute: Execute,
    *,
    start: Fork | None = None,
    keep: Mapping[int, Path] | None = None,
) -> Outcome:
    """Run every action at its time, then check the expectations against the journal.

    From `start`, the scenario's first commands (see `forks`), whose state `state_dir`
    already holds (a copy of the state of the path they come from), only the rest run;
    after each step count in `keep`, the state is copied to its directory for the paths
    that start there (and the steps so far kept in `Outcome.forks`).
    """
    with one_path():
        outcome, instant = run_actions(runbook, runbook_path, scenario, state_dir, execute,
                                       start=start, keep=keep)  # fmt: skip
        return conclude(outcome, runbook, instant)


@contextmanager
def one_path() -> Iterator[None]:
    """A path's commands and its conclusion: the journal the last command closed is
    still open and its entries read (`kept_open`), and the night's fold goes on from
    that command's (`continuing`) instead of replaying every entry."""
    with kept_open(), continuing():
        yield


def run_actions(
    runbook: Runbook,
    runbook_path: Path,
    scenario: Scenario,
    state_dir: Path,
    execute: Execute,
    *,
    start: Fork | None = None,
    keep: Mapping[int, Path] | None = None,
) -> tuple[Outcome, dt.datetime]:
    """The commands of `rehearse`, unchecked: the outcome's steps, and the simulated
    clock when they were done."""
    outcome = Outcome(scenario, state_dir)
    if start is None:
        emptied(state_dir)
        clock = FixedClock(night_instant(runbook, scenario.actions[0].at))
    else:  # its state directory is a copy of the state of the path it starts from
        outcome.steps += start.steps
        clock = FixedClock(start.instant)
    with _isolated(), using(clock), steady_files(), one_path():
        for action in scenario.actions[len(outcome.steps) :]:
            instant = night_instant(runbook, action.at)
            clock.instant = max(instant, clock.instant)
            code, output = execute(argv_for(action.argv, runbook_path, state_dir))
            outcome.steps.append(Step(clock.instant, action.do, code, action.exit, output))
            clock.advance(dt.timedelta(seconds=1))  # each command takes a moment
            if code != action.exit:
                break
            if keep and len(outcome.steps) in keep:
                copy_state(state_dir, keep[len(outcome.steps)])
                outcome.forks[len(outcome.steps)] = Fork(tuple(outcome.steps), clock.instant)
    return outcome, clock.instant


def conclude(outcome: Outcome, runbook: Runbook, instant: dt.datetime) -> Outcome:
    """The night the steps left, at `instant`, checked against the expectations."""
    with _isolated(), steady_files():
        view = night_view(outcome.state_dir, runbook.release.id, True, FixedClock(instant))
    view.run.close()  # the view is read, not the journal (in a path: until it lets go)
    sent = _sent(view)
    _check(outcome, view, sent)
    night = view.night
    outcome.ending = Ending(night.state, night.outcome, view.plan.zone, tuple(sent),
                            _unsent(runbook, night))  # fmt: skip
    return outcome


@contextmanager
def _isolated() -> Iterator[None]:
    """A rehearsal's journals: this machine's own, never a shared journal the
    environment names, and without crash durability (throwaway simulations)."""
    previous = SqliteJournal.synchronous
    SqliteJournal.synchronous = "OFF"
    shared = os.environ.pop("GONOGO_JOURNAL_URL", None)
    try:
        yield
    finally:
        SqliteJournal.synchronous = previous
        if shared is not None:
            os.environ["GONOGO_JOURNAL_URL"] = shared


def _check(outcome: Outcome, view: NightView, sent: list[Sent]) -> None:
    expect = outcome.scenario.expect
    if expect.state is not None:
        outcome.checks.append((f"state {expect.state}", view.night.state == expect.state,
                               view.night.state))  # fmt: skip
    if expect.outcome is not None:
        got = view.night.outcome or "none (the night is not over)"
        outcome.checks.append((f"outcome {expect.outcome}", got == expect.outcome, got))
    for wanted in expect.messages:
        found = [s for s in sent if _matches(wanted, s)]
        outcome.checks.append((f"message {wanted.describe()}", bool(found),
                               f"{len(found)} matching deliveries"))  # fmt: skip
    for unwanted in expect.no_messages:
        found = [s for s in sent if _matches(unwanted, s)]
        outcome.checks.append((f"no message {unwanted.describe()}", not found,
                               f"{len(found)} matching deliveries"))  # fmt: skip
    rows = {p.number: p for p in view.parts}
    for late in expect.late:
        row = rows.get(late.part)
        minutes = row.late_minutes(view.now) if row else None
        outcome.checks.append((f"part {late.part} late by more than {late.more_than} min",
                               minutes is not None and minutes > late.more_than,
                               "not started" if minutes is None else f"{minutes} min"))  # fmt: skip
    if expect.point_of_no_return_passed is not None:
        passed = view.point_of_no_return_passed
        pnr = expect.point_of_no_return_passed
        outcome.checks.append((f"point of no return passed: {pnr}", passed == pnr, str(passed)))


def _unsent(runbook: Runbook, night: Night) -> tuple[str, ...]:
    """Each entry that needed a message (a decision, an incident) and has no dispatch of it."""
    events = night.entries
    dispatched = {
        (e.data.get("cause"), e.data.get("event")) for e in events if e.kind == "dispatch"
    }
    silent = {located.event for located in iter_messages(runbook) if located.message.silent}
    missing = []
    for event in events:
        needed = _NEEDS.get(event.kind)
        if needed is None or needed in silent:
            continue
        if (event.seq, needed.value) not in dispatched:
            what = needed.value + (f" (part {event.part})" if event.part else "")
            missing.append(f"no {what} message was sent")
    return tuple(missing)


def _sent(view: NightView) -> list[Sent]:
    """One per text sent, from the night's dispatches (each text's sent count > 0)."""
    out = []
    for dispatch in view.night.dispatches:
        for g in dispatch.groups:
            if g.status == Status.SENT and g.count:
                text = (g.subject + "\n" if g.subject else "") + g.body
                out += [_one(dispatch.event, dispatch.part, g.audience, g.channel, text)] * g.count
    return out


@functools.lru_cache(maxsize=4096)
def _one(event: str, part: int | None, audience: str, channel: str, text: str) -> Sent:
    """One object for each text sent alike, whichever path sent it: a lane sends back
    hundreds a path, and a pickle writes an object it has written before as a reference
    (the lane's results then pickle and load several times faster)."""
    return Sent(event, part, audience, channel, text)


def _matches(wanted: MessageExpectation, sent: Sent) -> bool:
    return (
        sent.event == wanted.event.value
        and (wanted.part is None or sent.part == wanted.part)
        and (wanted.audience is None or sent.audience == wanted.audience)
        and (wanted.channel is None or sent.channel == wanted.channel)
        and (wanted.contains is None or wanted.contains in sent.text)
    )
