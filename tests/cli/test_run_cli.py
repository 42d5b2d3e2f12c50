"""`gonogo run`: the guided night, driven through its prompts in a separate process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from documented_json import checked
from gonogo.cli import guided, run_command

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"


def _gonogo(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo", *args],
        input=stdin, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def _status(state: Path) -> dict[str, object]:
    result = _gonogo("status", "--json", "--state-dir", str(state))
    assert result.returncode == 0, result.stderr
    return checked("status", result.stdout)


def test_run_starts_the_night_and_takes_decisions(tmp_path: Path) -> None:
    # Open the window (confirm twice: start, then the outbox), progress, Go for part 1, quit.
    answers = "y\ny\np\ny\ng\n1\ny\nq\n"
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--state-dir", str(tmp_path),
                     "--by", "eva", stdin=answers)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "window_started: 37 skickade" in result.stdout
    assert "part_status-part1: 34 skickade" in result.stdout
    assert "part_completed-part1: 34 skickade" in result.stdout
    status = _status(tmp_path)
    assert status["state"] == "part_2"
    parts = status["parts"]
    assert isinstance(parts, list)
    assert parts[0]["decided_by"] == "eva"


def test_run_shows_refusals_and_goes_on(tmp_path: Path) -> None:
    # Go for part 3 while part 1 is in progress is refused; the session continues. Go
    # for part 1 asks first: its status message never went out.
    answers = "y\ny\ng\n3\ng\n1\ny\ny\nq\n"
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--state-dir", str(tmp_path),
                     stdin=answers)  # fmt: skip
    assert result.returncode == 0
    assert "`go 3`: del 1 (databas) pågår, inte del 3" in result.stderr
    assert _status(tmp_path)["state"] == "part_2"


def test_a_mistyped_command_line_is_one_line_and_the_session_goes_on(tmp_path: Path) -> None:
    """Click's three-line usage (`Usage: …`, `Try …`, `Error: …`) never reaches the
    operator in `run`: a bad command line is one error line, as every other error."""
    answers = "y\ny\nkoll\nnogo 2\ngo 1 --bogus\nq\n"
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--state-dir", str(tmp_path),
                     stdin=answers)  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line]
    assert said == [
        "gonogo: error: no such command 'koll'.",
        "gonogo: error: missing option '--reason' (usage: gonogo nogo [OPTIONS] {part})",
        "gonogo: error: no such option: --bogus (usage: gonogo go [OPTIONS] {part})",
    ]
    assert "Usage:" not in result.stdout + result.stderr
    assert _status(tmp_path)["state"] == "part_1"  # nothing was done


def test_single_commands_and_run_share_the_journal(tmp_path: Path) -> None:
    assert _gonogo("start", str(RUNBOOK), "--dry-run", "--yes",
                   "--state-dir", str(tmp_path)).returncode == 0  # fmt: skip
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--state-dir", str(tmp_path),
                     stdin="p\ny\ng\n1\ny\nq\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _gonogo("go", "2", "--dry-run", "--yes", "--state-dir", str(tmp_path)).returncode == 0
    assert _status(tmp_path)["state"] == "part_3"


def test_speed_plays_the_plan_from_its_start(tmp_path: Path) -> None:
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--speed", "60", "--state-dir",
                     str(tmp_path), stdin="y\ny\nq\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    # The rehearsal's clock started at the planned window start, 60 times faster.
    assert "Nu 2021-11-27 23:0" in result.stdout  # the status screen, in Swedish
    opened = _status(tmp_path)["window"]
    assert isinstance(opened, dict)
    assert str(opened["opened"]).startswith("2021-11-27T23:0")


def test_speed_needs_a_dry_run(tmp_path: Path) -> None:
    result = _gonogo("run", str(RUNBOOK), "--speed", "60", "--state-dir", str(tmp_path))
    assert result.returncode == 2
    assert "--speed is for rehearsals" in result.stderr
    assert not (tmp_path / "21.0").exists()


@pytest.mark.parametrize("speed", ["-5", "0", "nan", "inf", "1e309", "1e300"])
def test_speed_must_be_a_sane_number_above_0(tmp_path: Path, speed: str) -> None:
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--speed", speed, "--state-dir",
                     str(tmp_path), stdin="y\ny\nq\n")  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "give a number greater than 0 and at most 10000, e.g. 60" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "21.0").exists()


def test_an_unexpected_error_in_the_guided_night_never_exits_0(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run_command._worst(0) == 0
    try:
        assert guided.act(lambda: 1 / 0) == 1  # a bug: the night goes on ...
        assert "unexpected error (ZeroDivisionError" in capsys.readouterr().err
        assert run_command._worst(0) == 1  # ... but its session does not end as a clean one
        assert run_command._worst(3) == 3
        assert "1 unexpected error(s) in this session" in capsys.readouterr().err
    finally:
        guided._UNEXPECTED.clear()  # this process's tally: the next test's session is new


def test_run_and_rehearse_on_a_missing_file_or_a_directory_give_one_line(
    tmp_path: Path,
) -> None:
    for args in (["run", "nope.yaml", "--dry-run"], ["run", str(tmp_path)],
                 ["rehearse", "nope.yaml", "--all-paths"]):  # fmt: skip
        result = _gonogo(*args)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("gonogo: error: ")
        assert ("no such file" in result.stderr) or ("is a directory" in result.stderr)


# Not a yes, then j; the outbox; the keys; a colour in Swedish after a wrong one; a
# key that is none; `run` inside `run`; quit.
TALK = "x\nj\ny\n?\nl\nerecept\nblå\ngul\nTest\nz\nrun\nq\n"


def test_run_asks_in_swedish_for_a_swedish_runbook(tmp_path: Path) -> None:
    result = _gonogo("run", str(RUNBOOK), "--dry-run", "--state-dir", str(tmp_path),
                     stdin=TALK)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("Ingen övning av 21.0 än. Öppna servicefönstret nu? [j/N]: "
                          "Svara j (ja) eller n (nej).\n")  # fmt: skip
    keys = "Tangenter: g = Go, o = Go trots ofullständig verifiering, n = NoGo, h = paus, "
    assert out.count(keys) == 2  # at the start and at `?`
    assert "q = sluta.\nEller skriv ett gonogo-kommando som i skalet: `go 1`" in out
    assert "Tjänst: Färg (grön, gul, röd): 'blå' är inte något av grön, gul, röd; " in out
    assert "Ingen tangent 'z'; `?` visar tangenterna." in out
    assert "gonogo: `run` går inte inifrån den guidade natten" in result.stderr
    for english in ("Open the window", "Keys:", "Colour", "No key", "quit first"):
        assert english not in out + result.stderr
    lights = _status(tmp_path)["lights"]
    assert isinstance(lights, dict)
    assert lights["erecept"] == "yellow"  # `gul` is the command's `yellow`


def test_run_asks_in_english_for_an_english_runbook(tmp_path: Path) -> None:
    from render import english_runbook  # noqa: PLC0415

    english = english_runbook(tmp_path)
    state = tmp_path / "state"
    result = _gonogo("run", str(english), "--dry-run", "--state-dir", str(state),
                     stdin=TALK.replace("j\n", "y\n", 1).replace("gul", "yellow"))  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("No rehearsal of 21.0 yet. Open the window now? [y/N]: "
                          "Error: invalid input\n")  # fmt: skip
    keys = (  # as before the keys could be said in Swedish
        "Keys: g = Go, o = Go over verification, n = NoGo, h = hold, p = progress message, "
        "v = verification, e = end, d = rollback done, i = open incident, u = update "
        "incident, r = resolve incident, x = disruption, l = set a light, f = retry failed, "
        "s = status, ? = keys, q = quit.\nOr type any gonogo command as on the shell: "
        "`go 1`, `verify dalarna ok`, `deliveries`.\n"
    )
    assert out.count(keys) == 2
    assert "Service: Colour: 'blå' is not one of green, yellow, red; again (Ctrl-C to stop)." in out
    assert "No key 'z'; `?` lists the keys." in out
    assert "gonogo: `run` from inside the guided night: quit first" in result.stderr
    assert "Tangenter" not in out
    lights = _status(state)["lights"]
    assert isinstance(lights, dict)
    assert lights["erecept"] == "yellow"
