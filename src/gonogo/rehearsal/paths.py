"""Every path through a runbook's night, generated, rehearsed and checked for its messages."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gonogo.night.dispatch import stand_ins
from gonogo.night.steady import steady_files
from gonogo.rehearsal.engine import Execute, Outcome, rehearse
from gonogo.rehearsal.forks import Fork, copy_state, move_state, plan_forks
from gonogo.rehearsal.lanes import side_by_side
from gonogo.rehearsal.scenario import Action, Expectations, Scenario
from gonogo.runbook.catalog import iter_messages
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import Timeline, timeline


class _Builder:
    def __init__(self, runbook: Runbook, plan: Timeline) -> None:
        self.runbook = runbook
        self.plan = plan
        self.actions: list[Action] = []

    def at(self, instant: dt.datetime, command: str, code: int = 0) -> None:
        local = instant.astimezone(self.plan.zone).time()
        self.actions.append(Action(at=local, do=command, exit=code))

    def part_until_decision(self, number: int) -> None:
        """The part's status message and verification, up to its decision."""
        planned = self.plan.parts[number - 1]
        if planned.part.status_message:
            self.at(planned.start + planned.part.duration / 2, "progress")
        spec = self.runbook.verification
        if spec is not None and spec.gates == planned.part.id:
            self.at(planned.start, "verify start")
            for participant in spec.participants:
                self.at(planned.start, f"verify {participant} ok")

    def go_through(self, upto: int, start: int = 1) -> None:
        """Parts `start` to `upto`, each up to its decision, then Go."""
        for planned in self.plan.parts[start - 1 : upto]:
            self.part_until_decision(planned.number)
            self.at(planned.end, f"go {planned.number}")


def generate(runbook: Runbook) -> list[Scenario]:  # noqa: PLR0915  # one block per kind of path
    """All Go; NoGo at each part; a hold at each part; a major incident during each
    part and during a rollback; a failed production verification."""
    plan = timeline(runbook)
    count = len(runbook.parts)
    major = min(runbook.incidents.major_priorities or [1])
    services = f" --services {next(iter(runbook.services))}" if runbook.services else ""
    opening = f"incident open --priority {major} --summary rehearsal{services}"
    scenarios: list[Scenario] = []

    def add(name: str, builder: _Builder, outcome: Literal["completed", "rolled back"]) -> None:
        scenarios.append(
            Scenario(scenario=1, name=name, actions=builder.actions,
                     expect=Expectations(outcome=outcome))
        )  # fmt: skip

    def started() -> _Builder:
        b = _Builder(runbook, plan)
        b.at(plan.window_start, "start")
        return b

    def finish(b: _Builder) -> None:
        b.at(plan.parts[-1].end + dt.timedelta(minutes=1), "end")

    b = started()
    b.go_through(count)
    finish(b)
    add("all Go", b, "completed")
    for planned in plan.parts:
        n, mid = planned.number, planned.start + planned.part.duration / 2
        b = started()
        b.go_through(n - 1)
        b.at(mid, f"nogo {n} --reason rehearsal")
        b.at(mid + plan.rollback, "rollback-done")
        add(f"NoGo at part {n}", b, "rolled back")

        b = started()
        b.go_through(n - 1)
        b.at(planned.start + planned.part.duration / 4, f"hold {n} --reason rehearsal")
        b.go_through(count, start=n)
        finish(b)
        add(f"hold at part {n}", b, "completed")

        b = started()
        b.go_through(n - 1)
        quarter = planned.part.duration / 4
        b.at(planned.start + quarter, opening)
        b.at(planned.start + 2 * quarter, "incident update INC-1 --summary rehearsal")
        b.at(planned.start + 3 * quarter, "incident resolve INC-1")
        b.go_through(count, start=n)
        finish(b)
        add(f"major incident during part {n}", b, "completed")
    first = plan.parts[0]
    b = started()
    nogo_at = first.start + first.part.duration / 2
    b.at(nogo_at, "nogo 1 --reason rehearsal")
    b.at(nogo_at + plan.rollback / 4, opening)
    b.at(nogo_at + plan.rollback / 2, "incident resolve INC-1")
    b.at(nogo_at + plan.rollback, "rollback-done")
    add("major incident during rollback", b, "rolled back")
    spec = runbook.verification
    if spec is not None:
        gated = next(p for p in plan.parts if p.part.id == spec.gates)
        b = started()
        b.go_through(gated.number - 1)
        b.at(gated.start, "verify start")
        first_participant = next(iter(spec.participants))
        b.at(gated.start, f"verify {first_participant} fail --note rehearsal")
        b.at(gated.end, f"go {gated.number}", code=1)
        b.at(gated.end, f"nogo {gated.number} --reason 'verification failed'")
        b.at(gated.end + plan.rollback, "rollback-done")
        add("production verification fails", b, "rolled back")
    return scenarios


@dataclass
class PathsResult:
    outcomes: list[Outcome] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "path: what is missing"
    coverage: dict[tuple[str, str, str], bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.missing and all(o.ok for o in self.outcomes)


def all_paths(
    runbook: Runbook, runbook_path: Path, work: Path, execute: Execute, jobs: int = 1
) -> PathsResult:
    """Every generated path, rehearsed and checked; `jobs` processes side by side for
    the paths no other path starts from (`lanes`).

    A path that others start from keeps its state after their first commands in one
    directory under `.forks`; the lanes copy it into the directories of the paths that
    start there, so the copying is shared out with the rest of the work. The paths from
    one fork go to a lane together, and it moves the state into the last one instead of
    copying it, unless together they are a large part of a lane's work (`_tasks`)."""
    result = PathsResult()
    result.coverage = dict.fromkeys(possible_deliveries(runbook), False)
    scenarios = generate(runbook)
    sources = plan_forks(scenarios)
    wanted: dict[int, dict[int, Path]] = {}  # scenario -> step count -> where its state goes
    for source in sources:
        if source is not None:
            j, n = source
            wanted.setdefault(j, {})[n] = _fork_dir(work, j, n)
    outcomes: dict[int, Outcome] = {}

    def start_of(index: int) -> Fork | None:
        source = sources[index]  # None where that path stopped before: run it all
        return None if source is None else outcomes[source[0]].forks.get(source[1])

    def run(index: int) -> Outcome:  # in a lane: what it sends back must pickle
        return rehearse(runbook, runbook_path, scenarios[index], _path_dir(work, index),
                        execute, start=start_of(index))  # fmt: skip

    # the paths a lane takes at once (`_tasks`), by the first one's index
    together: dict[int, list[int]] = {}
    per_fork: Counter[tuple[int, int] | None] = Counter()  # the lanes' paths from each fork

    def run_together(first: int) -> dict[int, Outcome]:  # in a lane
        members = together[first]
        source = sources[first]
        if source is not None and start_of(first) is not None:
            fork = wanted[source[0]][source[1]]
            targets = [_path_dir(work, i) for i in members]
            whole = len(members) == per_fork[source]  # no other lane copies it: moved
            for target in targets[:-1] if whole else targets:
                copy_state(fork, target)
            if whole:
                move_state(fork, targets[-1])
        return {index: run(index) for index in members}

    with stand_ins(), steady_files():  # one memo for every path (outbox files shared)
        for index in sorted(wanted):  # the paths others start from: first, here
            source = sources[index]
            if source is not None and start_of(index) is not None:
                copy_state(wanted[source[0]][source[1]], _path_dir(work, index))
            outcomes[index] = rehearse(runbook, runbook_path, scenarios[index],
                                       _path_dir(work, index), execute, start=start_of(index),
                                       keep=wanted[index])  # fmt: skip
        rest = {i: len(s.actions) - (sources[i] or (0, 0))[1]
                for i, s in enumerate(scenarios) if i not in wanted}  # fmt: skip
        tasks = _tasks(rest, sources, jobs)
        together.update((task[0], task) for task in tasks)
        per_fork.update(sources[i] for i in rest)
        costs = {task[0]: sum(rest[i] for i in task) for task in tasks}
        for found in side_by_side(costs, jobs, run_together).values():
            outcomes.update(found)
    for index, scenario in enumerate(scenarios):
        _add(result, scenario, outcomes[index])
    shutil.rmtree(work / ".forks", ignore_errors=True)
    return result


def _tasks(
    work: dict[int, int], sources: list[tuple[int, int] | None], jobs: int
) -> list[list[int]]:
    """The paths of `work` (path -> commands to run) as the lanes take them: those that
    start from one fork together (the last then takes the fork's state, not a copy),
    unless there are lanes and their commands are more than a quarter of a lane's
    share; then, like a path that starts from none, each alone. The lanes end within
    about one task of each other, so no task is a large part of one's work."""
    limit = sum(work.values()) / (4 * jobs) if jobs > 1 else float("inf")
    groups: dict[object, list[int]] = {}
    for index in sorted(work):
        source = sources[index]
        groups.setdefault(("alone", index) if source is None else source, []).append(index)
    tasks: list[list[int]] = []
    for group in groups.values():
        if sum(work[i] for i in group) > limit:
            tasks.extend([i] for i in group)
        else:
            tasks.append(group)
    return tasks


def _fork_dir(work: Path, index: int, steps: int) -> Path:
    return work / ".forks" / f"path-{index + 1:02d}-after-{steps}"


def _path_dir(work: Path, index: int) -> Path:
    return work / f"path-{index + 1:02d}"


def _add(result: PathsResult, scenario: Scenario, outcome: Outcome) -> None:
    result.outcomes.append(outcome)
    ending = outcome.ending
    if ending is None:
        return
    if ending.outcome is None:
        result.missing.append(f"{scenario.name}: ends in {ending.state}, not a terminal state")
    for s in ending.sent:
        result.coverage[(s.event, s.audience, s.channel)] = True
    result.missing += [f"{scenario.name}: {m}" for m in ending.unsent]


def possible_deliveries(runbook: Runbook) -> list[tuple[str, str, str]]:
    """(event, audience, channel) for every text the runbook has."""
    found: dict[tuple[str, str, str], None] = {}
    for located in iter_messages(runbook):
        message = located.message
        if message.silent:
            continue
        sms = message.sms is not None or any(v.sms for v in message.variants)
        email = message.email is not None or any(v.email for v in message.variants)
        for audience in message.audiences:
            if sms and not runbook.audiences[audience].press:
                found[(located.event.value, audience, "sms")] = None
            if email:
                found[(located.event.value, audience, "email")] = None
        if message.press is not None:
            for name, spec in runbook.audiences.items():
                if spec.press:
                    found[(located.event.value, name, "email")] = None
    return list(found)
