"""Where runs live: a run's runbook is loaded without re-checking what it started with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gonogo.night import runs
from gonogo.runbook import check_cache, checks
from gonogo.runbook.validate import load_valid

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"


def test_recipients_are_checked_only_when_the_content_is_not_the_journaled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(RUNBOOKS, tmp_path / "rb")
    path = tmp_path / "rb" / "release-21.0.yaml"
    journaled = runs.content_hash(load_valid(path))
    checked: list[Path] = []
    real = check_cache.checked_recipients

    def counting(csv: Path, data: bytes) -> object:
        checked.append(csv)
        return real(csv, data)

    monkeypatch.setattr(check_cache, "checked_recipients", counting)
    monkeypatch.setattr(checks, "_checked_recipients", {})
    monkeypatch.setattr(runs, "_LOADED", {})

    assert runs.load_cached(path, journaled).runbook is not None
    assert checked == []
    monkeypatch.setattr(runs, "_LOADED", {})
    runs.load_cached(path, "another night's content")
    assert checked  # not the content the run started with: every file is checked
