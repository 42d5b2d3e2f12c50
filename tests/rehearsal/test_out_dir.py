"""`rehearse --out DIR` empties DIR: only ever a new, empty or earlier rehearsal's one."""

from __future__ import annotations

from pathlib import Path

import pytest

from gonogo.cli import main
from gonogo.rehearsal.out_dir import MARK

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
SCENARIO = sorted((REPO / "examples" / "scenarios").glob("*.yaml"))[0]
KINDS = {"scenario": ["--scenario", str(SCENARIO)], "all paths": ["--all-paths", "--jobs", "1"]}


def _rehearse(out: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["rehearse", str(RUNBOOK), *KINDS[kind], "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("kind", KINDS)
def test_a_directory_holding_other_files_is_refused_and_left_as_it_was(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--out ~` or `--out .` must never remove anyone's files."""
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "plan.txt").write_text("mine\n")
    (home / "21.0").mkdir()  # even where it looks like a rehearsal's layout
    code, out = _rehearse(home, kind, capsys)
    assert code == 2, out
    assert f"--out {home} holds files that are not a rehearsal's" in out
    assert "nothing was removed or written" in out
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == [
        "21.0", "notes", "notes/plan.txt"
    ]  # fmt: skip
    assert (home / "notes" / "plan.txt").read_text() == "mine\n"


def test_a_rehearsals_directory_is_reused_and_holds_only_the_last_rehearsal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _rehearse(out, "scenario", capsys)[0] == 0
    assert (out / MARK).is_file()
    assert (out / "21.0").is_dir()
    code, text = _rehearse(out, "all paths", capsys)
    assert code == 0, text
    names = {p.name for p in out.iterdir()}
    assert "21.0" not in names  # the scenario's journal is gone, not mixed in
    assert "path-01" in names
    assert _rehearse(out, "scenario", capsys)[0] == 0
    assert not any(p.name.startswith("path-") for p in out.iterdir())


def test_emptying_a_rehearsals_directory_never_follows_a_link_out_of_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _rehearse(out, "scenario", capsys)[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine\n")
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    assert _rehearse(out, "scenario", capsys)[0] == 0
    assert not (out / "link").exists()
    assert (elsewhere / "keep.txt").read_text() == "mine\n"


def test_a_refused_scenario_leaves_the_last_rehearsal_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _rehearse(out, "scenario", capsys)[0] == 0
    before = sorted(p.relative_to(out).as_posix() for p in out.rglob("*"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: 1\nname: trasig\nactions:\n  - at: '25:00'\n    do: go 1\n")
    code = main(["rehearse", str(RUNBOOK), "--scenario", str(bad), "--out", str(out)])
    assert code == 1, capsys.readouterr()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == before
