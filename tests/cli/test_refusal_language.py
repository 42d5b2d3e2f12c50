"""The refusals of the night's steps, message and hint, in the runbook's language:
Swedish for 21.0, English, byte for byte as always, for an English runbook. The prefixes
`gonogo: error:` and `hint:` (scripts grep them) and exit 1 are the same in both."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from render import RUNBOOK, english_runbook
from servers.gonogo_forks import gonogo as forked

# (command, Swedish stderr, English stderr), each refused with exit 1 in part 1.
REFUSED: list[tuple[list[str], str, str]] = [
    (["go", "2"],
     "gonogo: error: `go 2`: del 1 (databas) pågår, inte del 2; inget har gjorts\n"
     "hint: nästa: `gonogo go 1` eller `gonogo nogo 1 --reason ...`\n",
     "gonogo: error: `go 2`: part 1 (databas) is in progress, not part 2; nothing was done\n"
     "hint: next: `gonogo go 1` or `gonogo nogo 1 --reason ...`\n"),
    (["end"],
     "gonogo: error: `end` går inte nu: del 1 (databas) pågår; inget har gjorts\n"
     "hint: nästa: `gonogo go 1` eller `gonogo nogo 1 --reason ...`\n",
     "gonogo: error: `end` is not possible now: part 1 (databas) is in progress; nothing was "
     "done\nhint: next: `gonogo go 1` or `gonogo nogo 1 --reason ...`\n"),
    (["go", "databs"],
     "gonogo: error: okänd del 'databs' (menade du 'databas'?); delar: 1 (databas), "
     "2 (migrering), 3 (miljoer), 4 (intern-verifiering), 5 (ev)\n",
     "gonogo: error: unknown part 'databs' (did you mean 'databas'?); parts: 1 (databas), "
     "2 (migrering), 3 (miljoer), 4 (intern-verifiering), 5 (ev)\n"),
    (["nogo", "1", "--reason", " "],
     "gonogo: error: `nogo` kräver --reason TEXT, inte en tom text; inget har gjorts\n",
     "gonogo: error: `nogo` needs --reason TEXT, not an empty one; nothing was done\n"),
    (["incident", "update", "INC-9", "--summary", "x"],
     "gonogo: error: ingen driftstörning INC-9; driftstörningar: inga\n",
     "gonogo: error: no incident INC-9; incidents: none\n"),
    (["lights", "set", "nope", "red", "--reason", "x"],
     "gonogo: error: okänd tjänst nope; tjänster: erecept, lakemedelsforteckningen, "
     "min-forskrivning, klas, nkoo, lakemedelskollen, vara-export\n",
     "gonogo: error: unknown service(s) nope; services: erecept, lakemedelsforteckningen, "
     "min-forskrivning, klas, nkoo, lakemedelskollen, vara-export\n"),
    (["verify", "dalarna", "ok"],
     "gonogo: error: produktionsverifieringen har inte startat\n"
     "hint: `gonogo verify start` först\n",
     "gonogo: error: production verification has not started\n"
     "hint: `gonogo verify start` first\n"),
    (["settle", "--resend", "--reason", "kollat"],
     "gonogo: error: ingen leverans är osäker; inget har gjorts\n",
     "gonogo: error: no delivery is in doubt; nothing was done\n"),
    (["reschedule", "--date", "2021-12-04", "--reason", "x"],
     "gonogo: error: servicefönstret har öppnats; det kan inte flyttas nu (inget har "
     "ändrats)\nhint: för att köra längre: `gonogo extend --until HH:MM --reason TEXT`\n",
     "gonogo: error: the window has opened; it cannot reschedule now (nothing was "
     "changed)\nhint: to run longer, `gonogo extend --until HH:MM --reason TEXT`\n"),
]  # fmt: skip


def _gonogo(state: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return forked([*args, "--dry-run", "--state-dir", str(state)])


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_refused_step_says_why_in_the_runbooks_language(tmp_path: Path, language: str) -> None:
    runbook = RUNBOOK if language == "sv" else english_runbook(tmp_path)
    state = tmp_path / "state"
    started = _gonogo(state, "start", str(runbook), "--yes")
    assert started.returncode == 0, started.stderr
    journal = next(state.rglob("journal.sqlite"))
    before = journal.read_bytes()
    for args, swedish, english in REFUSED:
        refused = _gonogo(state, *args)
        assert (refused.returncode, refused.stderr) == (
            1, swedish if language == "sv" else english
        ), args  # fmt: skip
        assert journal.read_bytes() == before  # nothing journaled, nothing sent
    # `status --json` stays English whatever the language (docs/json.md).
    shown = json.loads(_gonogo(state, "status", "--json").stdout)
    assert shown["description"] == "part 1 (databas) is in progress"
