"""A scenario's commands are checked against the command line before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.core import TyperGroup

from documented_json import checked
from gonogo.cli import _full_command, main
from gonogo.rehearsal.engine import argv_for

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
HEAD = "scenario: 1\nname: x\nactions:\n  - '23:00 start'\n  - '00:00 go 1'\n"


def _rehearse(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["rehearse", str(RUNBOOK), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("  - '02:10 goo 2'\n",
         "bad.yaml:6:5: action 3 (`02:10 goo 2`): do: no such command 'goo'. Did you mean 'go'?"),
        ("  - '02:10 incident opn --summary x'\n",
         "bad.yaml:6:5: action 3 (`02:10 incident opn --summary x`): do: no such command "
         "'opn'. Did you mean 'open'?"),
        ("  - \"02:10 hold 2 --reasn 'slow'\"\n",
         "bad.yaml:6:5: action 3 (`02:10 hold 2 --reasn 'slow'`): do: no such option: "
         "--reasn (Possible options: --reason"),
        ("  - at: '02:10'\n    do: nogo\n",
         "bad.yaml:7:9: action 3 (`02:10 nogo`): do: missing argument 'part' "
         "(usage: gonogo nogo [OPTIONS] {part})"),
        ("  - '02:10 incident open --priority high --summary slow'\n",
         "action 3 (`02:10 incident open --priority high --summary slow`): do: invalid value "
         "for '--priority': Input should be a valid integer"),
        ("  - '02:10 incident'\n",
         "action 3 (`02:10 incident`): do: `gonogo incident` needs a command: open, update, "
         "resolve, list"),
    ],
)  # fmt: skip
def test_a_command_the_cli_would_refuse_is_refused_before_anything_runs(
    action: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(HEAD + action, encoding="utf-8")
    out = tmp_path / "out"
    code, printed, errors = _rehearse(capsys, "--scenario", str(scenario), "--out", str(out))
    assert code == 1
    assert errors.startswith(f"gonogo: error: {tmp_path}/")
    assert message in errors
    assert "Traceback" not in errors
    assert printed == ""
    assert not out.exists()  # nothing ran: no journal, no outbox, not even the directory


def test_the_check_keeps_an_earlier_rehearsal_and_names_every_bad_action(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(HEAD, encoding="utf-8")
    out = tmp_path / "out"
    assert _rehearse(capsys, "--scenario", str(good), "--out", str(out))[0] == 0
    before = sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*"))
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "  - '02:10 goo 2'\n  - '02:20 go 2 --yess'\n", encoding="utf-8")
    code, _, errors = _rehearse(capsys, "--scenario", str(bad), "--out", str(out))
    assert code == 1
    assert "action 3 (`02:10 goo 2`)" in errors
    assert "action 4 (`02:20 go 2 --yess`): do: no such option: --yess" in errors
    assert sorted((p.relative_to(out), p.stat().st_mtime_ns) for p in out.rglob("*")) == before


def test_an_action_meant_to_be_a_usage_error_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`exit: 2` says the command must be refused so; the check leaves it to the run."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEAD + "  - at: '02:10'\n    do: goo 2\n    exit: 2\n", encoding="utf-8")
    code, printed, _ = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path / "o"))
    assert code == 0, printed
    assert "Result: every expectation held" in printed


def test_commands_that_only_read_the_run_run_in_a_rehearsal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """They take no --by: a rehearsal gives it only to commands that journal an operator."""
    reading = ["status", "log", "deliveries", "incident list", "report --format md"]
    actions = "".join(f"  - '00:0{n + 1} {command}'\n" for n, command in enumerate(reading))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEAD + actions, encoding="utf-8")
    code, printed, _ = _rehearse(capsys, "--scenario", str(scenario), "--out", str(tmp_path / "o"))
    assert code == 0, printed
    assert "Result: every expectation held" in printed


def test_a_refused_scenario_prints_its_errors_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(HEAD + "  - '02:10 goo 2'\n  - at: '02:20'\n    do: nogo\n", "utf-8")
    out = tmp_path / "out"
    args = ["--scenario", str(scenario), "--out", str(out), "--json"]
    code, printed, errors = _rehearse(capsys, *args)
    assert code == 1
    document = checked("rehearsal", printed)
    assert (document["ok"], document["out"], document["rehearsals"]) == (False, None, [])
    assert document["errors"] == [
        {"file": str(scenario), "line": 6, "column": 5,
         "message": "action 3 (`02:10 goo 2`): do: no such command 'goo'. Did you mean 'go'?"},
        {"file": str(scenario), "line": 8, "column": 9,
         "message": "action 4 (`02:20 nogo`): do: missing argument 'part' "
                    "(usage: gonogo nogo [OPTIONS] {part})"},
    ]  # fmt: skip
    assert "no such command 'goo'" in errors  # the words still go to stderr
    assert not out.exists()
    # A scenario that is not YAML at all: one error without a place of its own.
    scenario.write_text("scenario: [1\n", encoding="utf-8")
    code, printed, _ = _rehearse(capsys, *args)
    assert code == 1
    (error,) = checked("rehearsal", printed)["errors"]
    assert error["message"].startswith("YAML syntax error")


def test_a_rehearsal_gives_by_to_exactly_the_commands_that_take_it() -> None:
    def leaves(command: object, path: list[str]) -> list[tuple[list[str], set[str]]]:
        if isinstance(command, TyperGroup):
            return [leaf for name, sub in command.commands.items()
                    for leaf in leaves(sub, [*path, name])]  # fmt: skip
        params = getattr(command, "params", [])
        return [(path, {o for p in params for o in getattr(p, "opts", [])})]

    for path, options in leaves(_full_command(), []):
        if "--state-dir" in options:  # a command a scenario can run on its run
            given = argv_for(path, RUNBOOK, Path("state"))
            assert ("--by" in given) == ("--by" in options), path
