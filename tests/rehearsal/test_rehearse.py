"""`gonogo rehearse`: scenarios on a simulated clock, expectations, and every path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.cli import main
from gonogo.rehearsal.paths import generate, possible_deliveries
from gonogo.rehearsal.scenario import load_scenario
from gonogo.runbook.validate import load_valid

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
SCENARIOS = sorted((REPO / "examples" / "scenarios").glob("*.yaml"))


def _rehearse(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["rehearse", str(RUNBOOK), *args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.stem)
def test_bundled_scenarios_hold(
    scenario: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path))
    assert code == 0, out
    assert "Result: every expectation held" in out
    assert "FAILED" not in out


def test_smooth_night_outbox_has_the_approved_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = REPO / "examples" / "scenarios" / "smooth-night.yaml"
    code, _ = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path))
    assert code == 0
    outbox = tmp_path / "21.0" / "rehearsal" / "outbox"
    texts = "\n".join(p.read_text(encoding="utf-8") for p in outbox.glob("*-sms-vard-sv.txt"))
    assert "Arbetet med del 1 av 5 pågår enligt plan." in texts
    assert (
        "Nu har del 5 av 5 av servicefönstret genomförts med lyckat resultat. Vi öppnar "
        "tjänsten för externtrafik och anslutna aktörer kan övervaka flödet på sin sida."
    ) in texts
    assert (
        "Produktionssättning av release 21.0 är genomförd och verifierad med gott resultat. "
        "Servicefönstret avslutas."
    ) in texts


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_failed_expectation_says_what_was_expected_and_what_happened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _write(
        tmp_path / "s.yaml",
        'scenario: 1\nname: wrong\nactions: ["23:00 start", "00:00 go 1"]\n'
        "expect:\n  outcome: completed\n  messages:\n"
        "    - {event: rollback_started}\n",
    )
    code, out = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "FAILED  expected outcome completed; got none (the night is not over)" in out
    assert "FAILED  expected message rollback_started; got 0 matching deliveries" in out
    assert "Result: FAILED" in out


def test_an_action_that_fails_unexpectedly_stops_the_rehearsal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _write(
        tmp_path / "s.yaml",
        'scenario: 1\nname: bad step\nactions: ["23:00 start", "23:10 go 2", "23:20 go 1"]\n',
    )
    code, out = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path / "o"))
    assert code == 1
    assert "go 2" in out
    assert "del 1 (databas) pågår, inte del 2" in out
    assert "23:20" not in out  # the rehearsal stopped at the failed step


def test_lateness_and_point_of_no_return_follow_the_simulated_clock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _write(
        tmp_path / "s.yaml",
        "scenario: 1\nname: late\n"
        'actions: ["23:00 start", "00:40 go 1", "05:45 hold 2 --reason slow"]\n'
        "expect:\n  state: part_2\n  late: [{part: 1, more_than: 39}]\n"
        "  point_of_no_return_passed: true\n",
    )
    code, out = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path / "o"))
    assert code == 0, out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scenario: 1\nname: x\nactions: []\n", "bad.yaml:3:10: actions: needs at least one entry"),
        ("scenario: 2\nname: x\nactions: ['23:00 start']\n", "bad.yaml:1:11: scenario: expected 1"),
        ("scenario: 1\nname: x\nactions: ['2300 start']\n",
         "bad.yaml:3:11: action 1 (`2300 start`): at: expected a local time as HH:MM"),
        ("scenario: 1\nname: x\nactions:\n  - '23:00 start'\n  - '25:00 go 1'\n",
         "bad.yaml:5:5: action 2 (`25:00 go 1`): at: expected a local time as HH:MM in quotes"),
        ("scenario: 1\nname: x\nactions:\n  - '23:00 start'\n"
         "  - \"00:05 nogo 1 --reason 'unterminated\"\n",
         "bad.yaml:5:5: action 2 (`00:05 nogo 1 --reason 'unterminated`): do: the command "
         "cannot be split into words: no closing quotation"),
        ("scenario: 1\nname: x\nactions:\n  - at: '23:00'\n    do: 'nogo 1 --reason \"x'\n",
         "bad.yaml:5:9: action 1 (`23:00 nogo 1 --reason \"x`): do: the command cannot be split"),
        ("scenario: 1\nname: x\nactions: ['23:00 start', '23:10']\n",
         "bad.yaml:3:26: action 2 (`23:10`): do: the command is empty"),
        ("scenario: 1\nname: x\nactions: ['23:00 start']\nexpect: {stat: x}\n",
         "bad.yaml:4:10: unknown key 'stat'; did you mean 'state'?"),
        ("scenario: [1\n", "YAML syntax error"),
        ("- 23:00 start\n", "bad.yaml:1:1: not a scenario: one is a mapping that starts with"),
    ],
)  # fmt: skip
def test_bad_scenarios_are_one_clear_error(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = _write(tmp_path / "bad.yaml", text)
    code, out = _rehearse(capsys, "--scenario", str(scenario))
    assert code == 1
    assert message in out
    assert "Traceback" not in out
    assert out.startswith("gonogo: error: ")


@pytest.mark.parametrize("kind", ["fifo", "directory"])
def test_a_scenario_that_is_not_a_file_is_refused_at_once(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "night.yaml"
    if kind == "fifo":
        os.mkfifo(scenario)  # opened for reading, it would wait for a writer for ever
    else:
        scenario.mkdir()
    code, out = _rehearse(capsys, "--scenario", str(scenario))
    assert code == 1
    what = "not a regular file (a pipe or a device?)" if kind == "fifo" else "is a directory"
    assert out == f"gonogo: error: {scenario}: cannot read the scenario: {what}\n"


def test_all_paths_on_21_0_end_in_terminal_states_with_their_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _rehearse(capsys, "--all-paths", "--out", str(tmp_path))
    assert code == 0, out
    assert "18 paths" in out
    assert "missing" not in out
    # The disruption notice is in the runbook but no generated path sends it.
    assert "never reachable" in out
    assert "Result: ok" in out


def test_generated_paths_cover_each_kind() -> None:
    runbook = load_valid(RUNBOOK).runbook
    assert runbook is not None
    names = [s.name for s in generate(runbook)]
    assert names[0] == "all Go"
    for n in range(1, 6):
        assert f"NoGo at part {n}" in names
        assert f"hold at part {n}" in names
        assert f"major incident during part {n}" in names
    assert "major incident during rollback" in names
    assert "production verification fails" in names
    assert ("window_started", "press", "email") in possible_deliveries(runbook)
    assert ("window_started", "press", "sms") not in possible_deliveries(runbook)


def test_scenario_schema_is_exported(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--scenario"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert set(schema["properties"]) == {"scenario", "name", "description", "actions", "expect"}


def test_bundled_scenarios_load() -> None:
    for path in SCENARIOS:
        assert load_scenario(path).actions


def test_rehearse_runs_as_a_separate_process(tmp_path: Path) -> None:
    scenario = REPO / "examples" / "scenarios" / "incident-during-ev.yaml"
    result = subprocess.run(
        [sys.executable, "-m", "gonogo", "rehearse", str(RUNBOOK), "--scenario", str(scenario),
         "--out", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Result: every expectation held" in result.stdout


def test_a_scenario_of_aliases_of_aliases_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nine levels of nine aliases: 400 bytes that stand for 387 million values."""
    lines = ["scenario: 1", "name: bomb", 'l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    lines += ["actions: [*l8]"]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    code, out = _rehearse(capsys, "--scenario", str(bomb), "--out", str(tmp_path / "out"))
    assert code == 1, out
    assert f"{bomb}:3:5: this value is used again through a YAML alias (*name)" in out
    assert not (tmp_path / "out").exists()  # refused before anything was written
