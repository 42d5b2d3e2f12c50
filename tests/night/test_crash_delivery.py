"""kill -9 in the middle of a 2,000-recipient dispatch, then resume: once, or listed.

The sending `gonogo start` is killed when the servers have received a random number
of messages; `gonogo resume` (or the next changing command) must finish the dispatch
so that every recipient got the message exactly once, or is listed by
`gonogo deliveries` as failed or in doubt. Never missing silently, never twice.
The killed command is a fresh `python -m gonogo`; the ones after it are forked
(tests/servers/gonogo_forks.py).

The 2,000 phone numbers are +46 70-174 00 00 .. 19 99, generated here at run time
and sent only to the test server: phonenumbers accepts the whole +4670174xxxx block
as Swedish mobile numbers, while only 06 05 .. 06 99 are reserved for fiction.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from documented_json import checked
from servers.gonogo_forks import gonogo as forked
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

pytestmark = pytest.mark.slow

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
COUNT = 2000
SEED = int(os.environ.get("GONOGO_CRASH_SEED", str(random.randrange(1_000_000))))


def email(n: int) -> str:
    """Every other recipient has an address: 2,000 SMS and 1,000 e-mails keep the test short."""
    return f"user{n}@example.org" if n % 2 == 0 else ""


def write_runbook(directory: Path) -> Path:
    shutil.copytree(RUNBOOKS, directory)
    people = [f"Mottagare {n},+4670174{n:04d},{email(n)},sv" for n in range(COUNT)]
    (directory / "recipients" / "vard.csv").write_text(
        "\n".join(["name,phone,email,language", *people]) + "\n"
    )
    for empty in ("apotek", "intern", "press"):
        (directory / "recipients" / f"{empty}.csv").write_text("name,phone,email,language\n")
    path = directory / "release-21.0.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in {
        "    rate_limit: 10\n    concurrency: 8\n": "    rate_limit: 2000\n    concurrency: 16\n",
        "    reply_to: servicedesk@example.org\n    rate_limit: 20\n": (
            "    reply_to: servicedesk@example.org\n    rate_limit: 2000\n    concurrency: 16\n"
        ),
    }.items():
        assert text.count(old) == 1
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def command(state: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "gonogo", *args, "--state-dir", str(state)]


def journal_rows(state: Path) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(state / "21.0" / "real" / "journal.sqlite")) as db:
        db.row_factory = sqlite3.Row
        found = db.execute(
            """SELECT d.*, l.status, l.code FROM deliveries d JOIN delivery_log l
               ON l.seq = (SELECT MAX(seq) FROM delivery_log WHERE delivery = d.id)
               ORDER BY d.id"""
        ).fetchall()
    return [dict(r) for r in found]


@pytest.fixture
def servers() -> Iterator[tuple[TwilioFake, SmtpServer]]:
    with TwilioFake(latency=0.01) as twilio, SmtpServer() as smtp:
        yield twilio, smtp


@pytest.mark.parametrize(
    ("phase", "then", "resend_mail"),
    [
        ("sms", "resume", False),
        ("email", "resume", False),  # the prompt's default: the e-mails stay in doubt
        ("email", "resume", True),  # the operator resends them
        ("email", "progress", False),  # any changing command finishes the dispatch first
    ],
)
def test_kill_9_mid_dispatch_then_resume(
    tmp_path: Path,
    servers: tuple[TwilioFake, SmtpServer],
    phase: str,
    then: str,
    resend_mail: bool,
) -> None:
    twilio, smtp = servers
    rng = random.Random(f"{SEED}-{phase}-{then}-{resend_mail}")
    # SMS go out first, then e-mail: a kill point in the phase under test.
    kill_at = rng.randrange(50, COUNT - 100) if phase == "sms" else COUNT + rng.randrange(20, 900)
    runbook = write_runbook(tmp_path / "rb")
    state = tmp_path / "state"
    env = {**os.environ, **twilio.env(), **smtp.env()}

    sender = subprocess.Popen(
        [*command(state, "start", str(runbook)), "--yes"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(twilio.messages) + len(smtp.received) < kill_at:
        assert sender.poll() is None, f"finished before the kill (seed {SEED})"
        assert time.monotonic() < deadline, f"too slow (seed {SEED})"
        time.sleep(0.001)
    os.kill(sender.pid, signal.SIGKILL)
    sender.wait()
    assert sender.stderr is not None
    sender.stderr.close()
    time.sleep(0.1)  # let the servers finish what was already on the wire

    at_kill = journal_rows(state)
    statuses = Counter(r["status"] for r in at_kill)
    assert len(at_kill) == COUNT + COUNT // 2
    assert statuses["sent"] < len(at_kill), "killed too late"
    # A row is in flight only while a worker sends it: at most the pool's 16 are in doubt.
    flying = Counter(r["channel"] for r in at_kill if r["status"] == "in_flight")
    assert max(flying.values(), default=0) <= 16, (SEED, kill_at, flying)
    # Every address the server received is journaled sent or in flight, never pending.
    received = {r for m in smtp.received for r in m.rcpt_tos}
    pending_received = [
        r["address"] for r in at_kill
        if r["channel"] == "email" and r["status"] == "pending" and r["address"] in received
    ]  # fmt: skip
    assert not pending_received, (SEED, kill_at, pending_received[:5])
    mail_in_flight = {
        r["address"] for r in at_kill if r["channel"] == "email" and r["status"] == "in_flight"
    }
    answers = ("y\n" if resend_mail else "n\n") if mail_in_flight else ""
    if then == "progress":
        answers += "y\n"  # and send the part's status message
    done = forked([then, "--state-dir", str(state)], env=env, stdin=answers)
    context = (SEED, kill_at, dict(statuses), done.stdout[-2000:], done.stderr[-2000:])
    # E-mails the operator chose not to resend stay in doubt: the command says so (exit 3).
    left_in_doubt = bool(mail_in_flight) and not resend_mail
    assert done.returncode == (3 if left_in_doubt else 0), context
    assert "Traceback" not in done.stderr
    if mail_in_flight:
        assert "e-postmeddelanden var på väg" in done.stdout, context

    listed = forked(["deliveries", "--all", "--json", "--state-dir", str(state)], env=env)
    shown = checked("deliveries", listed.stdout)["deliveries"]
    window = [d for d in shown if d["message"] == "window_started"]
    problems = {(d["channel"], d["address"]) for d in window if d["status"] == "failed"}
    operator_marked = {(d["channel"], d["address"]) for d in window if d["status"] == "in_doubt"}
    assert {d["code"] for d in window if (d["channel"], d["address"]) in operator_marked} <= {
        "in-doubt"
    }
    # Only e-mails found in flight, and only when the operator declined to resend them.
    assert {a for _c, a in operator_marked} <= (set() if resend_mail else mail_in_flight)

    first_sms = {r["body"] for r in at_kill if r["channel"] == "sms"}
    sms = Counter(m["to"] for m in twilio.messages if m["body"] in first_sms)
    first_subjects = {r["subject"] for r in at_kill if r["channel"] == "email"}
    mail = Counter(
        r for m in smtp.received if m.message["Subject"] in first_subjects for r in m.rcpt_tos
    )
    for n in range(COUNT):
        phone, address = f"+4670174{n:04d}", email(n)
        # SMS: Twilio is asked, so exactly once, whatever the kill point.
        assert sms[phone] == 1 or ("sms", phone) in problems, (phone, sms[phone], context)
        got = mail[address] if address else 1
        if got == 0:
            assert ("email", address) in problems | operator_marked, (address, context)
        elif got == 2:
            # Twice only where the operator chose to resend an e-mail in doubt.
            assert resend_mail, (address, context)
            assert address in mail_in_flight, (address, context)
        else:
            assert got == 1, (address, got, context)
    if not resend_mail:
        assert set(mail.values()) <= {1}
    assert problems == set(), context  # the servers never failed: nothing is left open

    if then == "progress":
        status_sms = Counter(m["to"] for m in twilio.messages if m["body"] not in first_sms)
        assert len(status_sms) == COUNT
        assert set(status_sms.values()) == {1}


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_mid_fan_out_says_what_is_unfinished_and_resume_finishes(
    tmp_path: Path, servers: tuple[TwilioFake, SmtpServer], signum: int, code: int
) -> None:
    """Ctrl-C or SIGTERM: requests under way finish and are journaled, none left in doubt."""
    twilio, smtp = servers
    runbook = write_runbook(tmp_path / "rb")
    state = tmp_path / "state"
    env = {**os.environ, **twilio.env(), **smtp.env()}
    sender = subprocess.Popen(
        [*command(state, "start", str(runbook)), "--yes"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(twilio.messages) < 300:
        assert sender.poll() is None, "finished before the stop"
        assert time.monotonic() < deadline, "too slow"
        time.sleep(0.001)
    sender.send_signal(signum)
    out, err = sender.communicate(timeout=60)

    assert sender.returncode == code, (out, err)
    assert "Traceback" not in err
    assert "deliveries are unfinished" in err
    assert "`gonogo resume` finishes them" in err
    at_stop = Counter(r["status"] for r in journal_rows(state))
    assert at_stop["in_flight"] == 0, at_stop  # a graceful stop leaves nothing in doubt
    assert at_stop["pending"] > 0, at_stop

    done = forked(["resume", "--state-dir", str(state)], env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(Counter(r["status"] for r in journal_rows(state))) == {"sent"}
    sms = Counter(m["to"] for m in twilio.messages)
    assert len(sms) == COUNT
    assert set(sms.values()) == {1}
    assert len({r for m in smtp.received for r in m.rcpt_tos}) == COUNT // 2
