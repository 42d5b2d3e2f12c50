"""LiveTransport in process, against TwilioFake and aiosmtpd on 127.0.0.1, with a real journal."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest

from gonogo.cli.options import make_session
from gonogo.night.clock import SystemClock
from gonogo.night.delivery import live
from gonogo.night.delivery.live import LiveTransport
from gonogo.night.delivery.rate import TokenBucket
from gonogo.night.delivery.reconcile import finish_interrupted
from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import Mark, NewDelivery, Status
from gonogo.night.runs import Run
from gonogo.night.session import Session
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.validate import load_valid
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

RUNBOOK = Path(__file__).resolve().parents[3] / "runbooks" / "release-21.0.yaml"
NUMBERS = [f"+467017406{n:02d}" for n in range(5, 15)]
ADDRESSES = [f"person{n}@example.org" for n in range(10)]


class WatchedJournal(SqliteJournal):
    """The journal, counting the rows in flight after every change of status."""

    in_flight: list[int]

    def mark_many(self, marks: Iterable[Mark], at: dt.datetime) -> None:
        super().mark_many(marks, at)
        self.in_flight.append(len(self.deliveries(statuses=(Status.IN_FLIGHT,))))


def _run(tmp_path: Path, journal: SqliteJournal | None = None) -> Run:
    loaded = load_valid(RUNBOOK)
    if journal is None:
        journal = SqliteJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    return Run(tmp_path, journal, loaded, False, dt.timedelta(0), "sha")


def _dispatch(run: Run, numbers: list[str], addresses: list[str]) -> int:
    now = dt.datetime.now(dt.UTC)
    rows = [NewDelivery("sms", "vard", n, "", "sv", None, "Hej åäö") for n in numbers]
    rows += [NewDelivery("email", "vard", a, "", "sv", "Ämne", "Hej åäö\n") for a in addresses]
    entry = NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, len(rows)))
    with run.journal.transaction():
        seq = run.journal.append(entry, at=now, operator="test", runbook_sha256="sha")
        run.journal.add_deliveries(seq, rows, now)
    return seq


def _session(answer: bool, asked: list[str]) -> Session:
    def decide(question: str, default: bool, language: str) -> bool:
        asked.append(question)
        assert language == "sv"  # 21.0's: the question shows [j/N]
        assert default is False  # the safe default: no second e-mail
        return answer

    def confirm(question: str, _language: str) -> bool:
        raise AssertionError(f"a resend is a decision, not a confirmation: {question}")

    return Session(SystemClock(), "test", confirm, lambda _line: None, decide, progress=False)


@pytest.fixture
def env(
    twilio_server: TwilioFake, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.setattr(live, "BASE_DELAY", 0.01)  # the same retries, without the waits
    return twilio_server.env() | smtp_server.env()


def test_token_bucket_spaces_acquisitions_across_threads() -> None:
    bucket = TokenBucket(50)
    stamps: list[float] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(10):
            bucket.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stamps.sort()
    assert stamps[-1] - stamps[0] >= 39 / 50 * 0.95  # 40 acquisitions, 1/50 s apart
    assert all(sum(1 for s in stamps if a <= s < a + 0.2) <= 11 for a in stamps)


def test_every_row_sent_once_and_journaled(
    tmp_path: Path, env: dict[str, str], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    run = _run(tmp_path)
    seq = _dispatch(run, NUMBERS, ADDRESSES)
    transport = LiveTransport(run.runbook, env=env, progress=False)

    transport.deliver(
        run.journal, run.journal.deliveries(statuses=(Status.PENDING,)), SystemClock().now()
    )

    rows = run.journal.deliveries(dispatch=seq)
    assert {r.status for r in rows} == {Status.SENT}
    assert all(r.attempts == 1 for r in rows)
    assert sorted(m["to"] for m in twilio_server.messages) == sorted(NUMBERS)
    assert {m["body"] for m in twilio_server.messages} == {"Hej åäö"}
    assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == sorted(ADDRESSES)
    run.close()


def test_rows_in_flight_never_outnumber_the_lanes_workers(
    tmp_path: Path, env: dict[str, str], twilio_server: TwilioFake
) -> None:
    journal = WatchedJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    journal.in_flight = []
    run = _run(tmp_path, journal)
    runbook = run.runbook
    assert runbook.channels.sms is not None
    # Three workers, no rate limit to speak of, and a server that holds every request:
    # the pool is full while the other rows wait their turn.
    sms = runbook.channels.sms.model_copy(update={"concurrency": 3, "rate_limit": 1000.0})
    runbook = runbook.model_copy(
        update={"channels": runbook.channels.model_copy(update={"sms": sms})}
    )
    twilio_server.latency = 0.25
    seq = _dispatch(run, NUMBERS, [])

    LiveTransport(runbook, env=env, progress=False).deliver(
        journal, journal.deliveries(), SystemClock().now()
    )

    assert {r.status for r in journal.deliveries(dispatch=seq)} == {Status.SENT}
    assert len(twilio_server.messages) == len(NUMBERS)
    assert max(journal.in_flight) == 3  # full, and never more than the workers
    assert journal.in_flight[-1] == 0
    run.close()


def test_retryable_failure_gives_up_after_the_limit(
    tmp_path: Path, env: dict[str, str], twilio_server: TwilioFake
) -> None:
    run = _run(tmp_path)
    twilio_server.fail_for(NUMBERS[0], "server_error")
    twilio_server.fail_for(NUMBERS[1], "rate_limited", times=live.MAX_ATTEMPTS - 1)
    _dispatch(run, NUMBERS[:3], [])

    LiveTransport(run.runbook, env=env, progress=False).deliver(
        run.journal, run.journal.deliveries(), SystemClock().now()
    )

    rows = {r.address: r for r in run.journal.deliveries()}
    assert (rows[NUMBERS[0]].status, rows[NUMBERS[0]].code) == (Status.FAILED, "20500")
    assert rows[NUMBERS[0]].reason == "HTTP 500: An internal server error has occurred"
    assert rows[NUMBERS[1]].status == rows[NUMBERS[2]].status == Status.SENT
    posts = Counter(r.form["To"] for r in twilio_server.requests if r.method == "POST")
    assert posts[NUMBERS[0]] == posts[NUMBERS[1]] == live.MAX_ATTEMPTS
    run.close()


def test_lost_response_is_in_doubt_and_not_retried(
    tmp_path: Path, env: dict[str, str], twilio_server: TwilioFake
) -> None:
    run = _run(tmp_path)
    twilio_server.fail_for(NUMBERS[0], "lost_response", times=1)
    _dispatch(run, NUMBERS[:2], [])

    LiveTransport(run.runbook, env=env, progress=False).deliver(
        run.journal, run.journal.deliveries(), SystemClock().now()
    )

    doubt = run.journal.deliveries(statuses=(Status.IN_FLIGHT,))
    assert [(d.address, d.code) for d in doubt] == [(NUMBERS[0], "in-doubt")]
    assert len([m for m in twilio_server.messages if m["to"] == NUMBERS[0]]) == 1
    posts = [r for r in twilio_server.requests if r.method == "POST" and r.form["To"] == NUMBERS[0]]
    assert len(posts) == 1
    run.close()


@pytest.mark.parametrize("resend", [False, True])
def test_in_flight_emails_are_the_operators_decision(
    tmp_path: Path,
    env: dict[str, str],
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    resend: bool,
) -> None:
    run = _run(tmp_path)
    seq = _dispatch(run, [], ADDRESSES[:3])
    rows = run.journal.deliveries()
    # A kill after the in-flight mark: the servers may or may not have the message.
    run.journal.mark_many([Mark(r.id, Status.IN_FLIGHT) for r in rows], SystemClock().now())
    asked: list[str] = []
    for name, value in env.items():  # the transport reads the environment, as the CLI does
        monkeypatch.setenv(name, value)

    finished = finish_interrupted(run, run.night(), _session(resend, asked))

    assert finished == {seq}
    assert len(asked) == 1
    assert asked[0].startswith("3 e-postmeddelanden var på väg när kommandot stoppades")
    after = run.journal.deliveries(dispatch=seq)
    if resend:
        assert {r.status for r in after} == {Status.SENT}
        assert sorted(r for m in smtp_server.received for r in m.rcpt_tos) == ADDRESSES[:3]
        assert {r.code for r in after} == {None}
    else:
        assert smtp_server.received == []
        assert {(r.status, r.code) for r in after} == {(Status.IN_DOUBT, "in-doubt")}
    run.close()


def test_yes_confirms_steps_but_does_not_resend_emails_in_doubt(tmp_path: Path) -> None:
    session = make_session(state_dir=tmp_path, yes=True)
    assert session.confirm("Send these messages now?", "en") is True
    # `gonogo hold` and scripts pass --yes; a possible second e-mail is never their choice.
    assert session.decide("Send them again?", False, "en") is False
    assert session.decide("Skicka dem igen?", False, "sv") is False


def test_a_preflight_reports_every_problem_at_once() -> None:
    from gonogo.errors import ConfigError  # noqa: PLC0415

    # The SMTP server is down and Twilio's credentials are missing: both are named.
    with SmtpServer() as gone:
        env = gone.env()
    runbook = load_valid(RUNBOOK).runbook
    assert runbook is not None
    with pytest.raises(ConfigError) as info:
        LiveTransport(runbook, env=env, progress=False).check(["sms", "email"])
    message = info.value.message
    assert message.startswith("2 problems: ")
    assert f"127.0.0.1:{gone.port}" in message
    assert "TWILIO_ACCOUNT_SID" in message
    # Both hints, each a sentence: not "…SECURITY.; Export…".
    assert info.value.hint == (
        "Check GONOGO_SMTP_HOST, GONOGO_SMTP_PORT and GONOGO_SMTP_SECURITY. "
        "Export the Twilio account SID and auth token before the night starts."
    )
