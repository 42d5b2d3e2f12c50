"""`rehearse --all-paths` checks the recipients files side by side before its first
command: the load then finds each file checked, exactly as one process would have."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gonogo.cli import runner
from gonogo.rehearsal.ahead import check_ahead
from gonogo.runbook import check_cache
from gonogo.runbook.recipients import load_recipients

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"


@pytest.fixture
def runbook(tmp_path: Path) -> Path:
    shutil.copytree(RUNBOOKS, tmp_path / "rb")
    return tmp_path / "rb" / "release-21.0.yaml"


def _files(runbook: Path) -> list[Path]:
    return sorted((runbook.parent / "recipients").glob("*.csv"))


def test_files_checked_in_lanes_are_kept_as_one_process_finds_them(runbook: Path) -> None:
    files = _files(runbook)
    assert len(files) >= 2
    assert check_ahead(runbook, 2, worth=0) == len(files)
    for path in files:
        data = path.read_bytes()
        kept = check_cache._CHECKED[check_cache._memo_key(path, data)]
        assert kept == load_recipients(path, data)  # what a check here finds
        assert check_cache.checked_recipients(path, data) is kept  # not checked again


def test_files_too_small_to_be_worth_a_process_are_left_to_the_load(runbook: Path) -> None:
    assert check_ahead(runbook, 2) == 0  # 21.0's few rows: under `WORTH`
    assert check_ahead(runbook, 1, worth=0) == 0  # one lane: nothing to gain
    for path in _files(runbook):
        assert check_cache._memo_key(path, path.read_bytes()) not in check_cache._CHECKED


def test_a_file_that_cannot_be_checked_is_reported_as_without_lanes(runbook: Path) -> None:
    broken = _files(runbook)[0]
    broken.write_bytes(broken.read_bytes() + b"Tr\xe4d,+46701740699,,sv\n")  # Latin-1
    assert check_ahead(runbook, 2, worth=0) == 0
    execute = runner()
    alone = execute(["rehearse", str(runbook), "--all-paths", "--jobs", "1"])
    lanes = execute(["rehearse", str(runbook), "--all-paths", "--jobs", "2"])
    assert alone[0] == lanes[0] != 0
    assert "not UTF-8" in alone[1]
    assert lanes[1] == alone[1]
