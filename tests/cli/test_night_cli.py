"""The night end to end: every command a separate process, dry runs only.

Each command is forked from a process that has imported gonogo (tests/servers/
gonogo_forks.py): its own pid, environment, stdin, stdout, stderr and files, as
`python -m gonogo`, without the imports. The kill -9 tests start `python -m gonogo`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from documented_json import checked
from gonogo.night.lock import run_lock
from servers.gonogo_forks import gonogo as forked

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
RELEASE = "21.0"

# The plan's approved SMS texts, as they go out for release 21.0 (seeds/001).
SMS_WINDOW_STARTED = (
    "Nu startar servicefönster för produktionssättning av release 21.0. VARA exportfil "
    "kommer bli försenad. Vi beklagar eventuella problem i samband med servicefönstret."
)
SMS_PART_STATUS_1 = "Arbetet med del 1 av 5 pågår enligt plan."
SMS_PART_COMPLETED = (
    "Nu har del {n} av servicefönstret genomförts med lyckat resultat. "
    "Installationen fortsätter enligt plan."
)
SMS_PART_5_COMPLETED = (
    "Nu har del 5 av 5 av servicefönstret genomförts med lyckat resultat. Vi öppnar tjänsten "
    "för externtrafik och anslutna aktörer kan övervaka flödet på sin sida."
)
SMS_WINDOW_COMPLETED = (
    "Produktionssättning av release 21.0 är genomförd och verifierad med gott resultat. "
    "Servicefönstret avslutas."
)


PARTICIPANTS = (
    "apoteket-ab",
    "dalarna",
    "stockholm",
    "kalmar",
    "jonkoping",
    "norrbotten",
    "orebro",
)
# Part 5 waits for production verification; where that is not the point, Go overrides it.
GO_5 = ["go", "5", "--override-verification", "--reason", "rehearsal"]


def _go(number: int) -> list[str]:
    return GO_5 if number == 5 else ["go", str(number)]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GONOGO_STATE_DIR", None)
    env.update(extra)
    return env


def gonogo(
    state: Path, *args: str, stdin: str | None = None, yes: bool = True, **env: str
) -> subprocess.CompletedProcess[str]:
    """One `gonogo` command as its own process, on the rehearsal in `state`."""
    command = [*args, "--state-dir", str(state), "--dry-run"]
    if yes and args[0] not in ("status", "log", "hold"):
        command.append("--yes")
    return forked(command, env=_env(**env), stdin=stdin or "")


def ok(state: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    done = gonogo(state, *args, **env)
    assert done.returncode == 0, (args, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def journal_path(state: Path) -> Path:
    return state / RELEASE / "rehearsal" / "journal.sqlite"


def outbox(state: Path) -> Path:
    return state / RELEASE / "rehearsal" / "outbox"


def query(state: Path, sql: str, *params: Any) -> list[sqlite3.Row]:
    with closing(sqlite3.connect(journal_path(state))) as db:
        db.row_factory = sqlite3.Row
        return db.execute(sql, params).fetchall()


def events(state: Path) -> list[tuple[str, int | None, str]]:
    rows = query(state, "SELECT kind, part, data FROM events ORDER BY seq")
    return [(r["kind"], r["part"], r["data"]) for r in rows]


def dispatches(state: Path) -> list[tuple[str, int | None]]:
    rows = query(state, "SELECT part, data FROM events WHERE kind = 'dispatch' ORDER BY seq")
    return [(json.loads(r["data"])["event"], r["part"]) for r in rows]


def snapshot(state: Path) -> tuple[object, ...]:
    """Everything a refused command must leave as it was."""
    files = (
        sorted((p.name, p.read_bytes()) for p in outbox(state).iterdir())
        if outbox(state).is_dir()
        else []
    )
    if not journal_path(state).exists():
        return ("no journal", files)
    return (
        events(state),
        [tuple(r) for r in query(state, "SELECT * FROM deliveries ORDER BY id")],
        [tuple(r) for r in query(state, "SELECT * FROM delivery_log ORDER BY seq")],
        files,
    )


def status(state: Path) -> dict[str, Any]:
    return checked("status", ok(state, "status", "--json").stdout)


def sms_body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n\n", 1)[1].rstrip("\n")


def outbox_files(state: Path, label: str, channel: str) -> list[Path]:
    return sorted(p for p in outbox(state).glob(f"*-{label}-{channel}-*.txt"))


@pytest.fixture
def runbook(tmp_path: Path) -> Path:
    """A copy of the 21.0 runbook and its recipients, free to modify."""
    shutil.copytree(RUNBOOKS, tmp_path / "runbooks")
    return tmp_path / "runbooks" / "release-21.0.yaml"


def check_outbox_matches_journal(state: Path) -> None:
    """Every delivery is `sent` exactly once and named in exactly one outbox file."""
    rows = query(
        state,
        "SELECT d.id, d.dispatch, d.channel, d.address,"
        " (SELECT COUNT(*) FROM delivery_log l WHERE l.delivery = d.id AND l.status = 'sent')"
        " AS sent,"
        " (SELECT status FROM delivery_log l WHERE l.delivery = d.id ORDER BY seq DESC LIMIT 1)"
        " AS latest,"
        " (SELECT provider_id FROM delivery_log l WHERE l.delivery = d.id"
        "   ORDER BY seq DESC LIMIT 1) AS file"
        " FROM deliveries d",
    )
    assert rows
    named: dict[tuple[int, str], list[str]] = {}
    for path in outbox(state).glob("*.txt"):
        dispatch = int(path.name[:5])
        channel = "sms" if "-sms-" in path.name else "email"
        header = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        addresses = [
            line.rsplit("<", 1)[1].rstrip(">") for line in header.splitlines() if line[:2] == "  "
        ]
        named.setdefault((dispatch, channel), []).extend(addresses)
    for key, addresses in named.items():
        assert len(addresses) == len(set(addresses)), f"an address twice in the outbox of {key}"
    for row in rows:
        assert (row["latest"], row["sent"]) == ("sent", 1), dict(row)
        assert (outbox(state) / row["file"].removeprefix("outbox:")).is_file()
        assert row["address"] in named[(row["dispatch"], row["channel"])]
    assert sum(len(a) for a in named.values()) == len(rows)
    assert not list(outbox(state).glob("*.tmp"))


# --- whole nights ----------------------------------------------------------------------


def test_the_whole_night_all_go(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    started = ok(state, "start", str(runbook), "--by", "anna")
    assert "window_started: " in started.stdout
    ok(state, "progress", "--by", "anna")
    for number in range(1, 5):
        ok(state, "go", str(number), "--by", f"op{number}")
    ok(state, "verify", "start", "--by", "anna")
    for participant in PARTICIPANTS:
        ok(state, "verify", participant, "ok", "--by", "anna")
    ok(state, "go", "5", "--by", "op5")
    ok(state, "end", "--by", "anna")

    night = status(state)
    assert (night["state"], night["outcome"]) == ("completed", "completed")
    assert [p["decision"] for p in night["parts"]] == ["go"] * 5
    assert [p["decided_by"] for p in night["parts"]] == [f"op{n}" for n in range(1, 6)]

    expected = {
        "window_started": SMS_WINDOW_STARTED,
        "part_status-part1": SMS_PART_STATUS_1,
        **{f"part_completed-part{n}": SMS_PART_COMPLETED.format(n=n) for n in range(1, 5)},
        "verification_started": None,
        "part_completed-part5": SMS_PART_5_COMPLETED,
        "window_completed": SMS_WINDOW_COMPLETED,
    }
    assert [f"{e}-part{p}" if p else e for e, p in dispatches(state)] == list(expected)
    for label, text in expected.items():
        if text is None:
            continue
        sms = outbox_files(state, label, "sms")
        assert {p.name.rsplit("-", 2)[-2] for p in sms} == {"vard", "apotek", "intern"}, label
        for path in sms:
            assert sms_body(path) == text, path.name
        email = outbox_files(state, label, "email")
        assert {p.name.rsplit("-", 2)[-2] for p in email} >= {"vard", "apotek", "intern"}
    # The press gets the prepared statement by e-mail, and never an SMS.
    assert len(outbox_files(state, "window_started", "email-press")) == 1
    assert not list(outbox(state).glob("*-sms-press-*"))
    check_outbox_matches_journal(state)

    log = ok(state, "log").stdout
    decisions = [
        line
        for line in log.splitlines()[1:]
        if " meddelande " not in line and "verifiering" not in line and "återrapport" not in line
    ]
    assert [line.split()[2:] for line in decisions] == [
        ["anna", "start"],
        ["anna", "statusmeddelande", "del", "1"],
        *[[f"op{n}", "Go", "del", str(n)] for n in range(1, 6)],
        ["anna", "avslut"],
    ]


def test_nogo_at_part_3_rolls_back(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook), "--by", "anna")
    ok(state, "go", "1", "--by", "anna")
    ok(state, "go", "migrering", "--by", "anna")  # by id, too
    ok(state, "nogo", "3", "--reason", "miljöerna startar inte", "--by", "bo")
    assert status(state)["state"] == "rolling_back"
    ok(state, "rollback-done", "--by", "bo")

    night = status(state)
    assert (night["state"], night["outcome"]) == ("rolled_back", "rolled back")
    part3 = night["parts"][2]
    assert (part3["decision"], part3["decided_by"], part3["reason"]) == (
        "nogo",
        "bo",
        "miljöerna startar inte",
    )
    assert night["window"]["closed"] is not None
    assert dispatches(state)[-2:] == [("rollback_started", 3), ("rollback_completed", None)]
    rollback = outbox_files(state, "rollback_started-part3", "sms")
    assert rollback
    assert sms_body(rollback[0]).startswith(
        "Installationen av release 21.0 avbryts efter del 3 av 5."
    )
    assert outbox_files(state, "rollback_completed", "sms")
    check_outbox_matches_journal(state)
    assert "NoGo del 3: miljöerna startar inte" in ok(state, "log").stdout


def test_a_hold_then_go(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    before = snapshot(state)
    held = ok(state, "hold", "1", "--reason", "väntar på DBA", "--by", "cia")
    assert snapshot(state)[1:] == before[1:]  # no message, no delivery
    holds = status(state)["holds"]
    assert [(h["part"], h["by"], h["reason"]) for h in holds] == [(1, "cia", "väntar på DBA")]
    assert "Paus i del 1" in ok(state, "status").stdout
    assert "väntar på DBA" in ok(state, "status").stdout
    assert held.stdout.strip().endswith("Journalfört.")
    ok(state, "go", "1")
    assert status(state)["holds"] == []
    assert "Paus i" not in ok(state, "status").stdout


# --- invalid transitions from every state ----------------------------------------------

SETUPS: dict[str, list[list[str]]] = {
    "part_1": [],
    "part_2": [["go", "1"]],
    "part_3": [["go", "1"], ["go", "2"]],
    "parts_done": [_go(n) for n in range(1, 6)],
    "rolling_back": [["nogo", "1", "--reason", "x"]],
    "completed": [*(_go(n) for n in range(1, 6)), ["end"]],
    "rolled_back": [["go", "1"], ["nogo", "2", "--reason", "x"], ["rollback-done"]],
}

IN_PART_1 = "del 1 (databas) pågår"
OVER_DONE = "natten är över: genomförd"
OVER_BACK = "natten är över: tillbakarullad"
WAITING = "alla delar har fått Go, fönstret är inte avslutat"
ROLLING = "tillbakarullning pågår"

INVALID: list[tuple[str, list[str], str]] = [
    ("part_1", ["go", "2"], "`go 2`: del 1 (databas) pågår, inte del 2"),
    ("part_1", ["go", "migrering"], "`go migrering`: del 1 (databas) pågår, inte del 2"),
    ("part_1", ["nogo", "3", "--reason", "x"], f"`nogo 3`: {IN_PART_1}, inte del 3"),
    ("part_1", ["hold", "5", "--reason", "x"], f"`hold 5`: {IN_PART_1}, inte del 5"),
    ("part_1", ["end"], f"`end` går inte nu: {IN_PART_1}"),
    ("part_1", ["rollback-done"], f"`rollback-done` går inte nu: {IN_PART_1}"),
    ("part_1", ["go", "9"], "okänd del '9'; delar: 1 (databas), 2 (migrering)"),
    ("part_1", ["go", "nope"], "okänd del 'nope'"),
    ("part_1", ["go", "0"], "okänd del '0'"),
    ("part_1", ["start", "RUNBOOK"], "already has a rehearsal"),
    ("part_2", ["go", "1"], "`go 1`: del 2 (migrering) pågår, inte del 1 (del 1 fick Go"),
    ("part_2", ["nogo", "1", "--reason", "x"], "del 2 (migrering) pågår, inte del 1"),
    ("part_2", ["go", "3"], "del 2 (migrering) pågår, inte del 3"),
    ("part_2", ["progress"], "runbooken har inget statusmeddelande för del 2 (migrering)"),
    ("part_2", ["end"], "`end` går inte nu: del 2 (migrering) pågår"),
    ("part_2", ["rollback-done"], "del 2 (migrering) pågår"),
    ("part_3", ["go", "2"], "del 3 (miljoer) pågår, inte del 2 (del 2 fick Go"),
    ("part_3", ["end"], "`end` går inte nu: del 3 (miljoer) pågår"),
    ("part_3", ["rollback-done"], "del 3 (miljoer) pågår"),
    ("part_3", ["progress"], "runbooken har inget statusmeddelande för del 3 (miljoer)"),
    ("parts_done", ["go", "5"], f"`go 5`: ingen del pågår; {WAITING}"),
    ("parts_done", ["go", "1"], f"`go 1`: ingen del pågår; {WAITING}"),
    ("parts_done", ["nogo", "5", "--reason", "x"], WAITING),
    ("parts_done", ["hold", "5", "--reason", "x"], WAITING),
    ("parts_done", ["progress"], f"`progress` går inte nu: {WAITING}"),
    ("parts_done", ["rollback-done"], f"`rollback-done` går inte nu: {WAITING}"),
    ("parts_done", ["start", "RUNBOOK"], "already has a rehearsal"),
    ("rolling_back", ["go", "1"], f"`go 1`: ingen del pågår; {ROLLING}"),
    ("rolling_back", ["go", "2"], ROLLING),
    ("rolling_back", ["nogo", "1", "--reason", "x"], ROLLING),
    ("rolling_back", ["hold", "1", "--reason", "x"], ROLLING),
    ("rolling_back", ["progress"], f"`progress` går inte nu: {ROLLING}"),
    ("rolling_back", ["end"], f"`end` går inte nu: {ROLLING}"),
    ("completed", ["go", "5"], OVER_DONE),
    ("completed", ["nogo", "5", "--reason", "x"], OVER_DONE),
    ("completed", ["hold", "1", "--reason", "x"], OVER_DONE),
    ("completed", ["progress"], OVER_DONE),
    ("completed", ["end"], f"`end` går inte nu: {OVER_DONE}"),
    ("completed", ["rollback-done"], OVER_DONE),
    ("completed", ["start", "RUNBOOK"], "already has a rehearsal"),
    ("rolled_back", ["go", "2"], OVER_BACK),
    ("rolled_back", ["go", "3"], OVER_BACK),
    ("rolled_back", ["nogo", "2", "--reason", "x"], OVER_BACK),
    ("rolled_back", ["hold", "3", "--reason", "x"], OVER_BACK),
    ("rolled_back", ["progress"], OVER_BACK),
    ("rolled_back", ["end"], OVER_BACK),
    ("rolled_back", ["rollback-done"], f"`rollback-done` går inte nu: {OVER_BACK}"),
]


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """One rehearsal per state, built once; tests work on copies."""
    base = tmp_path_factory.mktemp("nights")
    shutil.copytree(RUNBOOKS, base / "runbooks")
    book = base / "runbooks" / "release-21.0.yaml"
    built: dict[str, tuple[Path, Path]] = {}
    for name, steps in SETUPS.items():
        state = base / name
        ok(state, "start", str(book))
        for args in steps:
            ok(state, *args)
        assert status(state)["state"] == name
        built[name] = (state, book)
    return built


@pytest.mark.parametrize(
    ("night", "args", "message"), INVALID, ids=[f"{n}:{' '.join(a)}" for n, a, _ in INVALID]
)
def test_an_invalid_step_is_refused_and_changes_nothing(
    nights: dict[str, tuple[Path, Path]], tmp_path: Path, night: str, args: list[str], message: str
) -> None:
    template, book = nights[night]
    state = tmp_path / "state"
    shutil.copytree(template, state)
    args = [str(book) if a == "RUNBOOK" else a for a in args]
    before = snapshot(state)
    done = gonogo(state, *args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("gonogo: error: ")
    assert message in done.stderr
    assert snapshot(state) == before
    assert status(state)["state"] == night


def test_repeating_a_step_is_an_error_never_a_second_message(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    ok(state, "progress")
    ok(state, "go", "1", "--by", "anna")
    before = snapshot(state)
    again = gonogo(state, "progress")
    assert again.returncode == 1
    assert "`progress`" in again.stderr or "statusmeddelande för del" in again.stderr
    for args in (["go", "1"], ["go", "databas"]):
        again = gonogo(state, *args)
        assert again.returncode == 1
        assert (
            f"`{' '.join(args)}`: del 2 (migrering) pågår, inte del 1 (del 1 fick Go "
        ) in again.stderr
        assert "av anna); inget har gjorts" in again.stderr
    assert snapshot(state) == before
    assert dispatches(state).count(("part_completed", 1)) == 1
    assert dispatches(state).count(("part_status", 1)) == 1


def test_progress_twice_in_a_part_is_refused(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    ok(state, "progress")
    before = snapshot(state)
    again = gonogo(state, "progress")
    assert again.returncode == 1
    assert "statusmeddelandet för del 1 skickades redan " in again.stderr
    assert snapshot(state) == before


def test_every_trigger_is_covered_from_every_state() -> None:
    commands = {"go", "nogo", "hold", "progress", "end", "rollback-done"}
    allowed = {
        "part_1": {"go", "nogo", "hold", "progress"},
        "part_2": {"go", "nogo", "hold"},
        "part_3": {"go", "nogo", "hold"},
        "parts_done": {"end"},
        "rolling_back": {"rollback-done"},
    }
    refused: dict[str, set[str]] = {}
    for night, args, _message in INVALID:
        refused.setdefault(night, set()).add(args[0])
    for night in SETUPS:
        assert refused[night] | allowed.get(night, set()) >= commands, night


@pytest.mark.parametrize(
    "args",
    [["go", "1"], ["nogo", "1", "--reason", "x"], ["hold", "1", "--reason", "x"], ["progress"],
     ["end"], ["rollback-done"], ["status"], ["log"]],
)  # fmt: skip
def test_without_a_run_commands_say_how_to_start_one(tmp_path: Path, args: list[str]) -> None:
    done = gonogo(tmp_path / "state", *args)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "start one with `gonogo start RUNBOOK" in done.stderr


def test_start_twice_is_an_error(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    before = snapshot(state)
    done = gonogo(state, "start", str(runbook))
    assert done.returncode == 1
    assert f"release {RELEASE} already has a rehearsal" in done.stderr
    assert snapshot(state) == before


# --- status --json -----------------------------------------------------------------------


def test_status_json_fields(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    ok(state, "hold", "1", "--reason", "väntar")
    night = status(state)
    assert set(night) >= {
        "release", "dry_run", "state", "description", "outcome", "now", "window",
        "point_of_no_return", "point_of_no_return_passed", "current_part", "parts", "holds",
        "next", "runbook_changed",
    }  # fmt: skip
    assert (night["version"], night["kind"]) == (1, "status")  # docs/json.md
    assert (night["release"], night["dry_run"], night["state"]) == (RELEASE, True, "part_1")
    assert night["current_part"] == 1
    assert night["outcome"] is None
    assert night["description"] == "part 1 (databas) is in progress"  # English: docs/json.md
    assert night["next"] == "next: `gonogo go 1` or `gonogo nogo 1 --reason ...`"
    assert night["runbook_changed"] is False
    window = night["window"]
    assert set(window) == {"start", "end", "opened", "closed", "minutes_left"}
    # A rehearsal's plan begins when it started: 8 hours of window, rollback 1h30m.
    opened = dt.datetime.fromisoformat(window["opened"])
    start = dt.datetime.fromisoformat(window["start"])
    # The JSON gives the plan's start in whole seconds, and the start entry is journaled
    # a moment after the clock was read for the plan: up to 1 s apart, and that moment.
    assert dt.timedelta(0) <= opened - start < dt.timedelta(seconds=2)
    assert window["closed"] is None
    assert 478 <= window["minutes_left"] <= 480
    assert dt.datetime.fromisoformat(window["end"]) - start == dt.timedelta(hours=8)
    pnr = dt.datetime.fromisoformat(night["point_of_no_return"])
    assert pnr - start == dt.timedelta(hours=6, minutes=30)
    assert night["point_of_no_return_passed"] is False
    assert [p["number"] for p in night["parts"]] == [1, 2, 3, 4, 5]
    part = night["parts"][0]
    assert set(part) == {
        "number", "id", "title", "owner", "planned_start", "planned_end", "started", "ended",
        "late_minutes", "decision", "decided_by", "reason",
    }  # fmt: skip
    assert (part["id"], part["planned_start"], part["started"]) == (
        "databas",
        window["start"],
        window["opened"],
    )
    assert part["late_minutes"] == 0
    assert night["parts"][1]["started"] is None
    assert (
        night["parts"][4]["planned_end"] == (start + dt.timedelta(hours=6, minutes=15)).isoformat()
    )
    assert [h["reason"] for h in night["holds"]] == ["väntar"]
    assert start.utcoffset() in (dt.timedelta(hours=1), dt.timedelta(hours=2))  # Stockholm


# --- two operators at once ---------------------------------------------------------------


def test_two_concurrent_go_one_wins(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    command = [sys.executable, "-m", "gonogo", "go", "1", "--state-dir", str(state),
               "--dry-run", "--yes"]  # fmt: skip
    procs = [
        subprocess.Popen(
            [*command, "--by", f"op{i}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(GONOGO_LOCK_WAIT="30"),
        )
        for i in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append((proc.returncode, out, err))
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1)
    assert "del 2 (migrering) pågår, inte del 1 (del 1 fick Go" in loser
    assert dispatches(state).count(("part_completed", 1)) == 1
    check_outbox_matches_journal(state)


def test_a_held_lock_makes_the_other_command_exit_4(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    before = snapshot(state)
    lock = state / RELEASE / "rehearsal" / "lock"
    with run_lock(lock, operator="dora", command="gonogo go 1", wait=0):
        taken = dt.datetime.now(ZoneInfo("Europe/Stockholm"))  # the runbook's zone
        begun = time.monotonic()
        done = gonogo(state, "go", "1", GONOGO_LOCK_WAIT="0.5")
        assert done.returncode == 4, done.stderr
        assert time.monotonic() - begun >= 0.5
        assert "dora holds the run's lock (`gonogo go 1`, pid" in done.stderr
        # Local, as every other time the operator reads (23:36 CET, not 22:36:57 UTC).
        since = {f"since {(taken - dt.timedelta(minutes=m)):%Y-%m-%d %H:%M %Z})" for m in (0, 1)}
        assert any(s in done.stderr for s in since), done.stderr
        # Read-only commands never wait for the lock; status names who holds it.
        begun = time.monotonic()
        night = status(state)
        assert night["state"] == "part_1"
        assert (night["sending"]["operator"], night["sending"]["command"]) == (
            "dora", "gonogo go 1",
        )  # fmt: skip
        assert "dora kör (`gonogo go 1` på " in ok(state, "status").stdout
        ok(state, "log")
        assert time.monotonic() - begun < 10
    assert snapshot(state) == before
    ok(state, "go", "1")
    assert dispatches(state).count(("part_completed", 1)) == 1


@pytest.mark.parametrize(
    ("variable", "value"),
    [("GONOGO_LOCK_WAIT", "abc"), ("GONOGO_LOCK_WAIT", "-1"), ("GONOGO_LOCK_WAIT", "nan"),
     ("GONOGO_SETTLE", "inf"), ("GONOGO_SETTLE", "soon")],
)  # fmt: skip
def test_a_bad_seconds_variable_is_a_usage_error_before_anything_is_journaled(
    runbook: Path, tmp_path: Path, variable: str, value: str
) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    before = snapshot(state)
    for args in (["hold", "1", "--reason", "x", "--yes"], ["announce", str(runbook)]):
        done = gonogo(state, *args, **{variable: value})
        assert done.returncode == 2, done.stderr
        assert done.stderr == (
            f"gonogo: error: {variable}={value!r} is not a number of seconds (0 or more)\n"
            f"hint: set {variable} to seconds, e.g. 5, or unset it\n"
        )
    assert snapshot(state) == before


# --- kill -9 in the middle of a command --------------------------------------------------


def _many_recipients(runbook: Path, count: int) -> None:
    """Thousands of care recipients: e-mail for all, phones only in the fiction range."""
    lines = ["name,phone,email,language"]
    fiction = [f"+46701740{n:03d}" for n in range(605, 700)]
    for n in range(count):
        phone = fiction[n] if n < len(fiction) else ""
        lines.append(f"Mottagare {n},{phone},user{n}@example.org,sv")
    (runbook.parent / "recipients" / "vard.csv").write_text("\n".join(lines) + "\n", "utf-8")
    for other in ("apotek", "intern"):  # keep the fiction numbers unique across audiences
        csv = runbook.parent / "recipients" / f"{other}.csv"
        rows = csv.read_text("utf-8").splitlines()
        csv.write_text(
            "\n".join([rows[0], *(",".join([r.split(",")[0], "", *r.split(",")[2:]])
                                  for r in rows[1:])]) + "\n",
            "utf-8",
        )  # fmt: skip


def _pending(state: Path) -> int:
    """Deliveries journaled but not yet marked sent."""
    rows = query(
        state,
        "SELECT COUNT(*) FROM deliveries d WHERE (SELECT status FROM delivery_log l"
        " WHERE l.delivery = d.id ORDER BY seq DESC LIMIT 1) != 'sent'",
    )
    return int(rows[0][0])


def _newest_unsent(state: Path) -> bool:
    """The newest delivery is journaled and not yet sent: a dispatch is under way."""
    rows = query(
        state,
        "SELECT status FROM delivery_log WHERE delivery = (SELECT MAX(id) FROM deliveries)"
        " ORDER BY seq DESC LIMIT 1",
    )
    return bool(rows) and rows[0][0] != "sent"


def _mtime(directory: Path) -> int | None:
    """When a file was last added to or removed from `directory` (None: no directory)."""
    try:
        return directory.stat().st_mtime_ns
    except FileNotFoundError:
        return None


def _killed(state: Path, args: list[str], after: float, when: str = "time") -> int | None:
    """Run a command and kill -9 it `after` seconds in, or as soon as `when` happens:
    "journaled" (its dispatch is committed, nothing sent) or "writing" (outbox files of
    it exist, none marked sent). None if it was killed, else its exit code."""
    known = set(outbox(state).iterdir()) if outbox(state).is_dir() else set()
    seen = _mtime(outbox(state))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gonogo", *args, "--state-dir", str(state), "--dry-run", "--yes"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
    )
    deadline = time.monotonic() + after
    try:
        # Each look is cheap (one indexed row, one stat) so that looking every 2 ms
        # leaves the command its core: counting 20,000 rows or listing as many files
        # each time took one of their own.
        while proc.poll() is None and time.monotonic() < deadline:
            if when == "journaled" and journal_path(state).exists() and _newest_unsent(state):
                break
            if when == "writing" and _mtime(outbox(state)) != seen:
                seen = _mtime(outbox(state))
                if set(outbox(state).iterdir()) - known:
                    break
            time.sleep(0.002)
        if proc.poll() is not None:
            return proc.returncode
        os.kill(proc.pid, signal.SIGKILL)
        return None
    finally:
        proc.wait(timeout=30)


@pytest.mark.slow
def test_kill_9_mid_command_then_a_clean_continuation(runbook: Path, tmp_path: Path) -> None:
    _many_recipients(runbook, 3000)
    state = tmp_path / "state"
    rng = random.Random(21)
    # How long a fresh `python -m gonogo start` takes, imports included: the commands
    # killed at a random time are fresh processes too.
    begun = time.monotonic()
    started = subprocess.run(
        [sys.executable, "-m", "gonogo", "start", str(runbook), "--by", "anna",
         "--state-dir", str(state), "--dry-run", "--yes"],
        capture_output=True, text=True, timeout=120, env=_env(), check=False,
    )  # fmt: skip
    full = time.monotonic() - begun
    assert started.returncode == 0, started.stderr
    kills: dict[str, int] = {}
    # "whole": the command is left to finish, as an operator's would be in the end. A
    # command that must first finish a killed one's 3,000 rows takes longer than `start`
    # did, so the random kills alone may stop every attempt for dozens of rounds.
    modes = ["journaled", "writing", "time", "time", "whole"]
    # Walk the whole night; commands are killed at random moments and right after their
    # dispatch is journaled or while the outbox is written, then the night goes on with
    # whatever the next command should be after looking at `status`.
    for round_ in range(60):
        night = status(state)  # the journal replays after every kill
        if night["state"] == "completed":
            break
        current = night["current_part"]
        args = _go(current) if current else ["end"]
        mode = modes[round_ % len(modes)]
        after = rng.uniform(0.05, full * 1.2) if mode == "time" else 60
        if _killed(state, args, after, "time" if mode == "whole" else mode) is None:
            kills[mode] = kills.get(mode, 0) + 1
            if mode != "time":
                assert _pending(state) > 0  # killed between journaling and sending
    assert status(state)["state"] == "completed"
    assert kills.get("journaled", 0) >= 1
    assert kills.get("writing", 0) >= 1
    # Whatever was interrupted last is finished by the next changing command.
    if _pending(state):
        done = gonogo(state, "end")  # refused, but finishes the interrupted dispatch first
        assert done.returncode == 1
        assert "Skickar först klart" in done.stdout  # 21.0: "Finishing …" in Swedish
    labels = [f"{e}-part{p}" if p else e for e, p in dispatches(state)]
    assert labels == [
        "window_started",
        *[f"part_completed-part{n}" for n in range(1, 6)],
        "window_completed",
    ]
    check_outbox_matches_journal(state)
    recipients = query(state, "SELECT COUNT(*) FROM deliveries")[0][0]
    assert recipients > 7 * 3000


@pytest.mark.slow
def test_kill_9_during_start_then_start_again(runbook: Path, tmp_path: Path) -> None:
    _many_recipients(runbook, 3000)
    rng = random.Random(7)
    for attempt in range(6):
        state = tmp_path / f"state{attempt}"
        _killed(state, ["start", str(runbook)], rng.uniform(0.1, 1.5))
        if journal_path(state).exists():
            night = json.loads(gonogo(state, "status", "--json").stdout or "{}")
            if night.get("state") != "part_1":
                ok(state, "start", str(runbook))
        else:
            ok(state, "start", str(runbook))
        ok(state, "go", "1")
        assert status(state)["state"] == "part_2"
        assert dispatches(state) == [("window_started", None), ("part_completed", 1)]
        check_outbox_matches_journal(state)


# --- a changed runbook ------------------------------------------------------------------


@pytest.mark.parametrize("change", ["runbook", "recipients"])
def test_a_changed_runbook_is_refused_then_accepted(
    runbook: Path, tmp_path: Path, change: str
) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    then = query(state, "SELECT value FROM meta WHERE key = 'runbook_sha256'")[0][0]
    changed = runbook if change == "runbook" else runbook.parent / "recipients" / "intern.csv"
    with changed.open("a", encoding="utf-8") as handle:
        handle.write("# a late edit\n" if change == "runbook" else "Ny,,ny@example.org,sv\n")
    before = snapshot(state)
    done = gonogo(state, "go", "1")
    assert done.returncode == 1
    assert f"the runbook {runbook} has changed since the run started" in done.stderr
    assert f"sha256 {then[:12]} then" in done.stderr
    assert "--accept-changed-runbook" in done.stderr
    assert snapshot(state) == before
    assert status(state)["runbook_changed"] is True

    accepted = ok(state, "go", "1", "--accept-changed-runbook", "--by", "erik")
    assert "Runbookändringen godtogs och journalfördes (sha256 " in accepted.stdout
    kinds = [kind for kind, _part, _data in events(state)]
    assert kinds[-3:] == ["runbook_change_accepted", "go", "dispatch"]
    data = json.loads(events(state)[-3][2])
    assert (data["old"], data["file"]) == (then, str(runbook))
    assert data["new"] != then
    assert "erik         runbookändring godtagen" in ok(state, "log").stdout
    assert status(state)["runbook_changed"] is False
    ok(state, "go", "2")  # accepted once is enough


# --- confirmations -----------------------------------------------------------------------


@pytest.mark.parametrize("answer", ["n\n", ""])
def test_a_declined_confirmation_journals_and_sends_nothing(
    runbook: Path, tmp_path: Path, answer: str
) -> None:
    state = tmp_path / "state"
    ok(state, "start", str(runbook))
    ok(state, "progress")  # else Go first asks about part 1's unsent status message
    before = snapshot(state)
    done = gonogo(state, "go", "1", stdin=answer, yes=False)
    assert done.returncode == 1
    assert "Lägga meddelandena i utkorgen (torrkörning)?" in done.stdout
    assert "part_completed (del 1):" in done.stdout
    assert "not confirmed; nothing was journaled or sent" in done.stderr
    assert snapshot(state) == before


def test_a_declined_start_creates_no_run(runbook: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    done = gonogo(state, "start", str(runbook), stdin="n\n", yes=False)
    assert done.returncode == 1
    assert "not confirmed" in done.stderr
    assert not journal_path(state).exists()
    assert gonogo(state, "status").returncode == 1
    ok(state, "start", str(runbook))
