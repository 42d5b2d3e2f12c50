"""Every `--json` document is the shape docs/json/ documents, and says what the text says.

Each command is a fresh process, as a script would run it. The night they read is a
real rehearsal of 21.0 (an incident during external verification, one participant
skipped), run by `gonogo rehearse`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import JUnitXml

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "runbooks" / "release-21.0.yaml"
SCENARIOS = ROOT / "examples" / "scenarios"
SCHEMAS = ROOT / "docs" / "json"


def gonogo(*args: str | Path, code: int = 0) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", *map(str, args)],
        capture_output=True, text=True, check=False, cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == code, done.stdout + done.stderr
    return done.stdout


def checked(kind: str, printed: str) -> dict[str, Any]:
    """The printed document, after checking it against docs/json/<kind>.schema.json."""
    document: dict[str, Any] = json.loads(printed)
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)
    assert (document["version"], document["kind"]) == (1, kind)
    return document


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


def test_docs_name_every_schema() -> None:
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for schema in sorted(SCHEMAS.glob("*.schema.json")):
        assert f"json/{schema.name}" in text, schema.name
