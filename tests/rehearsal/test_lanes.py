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
from gonogo.rehearsal.lanes import side_by_side, split
from gonogo.rehearsal.paths import _by_fork, all_paths
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


def _pids(index: int) -> int:
    return os.getpid()


def test_in_each_lane_the_paths_from_one_fork_go_together() -> None:
    """So that a lane with every path from a fork moves the fork's state into the last
    one instead of copying it; paths from no fork stay alone."""
    sources: list[tuple[int, int] | None] = [None, (0, 3), (0, 3), (0, 5), None, (0, 3)]
    assert _by_fork([[1, 3, 2], [4, 5]], sources) == [[[1, 2], [3]], [[4], [5]]]


def test_each_lane_but_the_first_is_its_own_process() -> None:
    found = side_by_side({0: 1, 1: 1, 2: 1}, 3, _pids)
    assert found[0] == os.getpid()
    assert len({found[1], found[2], os.getpid()}) == 3


def _reaped(pids: Path) -> bool:
    """Every lane process that wrote its pid to `pids` is gone and was waited for."""
    found = [int(p.name) for p in pids.iterdir()]
    assert found, "no lane ran in its own process"
    for pid in found:
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    return True


def _failing(pids: Path) -> Callable[[int], int]:
    def run(index: int) -> int:
        if os.getpid() != MAIN:
            (pids / str(os.getpid())).touch()
        if index == 1:
            raise RuntimeError("the disk went away")
        if index == 2:
            raise GonogoError("the runbook was changed", hint="rehearse it again")
        return index

    return run


MAIN = os.getpid()


@pytest.mark.parametrize(
    ("work", "message", "hint"),
    [
        ({0: 2, 1: 1}, "a rehearsal lane failed: RuntimeError: the disk went away", "--jobs 1"),
        ({0: 2, 2: 1}, "the runbook was changed", "rehearse it again"),
    ],
)
def test_a_lane_that_fails_is_one_clear_error_and_leaves_no_process(
    work: dict[int, int], message: str, hint: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    with pytest.raises(GonogoError) as raised:
        side_by_side(work, 2, _failing(tmp_path))
    assert raised.value.message == message
    assert hint in (raised.value.hint or "")
    assert "Traceback" not in capsys.readouterr().err
    assert _reaped(tmp_path)


@pytest.mark.skipif(sys.platform != "linux", reason="fork")
def test_the_lanes_end_when_this_process_fails(tmp_path: Path) -> None:
    marker = tmp_path / "lane-ran-to-its-end"
    pids = tmp_path / "pids"
    pids.mkdir()

    def slow_lane(index: int) -> int:
        if index == 0:  # here: once the other lane is under way, fail
            deadline = time.monotonic() + 20
            while not any(pids.iterdir()) and time.monotonic() < deadline:
                time.sleep(0.01)
            raise GonogoError("stopped here")
        (pids / str(os.getpid())).touch()
        time.sleep(30)
        marker.write_text("still running")
        return index

    with pytest.raises(GonogoError, match="stopped here"):
        side_by_side({0: 2, 1: 1}, 2, slow_lane)
    assert _reaped(pids)
    assert not marker.exists()
