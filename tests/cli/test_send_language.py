"""What the commands that send say and ask, in the runbook's language: Swedish for 21.0,
English, as it always was, for an English runbook."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from render import RUNBOOK, english_runbook
from servers.gonogo_forks import gonogo as forked

SWEDISH = {
    "start": "window_started: 37 skickade (e-post 20, sms 17)",
    "hold": "Journalfört.",
    "caution": (
        "Varning: statusmeddelandet för del 1 har aldrig gått ut; efter denna Go kan det "
        "inte skickas (skicka det först med `gonogo progress`).\nGe Go utan det? [j/N]: "
    ),
    "go": "part_completed (del 1): 2 texter till 34 mottagare",
    "question": "Lägga meddelandena i utkorgen (torrkörning)? [j/N]: ",
    "resume": "Inget att återuppta: alla utskick är klara.",
    "retry": "Inga misslyckade leveranser.",
    "incident": (
        "Driftstörning INC-1 öppnad.\nincident_opened-INC-1: 37 skickade (e-post 20, sms 17)"
    ),
}
ENGLISH = {
    "start": "window_started: 37 delivered (email 20, sms 17)",
    "hold": "Journaled.",
    "caution": (
        "Warning: the status message for part 1 never went out; after this Go it cannot be "
        "sent (`gonogo progress` first sends it).\nGive Go without it? [y/N]: "
    ),
    "go": "part_completed (part 1): 2 text(s) to 34 recipient(s)",
    "question": "Write these to the outbox (dry run)? [y/N]: ",
    "resume": "Nothing to resume: every dispatch is finished.",
    "retry": "No failed deliveries.",
    "incident": "Opened incident INC-1.\nincident_opened-INC-1: 37 delivered (email 20, sms 17)",
}


def _gonogo(state: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return forked([*args, "--dry-run", "--state-dir", str(state)], stdin=stdin)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_sending_commands_speak_the_runbooks_language(tmp_path: Path, language: str) -> None:
    words = SWEDISH if language == "sv" else ENGLISH
    runbook = RUNBOOK if language == "sv" else english_runbook(tmp_path)
    state = tmp_path / "state"
    started = _gonogo(state, "start", str(runbook), "--yes")
    assert started.returncode == 0, started.stderr
    assert words["start"] in started.stdout
    held = _gonogo(state, "hold", "1", "--reason", "DBA", "--yes")
    assert held.stdout.strip().endswith(words["hold"])
    asked = _gonogo(state, "go", "1", stdin="y\nn\n")
    assert asked.returncode == 1  # the preview declined: nothing journaled or sent
    assert words["caution"] in asked.stdout
    assert words["go"] in asked.stdout
    assert asked.stdout.endswith(words["question"])
    assert "not confirmed; nothing was journaled or sent" in asked.stderr  # an error: English
    assert words["resume"] in _gonogo(state, "resume").stdout
    assert words["retry"] in _gonogo(state, "retry-failed", "--yes").stdout
    opened = _gonogo(state, "incident", "open", "--priority", "3", "--summary", "Långsamt",
                     "--services", "erecept", "--yes")  # fmt: skip
    assert words["incident"] in opened.stdout
