"""A real (not dry-run) night through the CLI, each command its own process.

SMS go to the Twilio-compatible server and e-mail to aiosmtpd, both on 127.0.0.1;
what they received is compared with the recipients files and the journal.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from documented_json import checked
from servers import free_port
from servers.gonogo_forks import gonogo as forked
from servers.smtp import SmtpServer, make_tls_files
from servers.twilio_fake import TwilioFake

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
RELEASE = "21.0"

# Fiction numbers (PTS: +46 70-174 06 05 .. 06 99) and example.org addresses.
VARD = [
    ("Region Dalarna driftledning", "+46701740605", "driftledning@dalarna.example.org", "sv"),
    ("Region Stockholm IT-beredskap", "+46701740606", "it@stockholm.example.org", ""),
    ("Region Skåne (English desk)", "+46701740607", "desk@skane.example.org", "en"),
    # Also in intern: one SMS and one e-mail per dispatch, not two.
    ("Releaseledare", "+46701740640", "releaseledning@example.org", "sv"),
]
APOTEK = [
    ("Apoteket AB driftcentral", "+46701740620", "driftcentral@apoteket.example.com", "sv"),
    ("Apotek Exempel Nord", "+46701740621", "system@nord.example.com", "sv"),
    ("Apotek utan e-post", "+46701740622", "", "sv"),
]
INTERN = [
    ("Releaseledare", "+46701740640", "releaseledning@example.org", "sv"),
    ("Servicedesk utan mobil", "", "servicedesk@example.org", "sv"),
]
PRESS = [
    ("Nyhetsbyrå Exempel", "", "nyheter@nyhetsbyra.example.com", "sv"),
    ("Fackpress Vård Exempel", "", "tips@fackpress.example.net", "sv"),
]

EN_SMS = (
    "The service window for release {release} has started. Services are closed until {window_end}."
)
EN_VARIANT = f"""\
    variants:
      - language: en
        sms: "{EN_SMS}"
        email:
          subject: "Release {{release}}: the service window has started"
          body: |
            Hello,

            The service window for release {{release}} has started.

            E-hälsomyndigheten
"""


def write_runbook(
    directory: Path,
    audiences: dict[str, list[tuple[str, str, str, str]]] | None = None,
    *,
    sms_rate: float = 200,
    sms_concurrency: int = 8,
    email_rate: float = 200,
    email_concurrency: int = 4,
) -> Path:
    """A copy of the bundled runbook with our recipients, limits and an English variant."""
    shutil.copytree(RUNBOOKS, directory)
    lists = {"vard": VARD, "apotek": APOTEK, "intern": INTERN, "press": PRESS}
    for name, rows in (audiences or lists).items():
        lines = ["name,phone,email,language"] + [",".join(r) for r in rows]
        (directory / "recipients" / f"{name}.csv").write_text("\n".join(lines) + "\n")
    path = directory / "release-21.0.yaml"
    text = path.read_text(encoding="utf-8")
    replacements = {
        "    rate_limit: 10\n    concurrency: 8\n": (
            f"    rate_limit: {sms_rate}\n    concurrency: {sms_concurrency}\n"
        ),
        "    reply_to: servicedesk@example.org\n    rate_limit: 20\n": (
            "    reply_to: servicedesk@example.org\n"
            f"    rate_limit: {email_rate}\n    concurrency: {email_concurrency}\n"
        ),
        '    # Prepared press statement ("Pressmeddelande': (
            EN_VARIANT + '    # Prepared press statement ("Pressmeddelande'
        ),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def gonogo(
    state: Path, *args: str, env: dict[str, str], stdin: str = "", yes: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [*args, "--state-dir", str(state)]
    if yes:
        command.append("--yes")
    return forked(command, env={**os.environ, **env}, stdin=stdin)


def journal_path(state: Path) -> Path:
    return state / RELEASE / "real" / "journal.sqlite"


def query(state: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(journal_path(state))) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


def rows(state: Path) -> list[dict[str, Any]]:
    """Every delivery with its latest status."""
    found = query(
        state,
        """SELECT d.*, l.status, l.provider_id, l.code, l.reason FROM deliveries d
           JOIN delivery_log l ON l.seq = (SELECT MAX(seq) FROM delivery_log WHERE delivery = d.id)
           ORDER BY d.id""",
    )
    return [dict(r) for r in found]


def unique(audiences: list[list[tuple[str, str, str, str]]], column: int) -> set[str]:
    return {r[column] for rows_ in audiences for r in rows_ if r[column]}


SMS_TO = unique([VARD, APOTEK, INTERN], 1)
MAIL_TO = unique([VARD, APOTEK, INTERN], 2)
PRESS_TO = unique([PRESS], 2)


@pytest.fixture
def night(tmp_path: Path, twilio_server: TwilioFake, smtp_server: SmtpServer) -> dict[str, Any]:
    runbook = write_runbook(tmp_path / "rb")
    env = twilio_server.env() | smtp_server.env()
    return {"runbook": runbook, "state": tmp_path / "state", "env": env}


def start(night: dict[str, Any], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return gonogo(night["state"], "start", str(night["runbook"]), env=night["env"], **kwargs)


def test_real_night_reaches_everyone_exactly_once(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    done = start(night)
    assert done.returncode == 0, done.stderr
    assert "window_started: 16 skickade (e-post 9, sms 7)" in done.stdout
    sms_after_start, mail_after_start = len(twilio_server.messages), len(smtp_server.received)
    done = gonogo(night["state"], "progress", env=night["env"])
    assert done.returncode == 0, done.stderr

    sms = twilio_server.messages
    mail = smtp_server.received
    for first, last in ((0, sms_after_start), (sms_after_start, len(sms))):
        to = Counter(m["to"] for m in sms[first:last])
        assert set(to) == SMS_TO
        assert max(to.values()) == 1
    start_mail, progress_mail = mail[:mail_after_start], mail[mail_after_start:]
    for batch, expected in ((start_mail, MAIL_TO | PRESS_TO), (progress_mail, MAIL_TO)):
        to = Counter(r for m in batch for r in m.rcpt_tos)
        assert set(to) == expected
        assert max(to.values()) == 1

    # The journal and the servers agree one to one, by the provider's id.
    journal = rows(night["state"])
    assert {r["status"] for r in journal} == {"sent"}
    by_sid = {m["sid"]: m for m in sms}
    by_id = {m.message["Message-ID"].strip(): m for m in mail}
    assert len(by_sid) + len(by_id) == len(journal)
    for row in journal:
        if row["channel"] == "sms":
            got = by_sid[row["provider_id"]]
            assert (got["to"], got["body"]) == (row["address"], row["body"])
            assert got["messaging_service_sid"] == "MG" + "0" * 32
        else:
            received = by_id[row["provider_id"]]
            assert received.rcpt_tos == [row["address"]]
            assert received.message["Subject"] == row["subject"]
            assert received.message.get_content() == row["body"]


def test_swedish_text_mime_and_language_variant(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    done = start(night)
    assert done.returncode == 0, done.stderr

    sms = {m["to"]: m["body"] for m in twilio_server.messages}
    assert sms["+46701740605"] == (
        "Nu startar servicefönster för produktionssättning av release 21.0. VARA exportfil "
        "kommer bli försenad. Vi beklagar eventuella problem i samband med servicefönstret."
    )
    assert sms["+46701740606"] == sms["+46701740605"]  # no language: the runbook's (sv)
    assert sms["+46701740607"] == EN_SMS.format(release="21.0", window_end="07:00")

    mail = {m.rcpt_tos[0]: m for m in smtp_server.received}
    swedish = mail["driftledning@dalarna.example.org"]
    msg = swedish.message
    assert swedish.mail_from == "driftinformation@example.org"
    assert msg["Subject"] == "Servicefönster för release 21.0 har startat"
    assert str(msg["From"]) == "E-hälsomyndigheten <driftinformation@example.org>"
    assert msg["To"] == "driftledning@dalarna.example.org"
    assert msg["Reply-To"] == "servicedesk@example.org"
    assert msg["Date"].datetime is not None
    assert msg["Message-ID"].strip().endswith("@example.org>")
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg["Content-Transfer-Encoding"] == "quoted-printable"
    body = msg.get_content()
    assert "tjänsteplattformen är stängda från kl. 23:00" in body
    assert body.startswith("Hej,\n\nNu startar servicefönster")
    # On the wire: 7-bit only, the subject as an RFC 2047 encoded word.
    assert swedish.raw.isascii()
    assert b"=?utf-8?" in swedish.raw.lower()
    ids = [m.message["Message-ID"] for m in smtp_server.received]
    assert len(set(ids)) == len(ids)

    english = mail["desk@skane.example.org"].message
    assert english["Subject"] == "Release 21.0: the service window has started"
    assert english.get_content() == (
        "Hello,\n\nThe service window for release 21.0 has started.\n\nE-hälsomyndigheten\n"
    )
    press = mail["nyheter@nyhetsbyra.example.com"].message
    assert press["Subject"] == "Planerat driftstopp i natt för e-recepttjänsterna"


def test_permanent_errors_fail_at_once_then_retry_failed(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    twilio_server.fail_for("+46701740606", "invalid_number")
    twilio_server.fail_for("+46701740621", "unsubscribed")
    smtp_server.reject("system@nord.example.com", 550)

    done = start(night)

    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "window_started: 13 skickade (e-post 8, sms 5), 3 MISSLYCKADE" in done.stdout
    assert (
        "misslyckad: sms vard +46701740606: 21211 HTTP 400: Invalid 'To' Phone Number: "
        "+46701740606" in done.stdout
    )
    assert (
        "misslyckad: sms apotek +46701740621: 21610 HTTP 400: "
        "Attempt to send to unsubscribed recipient" in done.stdout
    )
    assert (
        "misslyckad: e-post apotek system@nord.example.com: 550 550 5.1.1 No such user"
        in done.stdout
    )
    assert "Skicka de misslyckade igen med `gonogo retry-failed`." in done.stdout
    # Permanent: one request each, no retry.
    posts = Counter(r.form["To"] for r in twilio_server.requests if r.method == "POST")
    assert posts["+46701740606"] == posts["+46701740621"] == 1

    listed = gonogo(night["state"], "deliveries", env=night["env"], yes=False)
    assert listed.returncode == 3
    assert "misslyckad: window_started sms vard +46701740606: 21211" in listed.stdout
    assert "misslyckad: window_started e-post apotek system@nord.example.com: 550" in listed.stdout
    assert "Försök igen med de misslyckade: `gonogo retry-failed`." in listed.stdout
    as_json = gonogo(night["state"], "deliveries", "--json", env=night["env"], yes=False)
    document = checked("deliveries", as_json.stdout)
    assert document["all"] is False  # only the problems
    problems = document["deliveries"]
    assert sorted((p["address"], p["status"], p["code"]) for p in problems) == [
        ("+46701740606", "failed", "21211"),
        ("+46701740621", "failed", "21610"),
        ("system@nord.example.com", "failed", "550"),
    ]

    twilio_server.clear_faults()
    smtp_server.accept_all()
    again = gonogo(night["state"], "retry-failed", env=night["env"])
    assert again.returncode == 0, again.stdout + again.stderr
    assert "window_started: 16 skickade (e-post 9, sms 7)" in again.stdout
    assert {r["status"] for r in rows(night["state"])} == {"sent"}
    to = Counter(m["to"] for m in twilio_server.messages)
    assert set(to) == SMS_TO
    assert set(to.values()) == {1}
    mail_to = Counter(r for m in smtp_server.received for r in m.rcpt_tos)
    assert set(mail_to) == MAIL_TO | PRESS_TO
    assert set(mail_to.values()) == {1}
    assert gonogo(night["state"], "deliveries", env=night["env"], yes=False).returncode == 0


def test_rate_limited_and_server_errors_are_retried(
    night: dict[str, Any], twilio_server: TwilioFake
) -> None:
    twilio_server.fail_for("+46701740605", "rate_limited", times=2)
    twilio_server.fail_for("+46701740620", "server_error", times=1)

    done = start(night)

    assert done.returncode == 0, done.stdout + done.stderr
    posts = Counter(r.form["To"] for r in twilio_server.requests if r.method == "POST")
    assert posts["+46701740605"] == 3
    assert posts["+46701740620"] == 2
    to = Counter(m["to"] for m in twilio_server.messages)
    assert set(to) == SMS_TO
    assert set(to.values()) == {1}


@pytest.mark.parametrize(
    ("fault", "resend"),
    [
        ("lost_response", False),  # Twilio took it: found by the list call, not resent
        ("drop", True),  # nothing arrived: not found, sent now
    ],
)
@pytest.mark.parametrize("next_command", ["resume", "progress"])
def test_dropped_connection_is_in_doubt_then_reconciled(
    night: dict[str, Any],
    twilio_server: TwilioFake,
    fault: str,
    resend: bool,
    next_command: str,
) -> None:
    number = "+46701740621"
    twilio_server.fail_for(number, fault, times=1)  # type: ignore[arg-type]

    done = start(night)

    assert done.returncode == 3, done.stderr
    assert ", 1 osäkra" in done.stdout
    assert "Osäkra: `gonogo resume` frågar leverantören och skickar klart dem." in done.stdout
    [doubt] = [r for r in rows(night["state"]) if r["status"] == "in_flight"]
    assert (doubt["address"], doubt["code"]) == (number, "in-doubt")
    listed = gonogo(night["state"], "deliveries", env=night["env"], yes=False)
    assert listed.returncode == 3
    assert f"osäker: window_started sms apotek {number}: in-doubt" in listed.stdout
    # What settles it is named: `resume` asks Twilio (`deliveries` only lists it).
    shown = gonogo(night["state"], "status", env=night["env"], yes=False).stdout
    assert "1 osäkra leveranser: kör `gonogo resume`" in _status_line(shown)
    posts_before = len([r for r in twilio_server.requests if r.method == "POST"])

    after = gonogo(night["state"], next_command, env=night["env"])

    assert after.returncode == 0, after.stdout + after.stderr
    assert "1 sms var på väg: " in after.stdout
    lists = [r for r in twilio_server.requests if r.method == "GET"]
    assert [r.query["To"] for r in lists] == [number]
    posts = [r for r in twilio_server.requests if r.method == "POST"][posts_before:]
    resent = [r for r in posts if r.form["To"] == number and r.form["Body"] == doubt["body"]]
    assert len(resent) == (1 if resend else 0)
    first_dispatch = [r for r in rows(night["state"]) if r["dispatch"] == doubt["dispatch"]]
    assert {r["status"] for r in first_dispatch} == {"sent"}
    bodies = {r["body"] for r in first_dispatch}
    to = Counter(m["to"] for m in twilio_server.messages if m["body"] in bodies)
    assert set(to) == SMS_TO
    assert set(to.values()) == {1}


def test_retry_failed_after_finishing_a_dispatch_reports_where_it_ends(
    night: dict[str, Any], twilio_server: TwilioFake
) -> None:
    """A command that first finishes an interrupted dispatch, then retries its failures:
    its summary and exit code are the state after both, not the failures it then cured."""
    twilio_server.fail_for("+46701740621", "drop", times=1)  # in doubt
    twilio_server.fail_for("+46701740606", "invalid_number")  # failed
    done = start(night)
    assert done.returncode == 3, done.stderr
    assert ("window_started: 14 skickade (e-post 9, sms 5), 1 MISSLYCKADE, 1 osäkra") in done.stdout
    twilio_server.clear_faults()

    again = gonogo(night["state"], "retry-failed", env=night["env"])

    assert again.returncode == 0, again.stdout + again.stderr
    assert (
        "1 sms var på väg: 0 hade kommit fram till Twilio, 1 hade inte det och får ett nytt "
        "försök." in again.stdout
    )
    summary = [line for line in again.stdout.splitlines() if line.startswith("window_started")]
    assert summary == ["window_started: 16 skickade (e-post 9, sms 7)"]
    assert "retry-failed" not in again.stdout
    assert {r["status"] for r in rows(night["state"])} == {"sent"}
    assert Counter(m["to"] for m in twilio_server.messages)["+46701740606"] == 1


def test_reconciliation_does_not_count_an_earlier_dispatchs_message(
    night: dict[str, Any], twilio_server: TwilioFake
) -> None:
    """The list call since the dispatch began also finds the previous message to that number."""
    number = "+46701740621"
    assert start(night).returncode == 0
    twilio_server.fail_for(number, "drop", times=1)
    progress = gonogo(night["state"], "progress", env=night["env"])
    assert progress.returncode == 3
    assert ", 1 osäkra" in progress.stdout

    after = gonogo(night["state"], "resume", env=night["env"])

    assert after.returncode == 0, after.stdout + after.stderr
    bodies = [m["body"] for m in twilio_server.messages if m["to"] == number]
    assert len(bodies) == 2  # window started, and the part's status: each once
    assert len(set(bodies)) == 2


def _status_line(text: str) -> str:
    return " ".join(text.split())


def test_status_names_a_live_sender_instead_of_calling_its_rows_in_doubt(
    night: dict[str, Any], twilio_server: TwilioFake, backend: str | None
) -> None:
    """Another terminal (SQLite) or site (PostgreSQL) asks for status while `start`
    sends: its rows in flight are being sent, not in doubt, and `resume` is not due."""
    forked(["--version"], env=dict(os.environ))  # the fork server up before the clock runs
    twilio_server.latency = 5.0  # every SMS request waits (below the 10 s timeout)
    sender = subprocess.Popen(
        [sys.executable, "-m", "gonogo", "start", str(night["runbook"]), "--yes",
         "--by", "anna", "--state-dir", str(night["state"])],
        env={**os.environ, **night["env"]}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while not twilio_server.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        assert twilio_server.requests, "no SMS request reached the server"
        text = gonogo(night["state"], "status", env=night["env"], yes=False)
        as_json = gonogo(night["state"], "status", "--json", env=night["env"], yes=False)
        twilio_server.latency = 0.0
        out, err = sender.communicate(timeout=60)
    finally:
        sender.kill()
        sender.wait(timeout=10)
    assert sender.returncode == 0, out + err

    assert text.returncode == 0, text.stderr
    shown = _status_line(text.stdout)
    local = dt.datetime.now(ZoneInfo("Europe/Stockholm"))
    # The command line may wrap at 80 columns (and is cut at 200 characters). The screen
    # is in the runbook's language (Swedish); the command as one types it.
    since = re.search(r"anna skickar \(`gonogo start .*` på \S+, sedan (\d\d:\d\d)\)", shown)
    assert since, shown
    minutes = {(local - dt.timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    assert since.group(1) in minutes  # the runbook's time zone, as every other time
    assert "skickas nu" in shown
    assert "osäkra" not in shown
    assert "gonogo resume" not in shown
    document = checked("status", as_json.stdout)
    assert document["sending"]["operator"] == "anna"
    assert document["sending"]["command"].startswith("gonogo start ")
    assert document["sending"]["since"].endswith(local.strftime("%z")[:3] + ":00")
    assert document["deliveries"]["in_doubt"] == 0
    assert document["deliveries"]["in_flight"] > 0
    assert not [d for d in document["due"] if d["command"] == "gonogo resume"]

    after = gonogo(night["state"], "status", "--json", env=night["env"], yes=False)
    document = checked("status", after.stdout)
    assert document["sending"] is None
    assert (document["deliveries"]["in_flight"], document["deliveries"]["in_doubt"]) == (0, 0)
    assert (
        "anna skickar" not in gonogo(night["state"], "status", env=night["env"], yes=False).stdout
    )


def test_the_log_shows_who_resumed_an_interrupted_dispatch(
    night: dict[str, Any], twilio_server: TwilioFake
) -> None:
    twilio_server.fail_for("+46701740621", "drop", times=1)
    assert start(night).returncode == 3

    after = gonogo(night["state"], "resume", "--by", "bertil", env=night["env"])

    assert after.returncode == 0, after.stdout + after.stderr
    [entry] = query(night["state"], "SELECT * FROM events WHERE kind = 'resumed'")
    assert entry["operator"] == "bertil"
    wide = {**night["env"], "COLUMNS": "200"}  # one line, whatever the terminal
    log = gonogo(night["state"], "log", env=wide, yes=False).stdout
    [line] = [line for line in log.splitlines() if " återupptog " in line]
    assert line.endswith(
        "bertil       återupptog avbrutna window_started: 0 ännu inte försökta, 1 på väg"
    )
    # Nothing left to finish: nothing journaled.
    assert gonogo(night["state"], "resume", env=night["env"]).returncode == 0
    assert len(query(night["state"], "SELECT * FROM events WHERE kind = 'resumed'")) == 1


def _requested(state: Path, delivery: int) -> datetime:
    """The in-flight mark journaled just before the delivery's request left."""
    [row] = query(
        state,
        "SELECT at FROM delivery_log WHERE delivery = ? AND status = 'in_flight'"
        " AND code IS NULL ORDER BY seq DESC LIMIT 1",
        delivery,
    )
    return datetime.fromisoformat(row["at"])


@pytest.mark.parametrize("fault", ["drop", "lost_response"])
def test_another_runs_message_with_the_same_text_is_not_claimed(
    night: dict[str, Any], twilio_server: TwilioFake, fault: str
) -> None:
    """Another run (another state directory, the same release) sent the same text to the
    same number 20 s before this row's request: it is not this row's Message."""
    number = "+46701740606"
    assert start(night).returncode == 0
    twilio_server.fail_for(number, fault, times=1)  # type: ignore[arg-type]
    assert gonogo(night["state"], "progress", env=night["env"]).returncode == 3
    [doubt] = [r for r in rows(night["state"]) if r["status"] == "in_flight"]
    other = twilio_server.add_message(
        number,
        doubt["body"],
        created=_requested(night["state"], doubt["id"]) - timedelta(seconds=20),
    )
    ours = [m["sid"] for m in twilio_server.messages if m["to"] == number and m["sid"] != other]
    posts_before = len([r for r in twilio_server.requests if r.method == "POST"])

    after = gonogo(night["state"], "resume", env=night["env"])

    [row] = [r for r in rows(night["state"]) if r["id"] == doubt["id"]]
    assert row["provider_id"] != other
    posts = [r for r in twilio_server.requests if r.method == "POST"][posts_before:]
    assert posts == []  # in doubt or found: never sent again blindly
    if fault == "lost_response":  # its own Message reached Twilio: that one is claimed
        assert after.returncode == 0, after.stdout + after.stderr
        assert (
            "1 sms var på väg: 1 hade kommit fram till Twilio, 0 hade inte det och får ett "
            "nytt försök." in after.stdout
        )
        assert (row["status"], row["provider_id"]) == ("sent", ours[-1])
        return
    # Only another run's Message is there, 20 s before the request: in doubt, said so.
    assert after.returncode == 3, after.stdout + after.stderr
    assert (
        "1 sms var på väg: 0 hade kommit fram till Twilio, 1 är osäkra, 0 hade inte det och får "
        "ett nytt försök." in (after.stdout)
    )
    # The reason is journaled as Twilio's list gave it, in English, as `deliveries` shows it.
    assert f"  osäker: sms vard {number}: a Message with its text" in after.stdout
    assert "1 sms är osäkra: de kan ha gått ut eller inte och skickas inte igen; se " in (
        after.stdout
    )
    # Twilio's creation times are whole seconds: 20 s and a fraction.
    assert re.search(r"UTC, 2[01] s before its request: another run's, or its own if the clocks "
                     "differ", after.stdout), after.stdout  # fmt: skip
    assert (row["status"], row["provider_id"]) == ("in_doubt", None)
    # The operator checks Twilio's log, and settles it: it is sent once.
    settled = gonogo(
        night["state"], "settle", "--resend", "--reason", "not in Twilio's log", env=night["env"]
    )
    assert settled.returncode == 0, settled.stdout + settled.stderr
    mine = [m for m in twilio_server.messages if m["to"] == number and m["body"] == doubt["body"]]
    assert len(mine) == 2  # the other run's, and this run's: once
    [row] = [r for r in rows(night["state"]) if r["id"] == doubt["id"]]
    assert row["status"] == "sent"
    assert row["provider_id"] != other


def _snapshot_journal(state: Path) -> object:
    if not journal_path(state).exists():
        return None
    return (
        [tuple(r) for r in query(state, "SELECT * FROM events")],
        [tuple(r) for r in query(state, "SELECT * FROM delivery_log")],
    )


def test_missing_token_at_start_sends_and_journals_nothing_and_can_start_again(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    env = {k: v for k, v in night["env"].items() if k != "TWILIO_AUTH_TOKEN"}
    done = gonogo(night["state"], "start", str(night["runbook"]), env=env)

    assert done.returncode == 1
    assert done.stderr.startswith(
        "gonogo: error: SMS cannot be sent: TWILIO_AUTH_TOKEN not set in the environment\n"
        "hint: Export the Twilio account SID and auth token"
    )
    assert twilio_server.requests == []
    assert smtp_server.received == []
    assert _snapshot_journal(night["state"]) in (None, ([], []))
    # The operator exports the token and starts again.
    assert start(night).returncode == 0


@pytest.mark.parametrize(
    "sid",
    ["AC/../../x", "AC0123456789abcdef0123456789abcdef\nX-Injected: 1",
     "AC0123456789abcdef0123456789abcde", "ac0123456789abcdef0123456789abcdef",
     " AC0123456789abcdef0123456789abcdef"],
    ids=["path", "newline", "short", "lower-prefix", "space"],
)  # fmt: skip
def test_a_malformed_account_sid_is_refused_before_anything_is_journaled_or_sent(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer, sid: str
) -> None:
    env = {**night["env"], "TWILIO_ACCOUNT_SID": sid}
    done = gonogo(night["state"], "start", str(night["runbook"]), env=env)

    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "gonogo: error: SMS cannot be sent: TWILIO_ACCOUNT_SID is not a Twilio account SID "
        "(AC and 32 hex digits)\n"
        "hint: Copy the Account SID from the Twilio console (its value is not shown here).\n"
    )
    assert twilio_server.requests == []
    assert smtp_server.received == []
    assert _snapshot_journal(night["state"]) in (None, ([], []))
    assert start(night).returncode == 0  # with the SID as it should be


@pytest.mark.parametrize("broken", ["token", "smtp"])
def test_broken_channel_before_a_step_changes_nothing(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer, broken: str
) -> None:
    assert start(night).returncode == 0
    before = _snapshot_journal(night["state"])
    sms, mail = len(twilio_server.requests), len(smtp_server.received)
    env = dict(night["env"])
    if broken == "token":
        del env["TWILIO_AUTH_TOKEN"]
        message = "SMS cannot be sent: TWILIO_AUTH_TOKEN not set in the environment"
    else:
        env["GONOGO_SMTP_PORT"] = str(free_port())  # nobody listens there
        message = f"e-mail cannot be sent: the SMTP server 127.0.0.1:{env['GONOGO_SMTP_PORT']}"

    done = gonogo(night["state"], "go", "1", env=env)

    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot_journal(night["state"]) == before
    assert (len(twilio_server.requests), len(smtp_server.received)) == (sms, mail)


def test_rate_limit_is_respected(tmp_path: Path, twilio_server: TwilioFake) -> None:
    numbers = [f"+467017406{n:02d}" for n in range(5, 65)]  # 60 fiction numbers
    audiences = {
        "vard": [(f"Mottagare {n}", p, "", "sv") for n, p in enumerate(numbers)],
        "apotek": [],
        "intern": [],
        "press": [],
    }
    runbook = write_runbook(tmp_path / "rb", audiences, sms_rate=20, sms_concurrency=8)
    arrivals: list[float] = []
    stop = threading.Event()

    def watch() -> None:
        seen = 0
        while not stop.is_set():
            count = len(twilio_server.messages)
            arrivals.extend([time.monotonic()] * (count - seen))
            seen = count
            time.sleep(0.002)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        done = gonogo(tmp_path / "state", "start", str(runbook), env=twilio_server.env())
    finally:
        stop.set()
        watcher.join()

    assert done.returncode == 0, done.stderr
    assert len(arrivals) == 60
    # The start SMS has two segments and the rate is 20 segments a second: 59 gaps of
    # 2/20 s, 5.9 s (paced by messages it would be 2.95 s).
    assert arrivals[-1] - arrivals[0] >= 5.5
    most = max(sum(1 for t in arrivals if a <= t < a + 1.0) for a in arrivals)
    # 10 a second; the first requests (each worker opening its connection) may bunch up
    # by at most the pool's 8. A bucket that bursts a second's worth gives 20 here.
    assert most <= 10 + 8


# -- secrets ------------------------------------------------------------------------------

SECRET_TOKEN = "SECRETTOKEN7f3a9c1e5b2d"
SECRET_PASSWORD = "SECRETPASS4e8b0d2f6a1c"
WRONG_PASSWORD = "SECRETPASSWRONG9d1c3e"


@pytest.fixture
def secure_servers(tmp_path: Path) -> Iterator[tuple[TwilioFake, SmtpServer, Path]]:
    tls = make_tls_files(tmp_path)
    with (
        TwilioFake(auth_token=SECRET_TOKEN) as twilio,
        SmtpServer(users={"relay": SECRET_PASSWORD}, tls=tls, mode="starttls") as smtp,
    ):
        yield twilio, smtp, tls.ca_cert


def _forms(secret: str, user: str) -> list[bytes]:
    """The secret as it could leak: plain, and as Basic auth / SMTP AUTH encode it."""
    b64 = base64.b64encode
    return [
        secret.encode(),
        b64(secret.encode()),
        b64(f"{user}:{secret}".encode()),
        b64(f"\0{user}\0{secret}".encode()),
    ]


def test_no_secret_in_any_output_journal_or_file(
    tmp_path: Path, secure_servers: tuple[TwilioFake, SmtpServer, Path]
) -> None:
    twilio, smtp, ca = secure_servers
    runbook = write_runbook(tmp_path / "rb")
    state = tmp_path / "state"
    env = twilio.env() | smtp.env() | {"SSL_CERT_FILE": str(ca)}
    assert env["TWILIO_AUTH_TOKEN"] == SECRET_TOKEN
    assert env["GONOGO_SMTP_PASSWORD"] == SECRET_PASSWORD
    outputs: list[str] = []

    def run(*args: str, code: int, **extra: str) -> None:
        done = gonogo(state, *args, env=env | extra, yes=args[0] not in ("deliveries", "log"))
        outputs.extend([done.stdout, done.stderr])
        assert done.returncode == code, (args, done.stdout, done.stderr)

    twilio.fail_for("+46701740606", "invalid_number")
    twilio.fail_for("+46701740621", "lost_response", times=1)
    run("start", str(runbook), "--debug", code=3)
    run("deliveries", "--json", code=3)
    run("resume", "--debug", code=3)  # the 21211 failure remains
    run("log", code=0)
    run("go", "1", "--debug", code=1, GONOGO_SMTP_PASSWORD=WRONG_PASSWORD)
    run("go", "1", "--debug", code=1, TWILIO_AUTH_TOKEN="")
    run("retry-failed", "--debug", code=3, TWILIO_AUTH_TOKEN=WRONG_PASSWORD)  # 401 20003
    assert "20003" in outputs[-2]
    twilio.clear_faults()
    run("retry-failed", "--debug", code=0)
    assert smtp.logins
    assert twilio.messages

    written = b"".join(text.encode() for text in outputs)
    files = [p for p in state.rglob("*") if p.is_file()]
    assert journal_path(state) in files
    written += b"".join(p.read_bytes() for p in files)
    for secret, user in (
        (SECRET_TOKEN, twilio.account_sid),
        (SECRET_PASSWORD, "relay"),
        (WRONG_PASSWORD, "relay"),
        (WRONG_PASSWORD, twilio.account_sid),
    ):
        for form in _forms(secret, user):
            assert form not in written, (secret, form)
    assert b"SECRET" not in written
