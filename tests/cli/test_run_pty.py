"""`gonogo run` through a real pseudo-terminal: a whole 21.0 rehearsal, mistakes included."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from documented_json import checked

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
PROMPT = "gonogo> "
OPEN = r"Öppna servicefönstret nu\? \[j/N\]: "
OUTBOX = r"Lägga meddelandena i utkorgen \(torrkörning\)\? \[j/N\]: "
OUTBOX_EN = r"Write these to the outbox \(dry run\)\? \[y/N\]: "


def _spawn(state: Path, runbook: Path = RUNBOOK) -> pexpect.spawn:
    env = {**os.environ, "COLUMNS": "100", "LINES": "50", "PYTHONUNBUFFERED": "1"}
    args = ["-m", "gonogo", "run", str(runbook), "--dry-run", "--state-dir", str(state),
            "--by", "eva"]  # fmt: skip
    return pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=60,
                         dimensions=(50, 100))  # fmt: skip


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _type(child: pexpect.spawn, line: str, expect: str = PROMPT) -> None:
    child.sendline(line)
    child.expect(expect)
    child.before = ANSI.sub("", child.before)  # what the operator reads, without colours


def _status(state: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "gonogo", "status", "--json", "--dry-run", "--state-dir",
         str(state)], capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return checked("status", out)


def test_a_whole_night_with_verification_an_incident_and_mistakes(tmp_path: Path) -> None:
    child = _spawn(tmp_path)
    child.expect(OPEN)
    _type(child, "j", OUTBOX)
    _type(child, "y")
    assert "statusmeddelande för del 1" in child.before  # due now, before anything else
    _type(child, "z")
    assert "Ingen tangent 'z'; `?` visar tangenterna." in child.before
    # Go on part 1 without its status message asks first; not this time.
    _type(child, "go DATABAS", r"Ge Go utan det\? \[j/N\]: ")
    _type(child, "n")
    assert "not confirmed; nothing was journaled or sent" in child.before
    _type(child, "p", OUTBOX)
    _type(child, "ja")  # Swedish questions take j/ja as well as y/yes
    _type(child, "go DATABAS", OUTBOX)
    _type(child, "y")
    # A blank reason is refused, wherever it comes from.
    _type(child, "nogo 2 --reason ' '")
    assert "`nogo` kräver --reason TEXT, inte en tom text" in child.before
    _type(child, "g 2", OUTBOX)  # a key with its part, as a tired person types it
    _type(child, "y")
    for part in (3, 4):
        _type(child, "g", rf"Del \[{part}\]: ")
        _type(child, "", OUTBOX)
        _type(child, "y")
    # Part 5: Go waits for production verification, and is never suggested.
    assert "gonogo go 5" not in child.before
    _type(child, "g", r"Del \[5\]: ")
    _type(child, "")
    assert "del 5 kan inte få Go" in child.before
    _type(child, "v", r"eller `start` \[start\]: ")
    _type(child, "", OUTBOX)
    _type(child, "y")
    _type(child, "verify Dalarna ok")
    _type(child, "v", r"\[start\]: ")
    _type(child, "dalrna", "Resultat.*: ")
    _type(child, "ok", "Anteckning: ")
    _type(child, "")
    assert "menade du 'dalarna'" in child.before
    _type(child, "v", r"\[start\]: ")
    _type(child, "Apoteket AB", "Resultat.*: ")
    _type(child, "bra", "Resultat.*: ")  # not ok/fail/skip: asked again
    _type(child, "ok", "Anteckning: ")
    _type(child, "")
    for who in ("stockholm", "Region Kalmar", "jonkoping", "VAS"):
        _type(child, f"verify '{who}' ok")
    _type(child, "verify orebro OK")
    assert "Verifiering (spärrar del ev): startad" in child.before
    assert "7 av 7 har rapporterat; klar" in child.before
    # An incident, the priority typed wrong first.
    _type(child, "i", r"Prioritet \(1-5\) \[2\]: ")
    _type(child, "Långsamt i e-recept", r"Prioritet \(1-5\) \[2\]: ")
    _type(child, "1", "Sammanfattning: ")
    _type(child, "Långsamt i e-recept", r"Tjänster \(kommaseparerade\): ")
    _type(child, "erecept", OUTBOX)
    assert "to vard (care) " in child.before or "vard" in child.before
    _type(child, "y")
    assert "uppdatering om driftstörning INC-1 (P1)" in child.before
    _type(child, "u", r"Driftstörningens id \[INC-1\]: ")
    _type(child, "", "Sammanfattning: ")
    _type(child, "Felsökning pågår", OUTBOX)
    _type(child, "y")
    _type(child, "r", r"Driftstörningens id \[INC-1\]: ")
    _type(child, "", r"Sammanfattning \(Enter: samma som när den öppnades\): ")
    _type(child, "Åtgärdat", OUTBOX)
    _type(child, "y")
    _type(child, "g", r"Del \[5\]: ")
    _type(child, "", OUTBOX)
    _type(child, "y")
    assert "alla delar har fått Go: avsluta servicefönstret" in child.before
    _type(child, "e", OUTBOX)
    _type(child, "y")
    assert "Utfall: genomförd" in child.before
    assert "Traceback" not in child.before
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    status = _status(tmp_path)
    assert status["state"] == "completed"
    assert status["incidents"] == []


@pytest.mark.parametrize("where", ["prompt", "confirmation"])
def test_ctrl_c_exits_130_with_a_line(tmp_path: Path, where: str) -> None:
    child = _spawn(tmp_path)
    child.expect(OPEN)
    _type(child, "j", OUTBOX)
    _type(child, "y")
    if where == "confirmation":
        _type(child, "p", OUTBOX)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    said = child.before
    assert "`gonogo status` visar var natten står" in said
    if where == "confirmation":  # the command's own (English) line, then the night's
        assert "nothing was journaled or sent\r\ngonogo: `gonogo status` visar" in said
    else:
        assert "gonogo: avbrutet; inget pågick, `gonogo status` visar var natten står" in said
    assert "Traceback" not in said


@pytest.mark.parametrize("key", ["c", "d"])
def test_ctrl_c_or_d_at_a_keys_question_does_nothing_for_that_step(
    tmp_path: Path, key: str
) -> None:
    """At `h`'s Reason: Ctrl-C ends run with 130, Ctrl-D drops the step and the prompt
    comes back; either way no hold is journaled."""
    child = _spawn(tmp_path)
    child.expect(OPEN)
    _type(child, "j", OUTBOX)
    _type(child, "y")
    _type(child, "h", r"Del \[1\]: ")
    _type(child, "1", "Skäl: ")
    child.sendcontrol(key)
    if key == "c":
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
        said = " ".join(child.before.split())
        assert "inget journalfördes eller skickades för steget" in said
    else:
        child.expect(PROMPT)
        assert "steget hoppades över; inget journalfördes eller skickades" in " ".join(
            child.before.split()
        )
        _type(child, "q", pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    assert _status(tmp_path)["holds"] == []


@pytest.mark.parametrize("key", ["c", "d"])
def test_ctrl_c_or_d_at_whether_to_open_the_window_opens_nothing(tmp_path: Path, key: str) -> None:
    child = _spawn(tmp_path)
    child.expect(OPEN)
    child.sendcontrol(key)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == (130 if key == "c" else 0)
    if key == "c":
        assert "interrupted at the question; nothing was journaled or sent" in child.before
    assert "Traceback" not in child.before
    assert not list(tmp_path.glob("**/journal.sqlite"))


@pytest.mark.parametrize("key", ["c", "d"])
def test_an_english_runbooks_night_asks_and_stops_in_english(tmp_path: Path, key: str) -> None:
    """The same steps on 21.0 made English: today's English prompts and last lines."""
    from render import english_runbook  # noqa: PLC0415

    child = _spawn(tmp_path / "state", english_runbook(tmp_path))
    child.expect(r"No rehearsal of 21.0 yet. Open the window now\? \[y/N\]: ")
    _type(child, "y", OUTBOX_EN)
    _type(child, "y")
    _type(child, "n", r"Part \[1\]: ")
    _type(child, "", "Reason: ")
    child.sendcontrol(key)
    if key == "d":
        child.expect(PROMPT)
        said = " ".join(child.before.split())
        assert "gonogo: the step in hand is dropped; nothing was journaled or sent for it" in said
        child.sendintr()  # at the prompt: nothing was in progress
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    said = " ".join(child.before.split())
    what = (
        "nothing was in progress"
        if key == "d"
        else "nothing was journaled or sent for the step in hand"
    )
    assert f"gonogo: interrupted; {what}, the night stands as `gonogo status` shows" in said
    assert "natten" not in said
    assert _status(tmp_path / "state")["state"] == "part_1"


def test_ctrl_c_at_a_single_commands_confirmation_exits_130(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "gonogo", "start", str(RUNBOOK), "--dry-run", "--yes",
         "--state-dir", str(tmp_path)], capture_output=True, check=True,
    )  # fmt: skip
    child = pexpect.spawn(
        sys.executable,
        ["-m", "gonogo", "progress", "--dry-run", "--state-dir", str(tmp_path)],
        encoding="utf-8", timeout=60,
    )  # fmt: skip
    child.expect(OUTBOX)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "interrupted at the question; nothing was journaled or sent" in child.before
