"""What the published site may say (no operator's reason, a drill marked as one), and that
a publish that cannot write leaves the old site whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from freezegun import freeze_time

from gonogo.cli import main
from render import RUNBOOK, at, english_runbook, run
from render.test_publish import EXAMPLES, FILES, publish

REASON = "intern: DBA Kalle på 070-1234567"


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rehearsal: NKOO set yellow by hand with an internal reason, INC-1 opened,
    updated and resolved (without a summary)."""
    state = tmp_path_factory.mktemp("drill")
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    run(state, at(27, "23:10"), "lights", "set", "nkoo", "yellow", "--reason", REASON)
    run(state, at(27, "23:20"), "incident", "open", "--priority", "1",
        "--summary", "Databasen svarar inte", "--services", "erecept")  # fmt: skip
    run(state, at(27, "23:30"), "incident", "update", "INC-1", "--summary", "Felsökning pågår")
    run(state, at(27, "23:40"), "incident", "resolve", "INC-1")
    return state


def test_a_lights_reason_is_not_published(drill: Path, tmp_path: Path) -> None:
    files = publish(drill, tmp_path, "--dry-run")
    for name in FILES:
        assert "Kalle" not in files[name].decode(), name
    services = json.loads(files["status.json"])["services"]
    # `why` a stable code to match on, `why_text` its words in the runbook's language.
    assert {k: services[k] for k in ("nkoo", "klas")} == {
        "nkoo": {"name": "NKOO", "class": "B", "colour": "yellow",
                 "since": "2021-11-27T22:10:00Z", "why": "set by hand",
                 "why_text": "satt för hand", "rehearsal": True,
                 "until": "2021-11-28T06:00:00Z"},
        "klas": {"name": "Klas", "class": "B", "colour": "red",
                 "since": "2021-11-27T22:00:00Z", "why": "window started",
                 "why_text": "servicefönstret startade", "rehearsal": True,
                 "until": "2021-11-28T06:00:00Z"},
    }  # fmt: skip


def test_only_a_light_no_real_run_shows_is_marked_a_rehearsals(drill: Path, tmp_path: Path) -> None:
    english = EXAMPLES / "english-variant.yaml"  # announced, not started: LiiV green
    files = publish(drill, tmp_path, "--dry-run", "--runbook", str(english))
    services = json.loads(files["status.json"])["services"]
    assert (services["liiv"]["colour"], services["liiv"]["rehearsal"]) == ("green", False)
    assert (services["klas"]["colour"], services["klas"]["rehearsal"]) == ("red", True)


def test_a_lights_reason_is_internal_but_shown_to_operators(
    drill: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    # It is journaled, and `lights` shows it to the operators.
    with freeze_time(at(27, "23:50")):
        assert main(["lights", "--json", "--dry-run", "--state-dir", str(drill)]) == 0
    assert REASON in capsys.readouterr().out


def test_why_text_is_in_an_english_runbooks_language(tmp_path: Path) -> None:
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(english_runbook(tmp_path)))
    run(state, at(27, "23:10"), "lights", "set", "nkoo", "yellow", "--reason", REASON)
    services = json.loads(publish(state, tmp_path / "site", "--dry-run")["status.json"])
    assert [(services["services"][k]["why"], services["services"][k]["why_text"])
            for k in ("klas", "nkoo")] == [
        ("window started", "window started"), ("set by hand", "set by hand"),
    ]  # fmt: skip
