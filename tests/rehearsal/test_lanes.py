"""`rehearse --all-paths --jobs N`: paths side by side in forked processes give what one
process gives, and a lane that fails says so in one line, leaving no process behind."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.rehearsal.test_paths import RUNBOOKS, _rows

from gonogo.cli import runner
from gonogo.errors import GonogoError
from gonogo.rehearsal.lanes import _QUEUED, side_by_side, split
from gonogo.rehearsal.paths import _tasks, all_paths
from gonogo.runbook.validate import load_valid

JOURNAL = Path("21.0") / "rehearsal" / "journal.sqlite"
OUTBOX = Path("21.0") / "rehearsal" / "outbox"


def test_paths_in_lanes_are_the_paths_of_one_process(tmp_path: Path) -> None:
    path = RUNBOOKS / "release-21.0.yaml"
    runbook = load_valid(path).runbook
    assert runbook is not None
    execute = runner()
    alone = all_paths(runbook, path, tmp_path / "one", execute, jobs=1)
    lanes = all_paths(runbook, path, tmp_path / "three", execute, jobs=3)
    assert alone.ok
    assert lanes.ok
    assert not (tmp_path / "three" / ".forks").exists()  # every fork copied or moved, then gone
    assert lanes.coverage == alone.coverage
    assert lanes.missing == alone.missing
    assert len(lanes.outcomes) == len(alone.outcomes) == 18
    for one, other in zip(alone.outcomes, lanes.outcomes, strict=True):
        assert other.scenario.name == one.scenario.name
        assert [(s.at, s.command, s.code, s.output) for s in other.steps] == [
            (s.at, s.command, s.code, s.output) for s in one.steps
        ]
        assert other.checks == one.checks
        assert other.ending is not None
        assert other.ending == one.ending
        assert _rows(other.state_dir / JOURNAL) == _rows(one.state_dir / JOURNAL)
        assert sorted((p.name, p.read_text()) for p in (other.state_dir / OUTBOX).iterdir()) == (
            sorted((p.name, p.read_text()) for p in (one.state_dir / OUTBOX).iterdir())
        )


def test_lanes_share_the_work_evenly_and_keep_each_lane_in_order() -> None:
    work = {0: 16, 1: 2, 2: 16, 3: 18, 4: 2, 5: 14, 6: 16}
    lanes = split(work, 2)
    assert sorted(i for lane in lanes for i in lane) == sorted(work)
    loads = sorted(sum(work[i] for i in lane) for lane in lanes)
    assert loads[1] - loads[0] <= max(work.values())  # no lane ends a path's length behind
    assert all(lane == sorted(lane) for lane in lanes)
    assert split(work, 1) == [sorted(work)]
    assert len(split({0: 1}, 4)) == 1  # never more lanes than paths


def test_more_items_than_the_queue_holds_are_split_beforehand() -> None:
    many = dict.fromkeys(range(_QUEUED + 1), 1)
    found = side_by_side(many, 2, _pid)
    assert sorted(found) == sorted(many)
    assert len(set(found.values())) == 2
    assert [found[i] for i in range(_QUEUED + 1)] == [found[i % 2] for i in range(_QUEUED + 1)]


def _pid(index: int) -> int:
    return os.getpid()


def test_the_paths_from_one_fork_go_to_one_lane_together() -> None:
    """So that the lane moves the fork's state into the last one instead of copying it;
    paths from no fork go alone, and with lanes, so do those of a fork whose commands
    are more than a quarter of a lane's share (the lanes end about a task apart)."""
    sources: list[tuple[int, int] | None] = [None, (0, 3), (0, 3), (0, 5), None, (0, 3)]
    work = {1: 1, 2: 2, 3: 20, 4: 20, 5: 1}  # a lane's share at 2 lanes: 22
    assert _tasks(work, sources, 2) == [[1, 2, 5], [3], [4]]
    sources[3] = (0, 3)  # 24 of 44 commands from one fork: each path alone
    assert _tasks(work, sources, 2) == [[1], [2], [3], [5], [4]]
    assert _tasks(work, sources, 1) == [[1, 2, 3, 5], [4]]  # one lane: kept together


def test_more_items_than_the_queue_takes_are_split_beforehand_and_no_pipe_is_left() -> None:
    before = len(os.listdir("/proc/self/fd"))
    for odd in ({-1: 1, 0: 1, 1: 1}, {2**32: 1, 0: 1, 1: 1}):  # not an item the queue takes
        found = side_by_side(odd, 2, _pid)
        assert sorted(found) == sorted(odd)
    assert len(os.listdir("/proc/self/fd")) == before


def _wait(until: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 20
    while not until() and time.monotonic() < deadline:
        time.sleep(0.005)


def test_each_lane_but_the_first_is_its_own_process(tmp_path: Path) -> None:
    def run(index: int) -> int:  # each lane takes one item, then waits for the others
        (tmp_path / str(os.getpid())).touch()
        _wait(lambda: len(list(tmp_path.iterdir())) == 3)
        return os.getpid()

    found = side_by_side({0: 1, 1: 1, 2: 1}, 3, run)
    assert sorted(found) == [0, 1, 2]
    assert os.getpid() in found.values()
    assert len(set(found.values())) == 3


def test_a_lane_that_is_slower_takes_less_of_the_work(tmp_path: Path) -> None:
    """Each lane takes the next item when it ends one: while this process is held up on
    its first item, the other lane takes all the rest (split beforehand, it would wait
    with half of them)."""

    here = tmp_path / "here"
    there = tmp_path / "there"
    here.mkdir()
    there.mkdir()

    def run(index: int) -> int:
        if os.getpid() == MAIN:
            (here / str(index)).touch()
            _wait(lambda: len(list(there.iterdir())) == 7)
        else:  # not before this process has taken one
            _wait(lambda: any(here.iterdir()))
            (there / str(index)).touch()
        return os.getpid()

    found = side_by_side(dict.fromkeys(range(8), 1), 2, run)
    assert sorted(found) == list(range(8))
    assert list(found.values()).count(MAIN) == 1


def _reaped(pids: Path) -> bool:
    """Every lane process that wrote its pid to `pids` is gone and was waited for."""
    found = [int(p.name) for p in pids.iterdir() if int(p.name) != MAIN]
    assert found, "no lane ran in its own process"
    for pid in found:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    return True


def _failing(pids: Path, error: Exception, *, here: bool) -> Callable[[int], int]:
    """Each item fails in a lane's own process (`here`: in this one instead). Each lane
    says it has taken an item (its pid in `pids`) and waits for the other to."""

    def run(index: int) -> int:
        (pids / str(os.getpid())).touch()
        _wait(lambda: len(list(pids.iterdir())) == 2)
        if (os.getpid() == MAIN) == here:
            raise error
        return index

    return run


MAIN = os.getpid()


@pytest.mark.parametrize("here", [False, True], ids=["in-a-lane-process", "in-this-process"])
@pytest.mark.parametrize(
    ("error", "message", "hint"),
    [
        (RuntimeError("the disk went away"),
         "a rehearsal lane failed: RuntimeError: the disk went away", "--jobs 1"),
        (GonogoError("the runbook was changed", hint="rehearse it again"),
         "the runbook was changed", "rehearse it again"),
    ],
)  # fmt: skip
def test_a_lane_that_fails_is_one_clear_error_and_leaves_no_process(
    error: Exception, message: str, hint: str, here: bool, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    """The same error, whichever lane took the item that failed."""
    pids = tmp_path / "pids"
    pids.mkdir()
    with pytest.raises(GonogoError) as raised:
        side_by_side({0: 2, 1: 1}, 2, _failing(pids, error, here=here))
    assert raised.value.message == message
    assert hint in (raised.value.hint or "")
    assert "Traceback" not in capsys.readouterr().err
    assert _reaped(pids)


def test_a_lane_that_fails_leaves_the_rest_of_the_work_untaken(tmp_path: Path) -> None:
    """The other lanes end with the item they are on: the error is not kept back until
    every item is done."""
    failed = tmp_path / "failed"
    ran = tmp_path / "ran"
    ran.mkdir()

    def run(index: int) -> int:
        if os.getpid() != MAIN:
            failed.touch()
            raise RuntimeError("the disk went away")
        (ran / str(index)).touch()
        _wait(failed.exists)
        time.sleep(0.5)  # the failed lane has long taken what was left
        return index

    with pytest.raises(GonogoError, match="the disk went away"):
        side_by_side(dict.fromkeys(range(40), 1), 2, run)
    assert len(list(ran.iterdir())) <= 2


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_the_lanes_end_when_this_process_fails(tmp_path: Path) -> None:
    marker = tmp_path / "lane-ran-to-its-end"
    pids = tmp_path / "pids"
    pids.mkdir()

    def slow_lane(index: int) -> int:
        if os.getpid() == MAIN:  # here: once the other lane is under way, fail
            _wait(lambda: any(pids.iterdir()))
            raise GonogoError("stopped here")
        (pids / str(os.getpid())).touch()
        time.sleep(30)
        marker.write_text("still running")
        return index

    with pytest.raises(GonogoError, match="stopped here"):
        side_by_side({0: 2, 1: 1}, 2, slow_lane)
    assert _reaped(pids)
    assert not marker.exists()
