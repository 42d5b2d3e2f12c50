"""Two sites, one PostgreSQL journal: races, kill -9 on one site and resume on the
other by turns, the database stopped mid-dispatch, and `journal copy` between backends.

A site is its own process with its own working directory, state directory and copy of
the runbook; only the database is shared.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from documented_json import checked
from night.test_crash_delivery import COUNT, SEED, email, write_runbook
from night.test_shared_night import ok, run, runbook, site
from servers.gonogo_forks import Command, Forks
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

# The 100 races, each costing only its two racing processes: the two sites
# start and join one night once, each race gets its own copy of that database, and the
# racers are forked without paying Python's imports (tests/servers/gonogo_forks.py).
RACES = int(os.environ.get("GONOGO_RACES", "100"))


@pytest.fixture
def url(postgres: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    found: str = postgres.new_database()
    monkeypatch.setenv("GONOGO_JOURNAL_URL", found)
    return found


def _go_1(home: Path, who: str, url: str) -> Command:
    env = {**os.environ, "GONOGO_LOCK_WAIT": "0.2", "GONOGO_JOURNAL_URL": url}
    return Command(["go", "1", "--dry-run", "--yes", "--by", who], str(home), env)


def _gos_of_part_1(url: str) -> list[str]:
    with psycopg.connect(url) as db:
        rows = db.execute("SELECT operator FROM gonogo_events WHERE kind = 'go' AND part = 1")
        return [operator for (operator,) in rows]


@pytest.mark.slow
def test_races_of_go_1_from_two_sites_have_one_winner(postgres: Any, tmp_path: Path) -> None:
    a, b = site(tmp_path, "a"), site(tmp_path, "b")
    started = postgres.new_database()
    ok(a, "start", runbook(a), GONOGO_JOURNAL_URL=started)
    assert "Anslöt till natten" in ok(b, "start", runbook(b), GONOGO_JOURNAL_URL=started).stdout
    assert _gos_of_part_1(started) == []
    # Each race's copy of the started night is made while the race before it runs: a
    # copy costs about as much as a race, and the two overlap on two cores.
    with Forks(tmp_path) as forks, ThreadPoolExecutor(1) as ahead:
        upcoming = ahead.submit(postgres.new_database, template=started)
        for n in range(RACES):
            race = upcoming.result()
            if n + 1 < RACES:
                upcoming = ahead.submit(postgres.new_database, template=started)
            results = forks.run([_go_1(a, "anna", race), _go_1(b, "bo", race)])
            assert sorted(r.code for r in results) in ([0, 1], [0, 4]), (n, results)
            winner = "anna" if results[0].code == 0 else "bo"
            loser = next(r.stderr for r in results if r.code)
            assert "del 1 fick Go" in loser or "holds the run's lock" in loser, (n, loser)
            assert "Traceback" not in loser, (n, loser)
            assert _gos_of_part_1(race) == [winner], (n, results)
            postgres.drop_database(race)


def test_the_lock_holder_is_named_and_readers_never_wait(url: str, tmp_path: Path) -> None:
    a, b = site(tmp_path, "a"), site(tmp_path, "b")
    ok(a, "start", runbook(a))
    ok(b, "start", runbook(b))
    with psycopg.connect(url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(hashtextextended('gonogo:21.0:rehearsal', 0))")
        holder.execute("UPDATE gonogo_lock_holders SET operator = 'dora', host = 'site-a'")
        done = run(b, "go", "1", GONOGO_LOCK_WAIT="0.5")
        assert done.returncode == 4, done.stderr
        assert "dora holds the run's lock" in done.stderr
        assert "on site-a" in done.stderr
        # Its time in the runbook's zone, as every other time the operator reads.
        assert re.search(r"since \d{4}-\d\d-\d\d \d\d:\d\d CES?T\)", done.stderr), done.stderr
        # Read-only commands never wait: with a 600 s lock wait they would hang here.
        wait = {"GONOGO_LOCK_WAIT": "600"}
        begun = time.monotonic()
        night = checked("status", ok(b, "status", "--json", **wait).stdout)
        assert night["state"] == "part_1"
        assert (night["sending"]["operator"], night["sending"]["host"]) == ("dora", "site-a")
        ok(b, "log", **wait)
        ok(b, "report", **wait)
        assert time.monotonic() - begun < 300
    ok(b, "go", "1")


def test_a_different_runbook_is_refused(url: str, tmp_path: Path) -> None:
    a, b = site(tmp_path, "a"), site(tmp_path, "b")
    ok(a, "start", runbook(a))
    path = Path(runbook(b))
    path.write_text(path.read_text("utf-8") + "\n# changed\n", "utf-8")
    done = run(b, "start", runbook(b))
    assert done.returncode == 1
    assert str(path) in done.stderr
    assert "differs from the one the night goes on with" in done.stderr


@pytest.fixture
def servers() -> Iterator[tuple[TwilioFake, SmtpServer]]:
    with TwilioFake(latency=0.01) as twilio, SmtpServer() as smtp:
        yield twilio, smtp


def _real(home: Path, *args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "gonogo", *args, "--yes"], cwd=home, env=env,
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def _kill_points(rng: random.Random, total: int) -> list[int]:
    """3 to 5 moments, counted in messages the servers received, in separate stretches
    of the fan-out: each command killed has sent something since the last kill. The
    last is 100 short of the total at least: e-mails left in doubt are never sent."""
    kills = rng.randint(3, 5)
    stretch = (total - 150) // kills
    return [50 + n * stretch + rng.randrange(20, stretch - 20) for n in range(kills)]


@pytest.mark.slow
def test_kill_9_on_one_site_resume_on_the_other_again_and_again(url: str, tmp_path: Path) -> None:
    """Kill -9 the fan-out, resume it from the other site, kill that one, and so on."""
    # Twilio's queue on: Messages wait queued, without a send date, as from one sender.
    with TwilioFake(latency=0.01, segments_per_second=50) as twilio, SmtpServer() as smtp:
        _kill_and_resume_by_turns(tmp_path, twilio, smtp)


def _kill_and_resume_by_turns(tmp_path: Path, twilio: TwilioFake, smtp: SmtpServer) -> None:
    sites = (tmp_path / "a", tmp_path / "b")
    runbooks = [write_runbook(home / "rb") for home in sites]
    # The settling wait before Twilio is asked lets requests a killed command had on the
    # wire land: 2 s instead of the default 10 s, 200 times the server's latency.
    env = {**os.environ, **twilio.env(), **smtp.env(), "GONOGO_SETTLE": "2"}
    rng = random.Random(f"{SEED}-sites")
    kill_at = _kill_points(rng, COUNT + COUNT // 2)  # every SMS and e-mail
    seed = f"seed {SEED} (GONOGO_CRASH_SEED), kills at {kill_at}"

    def received() -> int:
        return len(twilio.messages) + len(smtp.received)

    def logs() -> list[str]:
        return [p.read_text("utf-8")[-1500:] for p in sorted(tmp_path.glob("killed-*.log"))]

    for n, moment in enumerate(kill_at):
        home = sites[n % 2]
        if n == 1:  # the other site joins the night before its first resume
            joined = subprocess.run(
                [sys.executable, "-m", "gonogo", "start", str(runbooks[1]), "--yes"],
                cwd=home, env=env, capture_output=True, text=True, timeout=120, check=False,
            )  # fmt: skip
            assert joined.returncode == 0, (seed, joined.stderr)
        args = ("start", str(runbooks[0])) if n == 0 else ("resume",)
        with (tmp_path / f"killed-{n}.log").open("wb") as log:
            command = subprocess.Popen(
                [sys.executable, "-m", "gonogo", *args, "--yes"], cwd=home, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while received() < moment:
            assert command.poll() is None, (seed, n, received(), logs())
            assert time.monotonic() < deadline, (seed, n, received(), logs())
            time.sleep(0.001)
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
    last = sites[len(kill_at) % 2]
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "resume", "--yes"],
        cwd=last, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, (seed, done.stderr)
    listed = subprocess.run(
        [sys.executable, "-m", "gonogo", "deliveries", "--all", "--json"],
        cwd=last, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    rows = checked("deliveries", listed.stdout)["deliveries"]
    by_status = Counter((r["channel"], r["status"]) for r in rows)
    context = (seed, dict(by_status), logs(), done.stdout[-3000:], done.stderr[-2000:])

    # SMS: Twilio has every recipient exactly once, and the journal says so, Message for
    # Message (the in-flight rows were reconciled with Twilio's list call).
    sms = Counter(m["to"] for m in twilio.messages)
    phones = {f"+4670174{n:04d}" for n in range(COUNT)}
    assert set(sms) == phones, ("lost", len(phones - set(sms)), context)
    assert set(sms.values()) == {1}, ("duplicated", sms.most_common(3), context)
    journaled = {r["address"]: (r["status"], r["provider_id"]) for r in rows
                 if r["channel"] == "sms"}  # fmt: skip
    assert journaled == {m["to"]: ("sent", m["sid"]) for m in twilio.messages}, context

    # E-mail cannot be asked after the fact: one found in flight stays in doubt (`--yes`
    # keeps the prompt's default, no resend) and is listed; never sent twice, never lost
    # without a word.
    mail = Counter(r for m in smtp.received for r in m.rcpt_tos)
    assert set(mail.values()) == {1}, ("duplicated", mail.most_common(3), context)
    addresses = {email(n) for n in range(COUNT)} - {""}
    statuses = {r["address"]: r["status"] for r in rows if r["channel"] == "email"}
    assert set(statuses) == addresses, context
    assert {a for a, s in statuses.items() if s == "sent"} <= set(mail), context
    assert {a for a, s in statuses.items() if s != "sent"} <= {
        a for a, s in statuses.items() if s == "in_doubt"
    }, context
    assert set(mail) | {a for a, s in statuses.items() if s == "in_doubt"} == addresses, context
    # At most the pool's 16 e-mails in flight at each kill.
    assert by_status["email", "in_doubt"] <= 16 * len(kill_at), context
    assert done.returncode == (3 if by_status["email", "in_doubt"] else 0), context


@pytest.mark.slow
def test_database_stopped_mid_dispatch_then_back(
    postgres: Any, tmp_path: Path, servers: tuple[TwilioFake, SmtpServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    twilio, smtp = servers
    url = postgres.new_database()
    secret_url = url.replace("gonogo@", "gonogo:s3cret@")  # trust auth ignores it
    monkeypatch.setenv("GONOGO_JOURNAL_URL", secret_url)
    a = tmp_path / "a"
    rb = write_runbook(a / "rb")
    env = {**os.environ, **twilio.env(), **smtp.env()}
    sender = _real(a, "start", str(rb), env=env)
    deadline = time.monotonic() + 90
    while len(twilio.messages) < COUNT // 4:
        assert sender.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.001)
    postgres.stop("immediate")
    try:
        _out, err = sender.communicate(timeout=120)
    finally:
        postgres.start()
    text = err.decode()
    assert sender.returncode == 1, text
    assert "Traceback" not in text
    assert "s3cret" not in text
    assert f"gonogo:***@127.0.0.1:{postgres.port}" in text, text
    sent_at_stop = len(twilio.messages)
    resumed = subprocess.run([sys.executable, "-m", "gonogo", "resume", "--yes"], cwd=a, env=env,
                             input="y\n", capture_output=True, text=True, check=False)  # fmt: skip
    assert resumed.returncode == 0, (resumed.stdout, resumed.stderr)
    assert "s3cret" not in resumed.stdout + resumed.stderr
    sms = Counter(m["to"] for m in twilio.messages)
    assert len(sms) == COUNT, sent_at_stop
    assert set(sms.values()) == {1}, sent_at_stop


def test_copy_sqlite_to_postgresql_to_sqlite_same_report(url: str, tmp_path: Path) -> None:
    home = site(tmp_path, "a")
    local = {"GONOGO_JOURNAL_URL": ""}
    ok(home, "start", runbook(home), **local)
    ok(home, "go", "1", "--by", "anna", **local)
    ok(home, "hold", "2", "--reason", "väntar", **local)
    ok(home, "nogo", "2", "--reason", "migreringen", **local)
    ok(home, "rollback-done", **local)  # a closed window: the report no longer depends on now
    original = ok(home, "report", "--format", "html", **local).stdout
    state, back = home / ".gonogo", tmp_path / "back"
    copied = ok(home, "journal", "copy", "--from", str(state), "--to", url)
    assert "Copied the rehearsal run of release 21.0" in copied.stdout
    assert ok(home, "report", "--format", "html").stdout == original
    ok(home, "journal", "copy", "--from", url, "--to", str(back))
    again = ok(home, "report", "--format", "html", "--state-dir", str(back), **local).stdout
    assert again == original
    refused = run(home, "journal", "copy", "--from", str(state), "--to", url)
    assert refused.returncode == 1
    assert "already has" in refused.stderr
