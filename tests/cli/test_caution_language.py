"""The warnings and questions before a step, and the lines a command prints while it
finishes an interrupted dispatch, in the runbook's language: Swedish for 21.0, English,
as it always was, for an English runbook."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

import gonogo.runbook.model  # pydantic's models before freezegun (PRODUCT.md)
from gonogo.cli import main
from gonogo.night.journal import Mark, Status
from gonogo.night.runs import open_run
from render import RUNBOOK, english_runbook
from servers.gonogo_forks import gonogo as forked
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

from .test_delivery_cli import gonogo, write_runbook

SWEDISH = {
    "verify": (
        "Varning: verifieringen spärrar del 5 (ev), men del 1 pågår: klartecknet säger åt "
        "alla deltagare att börja verifiera nu.\nSkicka klartecknet ändå? [j/N]: "
    ),
    "refresh": "En övning skickar inga sms: det finns inga leveranskvitton att fråga efter.",
    "settle": "  e-post vard: 2 osäkra\nSkicka 2 osäkra leveranser igen? [j/N]: ",
    "finishing": (
        "Skickar först klart 1 leveranser i 1 avbrutna utskick: 0 ännu inte försökta, 1 på väg."
    ),
    "accepted": "Runbookändringen godtogs och journalfördes (sha256 ",
    "move": "Varning: a NoGo at the last part leaves no room: its planned end plus the rollback",
    "move question": "Flytta servicefönstret ändå? [j/N]: ",
    "emails": (
        "2 e-postmeddelanden var på väg när kommandot stoppades och kan ha gått ut. Skicka dem "
        "igen? (nej: de förblir osäkra tills du avgör dem) [j/N]: "
    ),
    "emails in doubt": "2 e-postmeddelanden är osäkra: de kan ha gått ut eller inte; se ",
}
ENGLISH = {
    "verify": (
        "Warning: verification gates part 5 (ev), but part 1 is in progress: the go-ahead "
        "tells every participant to start verifying now.\nSend the go-ahead anyway? [y/N]: "
    ),
    "refresh": "A rehearsal sends no SMS: there are no receipts to ask for.",
    "settle": "  email vard: 2 in doubt\nSend 2 deliveries in doubt again? [y/N]: ",
    "finishing": (
        "Finishing 1 deliveries of 1 interrupted dispatch(es) before anything else: "
        "0 not yet tried, 1 in flight."
    ),
    "accepted": "Runbook change accepted and journaled (sha256 ",
    "move": "Warning: a NoGo at the last part leaves no room: its planned end plus the rollback",
    "move question": "Move the window anyway? [y/N]: ",
    "emails": (
        "2 e-mail(s) were in flight when the command stopped and may have gone out. Send them "
        "again? (no: they stay in doubt until you settle them) [y/N]: "
    ),
    "emails in doubt": "2 e-mail(s) are in doubt: they may or may not have gone out; check ",
}


def _runbook(tmp_path: Path, language: str) -> Path:
    """A copy of 21.0 (free to change) in `language`."""
    if language == "en":
        return english_runbook(tmp_path)
    shutil.copytree(RUNBOOK.parent, tmp_path / "runbooks")
    return tmp_path / "runbooks" / RUNBOOK.name


def _mark(directory: Path, status: Status, channel: str, count: int) -> None:
    """What a crash leaves: `count` sent rows of `channel` back in flight or in doubt."""
    run = open_run(directory)
    try:
        rows = [d for d in run.journal.deliveries() if d.channel == channel][:count]
        marks = [Mark(d.id, status, code="in-doubt") for d in rows]
        run.journal.mark_many(marks, dt.datetime.now(dt.UTC))
    finally:
        run.close()


def _gonogo(state: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return forked([*args, "--dry-run", "--state-dir", str(state)], stdin=stdin)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_cautions_speak_the_runbooks_language(tmp_path: Path, language: str) -> None:
    words = SWEDISH if language == "sv" else ENGLISH
    runbook = _runbook(tmp_path, language)
    state = tmp_path / "state"
    assert _gonogo(state, "start", str(runbook), "--yes").returncode == 0
    # The go-ahead before the part it gates: confirmed, then the preview declined.
    early = _gonogo(state, "verify", "start", stdin="y\nn\n")
    assert early.returncode == 1
    assert words["verify"] in early.stdout
    refreshed = _gonogo(state, "deliveries", "--refresh")
    assert refreshed.stdout.startswith(words["refresh"] + "\n")
    rehearsal = state / "21.0" / "rehearsal"
    _mark(rehearsal, Status.IN_DOUBT, "email", 2)
    settling = _gonogo(state, "settle", "--resend", "--reason", "inget i loggen", stdin="n\n")
    assert settling.returncode == 1
    assert words["settle"] in settling.stdout
    _mark(rehearsal, Status.IN_FLIGHT, "sms", 1)
    resumed = _gonogo(state, "resume")
    assert resumed.stdout.startswith(words["finishing"] + "\n")
    with runbook.open("a", encoding="utf-8") as handle:
        handle.write("# a late edit\n")
    accepted = _gonogo(state, "hold", "1", "--reason", "DBA", "--accept-changed-runbook", "--yes")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.startswith(words["accepted"])


def _in_process(state: Path, when: str, *args: str, stdin: str) -> tuple[int, str]:
    """One command in this process at the UTC instant `when`, answering from `stdin`."""
    out, keep = StringIO(), sys.stdin
    sys.stdin = StringIO(stdin)
    try:
        with freeze_time(when), redirect_stdout(out), redirect_stderr(out):
            code = main([*args, "--state-dir", str(state), "--dry-run"])
    finally:
        sys.stdin = keep
    return code, out.getvalue()


@pytest.mark.parametrize("language", ["sv", "en"])
def test_reschedule_warns_in_the_runbooks_language(tmp_path: Path, language: str) -> None:
    words = SWEDISH if language == "sv" else ENGLISH
    runbook = str(_runbook(tmp_path, language))
    state = tmp_path / "state"
    assert (
        _in_process(state, "2021-11-20T22:05:00Z", "announce", runbook, "--yes", stdin="")[0] == 0
    )
    # An end at 06:30 leaves the last part's rollback (until 06:45) no room: a warning.
    code, out = _in_process(state, "2021-11-21T10:00:00Z", "reschedule", "--date", "2021-12-04",
                            "--end", "06:30", "--reason", "x", stdin="y\nn\n")  # fmt: skip
    assert code == 1, out  # the move confirmed, the preview of what goes out declined
    assert words["move"] in out
    assert words["move question"] in out


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_question_on_e_mails_in_flight_is_in_the_runbooks_language(
    tmp_path: Path, twilio_server: TwilioFake, smtp_server: SmtpServer, language: str
) -> None:
    words = SWEDISH if language == "sv" else ENGLISH
    runbook = write_runbook(tmp_path / "rb")
    if language == "en":
        text = runbook.read_text(encoding="utf-8")
        runbook.write_text(text.replace("\n  language: sv\n", "\n  language: en\n"), "utf-8")
    night: dict[str, Any] = {"state": tmp_path / "state"}
    night["env"] = twilio_server.env() | smtp_server.env()
    assert gonogo(night["state"], "start", str(runbook), env=night["env"]).returncode == 0
    _mark(night["state"] / "21.0" / "real", Status.IN_FLIGHT, "email", 2)
    received = len(smtp_server.received)

    asked = gonogo(night["state"], "resume", env=night["env"], stdin="\n", yes=False)

    assert asked.returncode == 3, asked.stderr  # no (Enter): they stay in doubt
    assert words["emails"] in asked.stdout
    assert words["emails in doubt"] in asked.stdout
    assert len(smtp_server.received) == received


@pytest.mark.parametrize(
    ("language", "default", "answer", "shown", "chosen"),
    [
        ("sv", False, "\n", "[j/N]", False),
        ("sv", False, "ja\n", "[j/N]", True),
        ("sv", True, "\n", "[J/n]", True),
        ("sv", True, "nej\n", "[J/n]", False),
        ("en", True, "\n", "[Y/n]", True),
        ("en", False, "\n", "[y/N]", False),
    ],
)
def test_a_choice_shows_its_default_in_the_questions_language(
    tmp_path: Path, language: str, default: bool, answer: str, shown: str, chosen: bool
) -> None:
    from gonogo.cli.options import make_session  # noqa: PLC0415

    session = make_session(state_dir=tmp_path)
    out, keep = StringIO(), sys.stdin
    sys.stdin = StringIO(answer)
    try:
        with redirect_stdout(out):
            assert session.decide("Skicka dem igen?", default, language) is chosen
    finally:
        sys.stdin = keep
    assert out.getvalue() == f"Skicka dem igen? {shown}: "
    # --yes takes the default: it confirms steps, it does not make choices.
    assert make_session(state_dir=tmp_path, yes=True).decide("?", default, language) is default
