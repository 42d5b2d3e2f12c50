"""Every `--json` document is the shape docs/json/ documents, and says what the text says.

Each command is a fresh process, as a script would run it. The night they read is a
real rehearsal of 21.0 (an incident during external verification, one participant
skipped), run by `gonogo rehearse`. `status --json` is also read through a night's
other states (planned, a part on hold with an overdue incident, rolling back, rolled
back), each command in this process on a frozen clock, as test_announce_cli does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import click
import pytest
import typer.main
from freezegun import freeze_time
from junitparser import JUnitXml

import gonogo.runbook.model  # pydantic's models before freezegun (PRODUCT.md)
from documented_json import SCHEMAS, checked
from gonogo.cli import _full_app, main
from servers.gonogo_forks import gonogo as forked

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "runbooks" / "release-21.0.yaml"
SCENARIOS = ROOT / "examples" / "scenarios"


def gonogo(*args: str | Path, code: int = 0) -> str:
    done = forked(
        list(map(str, args)), cwd=ROOT, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("night")
    scenario = SCENARIOS / "incident-during-ev.yaml"
    gonogo("rehearse", RUNBOOK, "--scenario", scenario, "--out", out)
    return out


def test_log(night: Path) -> None:
    log = checked("log", gonogo("log", "--json", "--state-dir", night))
    assert (log["release"], log["dry_run"], log["timezone"]) == ("21.0", True, "Europe/Stockholm")
    kinds = [e["kind"] for e in log["entries"]]
    assert kinds[0] == "start"
    assert kinds.count("verification_report") == 7
    assert [e["seq"] for e in log["entries"]] == list(range(1, len(kinds) + 1))
    first_dispatch = next(e for e in log["entries"] if e["kind"] == "dispatch")
    assert first_dispatch["data"]["event"] == "window_started"
    assert first_dispatch["deliveries"] == {"sent": 37}
    assert log["entries"][0]["at"].startswith("2021-11-27T23:00:00")


def test_lights(night: Path) -> None:
    lights = checked("lights", gonogo("lights", "--json", "--state-dir", night))
    assert {light["colour"] for light in lights["lights"]} == {"green"}  # the night ended
    erecept = [(c["colour"], c["why"]) for c in lights["changes"] if c["service"] == "erecept"]
    assert erecept[0] == ("red", "window started")
    assert erecept[-1][0] == "green"
    now = lights["lights"][0]
    assert (now["service"], now["name"], now["why"]) == ("erecept", "E-recept", erecept[-1][1])


def test_verification(night: Path) -> None:
    document = checked("verification", gonogo("verify", "--json", "--state-dir", night))
    verification = document["verification"]
    assert verification["complete"] is True
    assert verification["blocker"] is None
    assert verification["started"] == "2021-11-28T04:00:01+01:00"  # after `go 4`
    results = {p["id"]: (p["result"], p["note"]) for p in verification["participants"]}
    assert results["dalarna"] == ("ok", None)
    assert results["orebro"] == ("skip", "Ingen testpatient tillgänglig, verifierar i morgon")


def test_plan() -> None:
    plan = checked("plan", gonogo("plan", RUNBOOK, "--json"))
    assert [p["id"] for p in plan["parts"]] == [
        "databas", "migrering", "miljoer", "intern-verifiering", "ev",
    ]  # fmt: skip
    assert plan["window"] == {
        "start": "2021-11-27T23:00:00+01:00", "end": "2021-11-28T07:00:00+01:00",
    }  # fmt: skip
    assert plan["point_of_no_return"] == "2021-11-28T05:30:00+01:00"
    assert [p["gated_by_verification"] for p in plan["parts"]] == [False] * 4 + [True]
    assert plan["verification"]["participants"] == 7
    assert plan["parts"][0]["message_at_go"]["channels"] == ["sms", "email"]


def test_messages() -> None:
    document = checked("messages", gonogo("messages", RUNBOOK, "--json"))
    # The advance notices come first (they go out first), then the night's messages.
    assert document["messages"][0]["event"] == "notice"
    first = next(m for m in document["messages"] if m["event"] == "window_started")
    assert first["title"] == "window opens"
    sms = first["texts"][0]["sms"]
    assert (sms["encoding"], sms["segments"], sms["characters"]) == ("GSM-7", 2, len(sms["text"]))
    assert sms["text"].startswith("Nu startar servicefönster för produktionssättning")
    assert sms["validity_seconds"] == 1800  # its own sms_validity: 30m
    events = {m["event"] for m in document["messages"]}
    assert {"rollback_started", "incident_opened", "disruption"} <= events


def test_deliveries(night: Path) -> None:
    problems = checked("deliveries", gonogo("deliveries", "--json", "--state-dir", night))
    assert (problems["release"], problems["dry_run"], problems["all"]) == ("21.0", True, False)
    assert problems["deliveries"] == []  # nothing failed, nothing in doubt
    every = checked("deliveries", gonogo("deliveries", "--all", "--json", "--state-dir", night))
    assert every["all"] is True
    log = checked("log", gonogo("log", "--json", "--state-dir", night))
    sent = {e["seq"]: e["deliveries"]["sent"] for e in log["entries"] if e["deliveries"]}
    assert Counter(d["dispatch"] for d in every["deliveries"]) == sent
    assert {d["status"] for d in every["deliveries"]} == {"sent"}
    first = every["deliveries"][0]
    assert (first["message"], first["receipt"]) == ("window_started", None)  # Twilio not asked


def test_incident_list(night: Path) -> None:
    document = checked("incidents", gonogo("incident", "list", "--json", "--state-dir", night))
    assert (document["release"], document["dry_run"]) == ("21.0", True)
    (incident,) = document["incidents"]
    assert (incident["id"], incident["priority"], incident["major"]) == ("INC-1", 2, True)
    assert incident["services"] == ["erecept"]
    assert incident["opened"] == "2021-11-28T04:10:00+01:00"
    updates = [(u["at"], u["summary"]) for u in incident["updates"]]
    assert updates == [("2021-11-28T04:35:00+01:00", "Felsökning pågår, orsaken är identifierad")]
    assert incident["resolved"] == "2021-11-28T04:55:00+01:00"
    assert (incident["next_update_due"], incident["overdue"]) == (None, False)


def test_status_of_the_finished_night(night: Path) -> None:
    status = checked("status", gonogo("status", "--json", "--state-dir", night))
    assert (status["release"], status["dry_run"]) == ("21.0", True)
    assert (status["state"], status["outcome"], status["current_part"]) == (
        "completed", "completed", None,
    )  # fmt: skip
    assert [p["decision"] for p in status["parts"]] == ["go"] * 5
    assert status["window"]["opened"] == "2021-11-27T23:00:00+01:00"
    assert status["incidents"] == []  # resolved; `incident list` still has it
    reports = status["verification"]["reports"]
    assert (reports["orebro"]["result"], status["verification"]["complete"]) == ("skip", True)
    log = checked("log", gonogo("log", "--json", "--state-dir", night))
    sent = sum(e["deliveries"].get("sent", 0) for e in log["entries"] if e["deliveries"])
    assert status["deliveries"] == {
        "sent": sent, "failed": 0, "in_doubt": 0, "pending": 0, "in_flight": 0,
        "delivered_to_phone": 0, "never_arrived": 0,
    }  # fmt: skip
    assert status["sending"] is None  # no command holds the run's lock


def at(state: Path, when: str, *args: str) -> str:
    """One command in this process at the UTC instant `when` (21.0 opens 2021-11-27T22:00)."""
    out = StringIO()
    with freeze_time(when), redirect_stdout(out), redirect_stderr(out):
        code = main([*args, "--state-dir", str(state), "--dry-run"])
    assert code == 0, out.getvalue()
    return out.getvalue()


def test_status_through_a_night(tmp_path: Path) -> None:
    state = tmp_path / "state"

    def status(when: str) -> dict[str, Any]:
        return checked("status", at(state, when, "status", "--json"))

    # Planned: the week-ahead notice is out, the window not open.
    at(state, "2021-11-20T22:05:00Z", "announce", str(RUNBOOK), "--yes")
    planned = status("2021-11-20T22:06:00Z")
    assert (planned["state"], planned["current_part"], planned["outcome"]) == (
        "planned", None, None,
    )  # fmt: skip
    assert (planned["window"]["opened"], planned["deliveries"]["sent"]) == (None, 34)
    assert planned["point_of_no_return_passed"] is False
    # Part 1 on hold, with a major incident whose update is overdue.
    at(state, "2021-11-27T22:00:00Z", "start", str(RUNBOOK), "--yes")
    at(state, "2021-11-27T22:35:00Z", "hold", "1", "--reason", "Väntar på DBA")
    at(state, "2021-11-27T22:40:00Z", "incident", "open", "--priority", "2",
       "--summary", "Förskrivning går långsamt", "--services", "erecept", "--yes")  # fmt: skip
    held = status("2021-11-27T23:15:00Z")
    assert (held["state"], held["current_part"], held["outcome"]) == ("part_1", 1, None)
    assert [(h["part"], h["reason"]) for h in held["holds"]] == [(1, "Väntar på DBA")]
    (incident,) = held["incidents"]
    assert (incident["next_update_due"], incident["overdue"]) == (
        "2021-11-28T00:10:00+01:00", True,
    )  # fmt: skip
    assert any(d["overdue"] and "INC-1" in d["command"] for d in held["due"])
    assert held["parts"][0]["started"] == "2021-11-27T23:00:00+01:00"
    # NoGo: rolling back, then rolled back (the incident stays open beyond the window).
    at(state, "2021-11-27T23:20:00Z", "nogo", "1", "--reason", "Databasen svarar inte", "--yes")
    rolling = status("2021-11-27T23:21:00Z")
    assert (rolling["state"], rolling["holds"]) == ("rolling_back", [])
    assert rolling["parts"][0]["decision"] == "nogo"
    at(state, "2021-11-27T23:50:00Z", "rollback-done", "--yes")
    done = status("2021-11-27T23:51:00Z")
    assert (done["state"], done["outcome"]) == ("rolled_back", "rolled back")
    assert done["window"]["closed"] == "2021-11-28T00:50:00+01:00"
    assert [i["id"] for i in done["incidents"]] == ["INC-1"]


def test_rehearse_scenario_json_and_junit(tmp_path: Path) -> None:
    junit = tmp_path / "rehearsal.xml"
    printed = gonogo(
        "rehearse", RUNBOOK, "--scenario", SCENARIOS / "rollback-after-part-3.yaml",
        "--out", tmp_path / "out", "--json", "--junit-xml", junit,
    )  # fmt: skip
    document = checked("rehearsal", printed)
    assert document["ok"] is True
    assert document["coverage"] is None
    (rehearsal,) = document["rehearsals"]
    assert rehearsal["outcome"] == "rolled back"
    assert [s["command"] for s in rehearsal["steps"]][:3] == ["start", "progress", "go 1"]
    refused = next(s for s in rehearsal["steps"] if s["command"] == "go 3")
    assert (refused["exit"], refused["expected_exit"], refused["ok"]) == (1, 1, True)
    xml = JUnitXml.fromfile(str(junit))
    (suite,) = list(xml)
    assert suite.name == "NoGo at part 3, rollback"
    cases = list(suite)
    assert len(cases) == len(rehearsal["steps"]) + len(rehearsal["checks"])
    assert all(case.is_passed for case in cases)
    status = checked("status", gonogo("status", "--json", "--state-dir", tmp_path / "out"))
    assert (status["state"], status["outcome"]) == ("rolled_back", "rolled back")
    assert [p["decision"] for p in status["parts"]] == ["go", "go", "nogo", None, None]


def test_a_failed_rehearsal_is_a_failed_junit_case(tmp_path: Path) -> None:
    scenario = tmp_path / "wrong.yaml"
    scenario.write_text(
        'scenario: 1\nname: expects too much\nactions:\n  - "23:00 start"\n  - "00:05 go 2"\n'
        "expect:\n  outcome: completed\n",
        encoding="utf-8",
    )
    junit = tmp_path / "rehearsal.xml"
    printed = gonogo("rehearse", RUNBOOK, "--scenario", scenario, "--json",
                     "--junit-xml", junit, code=1)  # fmt: skip
    document = checked("rehearsal", printed)
    assert document["ok"] is False
    (suite,) = list(JUnitXml.fromfile(str(junit)))
    failed = {case.name: case.result[0].message for case in suite if not case.is_passed}
    assert failed == {
        "00:05 go 2": "exit 1, expected 0",
        "expect outcome completed": "got none (the night is not over)",
    }


@pytest.mark.slow
def test_rehearse_all_paths_json(tmp_path: Path) -> None:
    junit = tmp_path / "paths.xml"
    printed = gonogo("rehearse", RUNBOOK, "--all-paths", "--json", "--out", tmp_path / "w",
                     "--junit-xml", junit)  # fmt: skip
    document = checked("rehearsal", printed)
    assert document["ok"] is True
    assert len(document["rehearsals"]) > 10
    assert any(not c["sent"] for c in document["coverage"])  # the disruption notice
    suites = [s.name for s in JUnitXml.fromfile(str(junit))]
    assert suites[-1] == "every message its events need was sent"
    assert len(suites) == len(document["rehearsals"]) + 1


def test_json_is_refused_beside_a_change() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "lights", "set", "erecept", "red", "--reason", "x",
         "--json"],
        capture_output=True, text=True, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 2
    assert "--json shows the lights" in done.stderr


def _commands_with_json() -> set[str]:
    """Every command (`incident list` for a subcommand) that has a `--json` option."""
    found: set[str] = set()

    def walk(command: click.Command, path: str) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.add(path)

    walk(typer.main.get_command(_full_app()), "")
    return found


# A row of docs/json.md's table: `gonogo COMMAND [RUNBOOK] --json` | `kind` | [schema]...
ROW = re.compile(
    r"^\| `gonogo ([a-z -]+?)(?: RUNBOOK)? (?:--json|--format json)` \| `([a-z]+)` \| "
    r"\[`json/([a-z]+)\.schema\.json`\]",
    flags=re.MULTILINE,
)


def test_every_json_command_is_documented_with_a_schema_a_test_checks() -> None:
    """Each `--json` (and `validate --format json`) has a row in docs/json.md naming its
    schema, every schema has a row, and some test checks printed output against it."""
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    rows = {command: (kind, schema) for command, kind, schema in ROW.findall(text)}
    assert set(rows) == _commands_with_json() | {"validate"}
    assert all(kind == schema for kind, schema in rows.values())
    schemas = {path.name.removesuffix(".schema.json") for path in SCHEMAS.glob("*.schema.json")}
    assert {kind for kind, _schema in rows.values()} == schemas
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py"))
    unread = sorted(kind for kind in schemas if f'checked("{kind}"' not in tests)
    assert not unread, f"no test checks printed output against: {unread}"
