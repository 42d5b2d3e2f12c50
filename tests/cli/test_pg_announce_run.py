"""`announce` and `run` on a shared journal, as every other command that reads or writes
a night: `--journal URL` or `GONOGO_JOURNAL_URL`, and an unreachable database is one
error line (password masked), never the local SQLite file read instead, never a question.

Two sites are two state directories on one real PostgreSQL (tests/servers/postgres.py).
`announce` runs in this process on a frozen clock (the notices' moments are in 2021);
`run` is its own process, driven through its prompts.
"""

from __future__ import annotations

import os
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from freezegun import freeze_time

import gonogo.runbook.model  # noqa: F401  # pydantic's models before freezegun (PRODUCT.md)
from gonogo.cli import main
from servers import free_port
from servers.gonogo_forks import gonogo as forked

RUNBOOK = str(Path(__file__).resolve().parents[2] / "runbooks" / "release-21.0.yaml")
SENT = "vecka        7d före      2021-11-20 23:00  skickad"  # then, wrapped or not, when
JOURNALED = "SELECT count(*) FROM gonogo_events WHERE kind = 'announce'"


@pytest.fixture
def url(postgres: Any) -> str:
    """A fresh database, named with a password (trust auth ignores it; no message may
    show it)."""
    plain: str = postgres.new_database()
    return plain.replace("gonogo@", "gonogo:hemligt@")


@pytest.fixture
def gone() -> str:
    """A journal URL on a port nobody listens on."""
    return f"postgresql://gonogo:hemligt@127.0.0.1:{free_port()}/gonogo"


def announce(state: Path, when: str, *args: str) -> tuple[int, str, str]:
    """`gonogo announce` for the rehearsal in this process at the UTC instant `when`."""
    out, err = StringIO(), StringIO()
    with freeze_time(when), redirect_stdout(out), redirect_stderr(err):
        code = main(["announce", RUNBOOK, *args, "--state-dir", str(state), "--dry-run"])
    return code, out.getvalue(), err.getvalue()


def announced(url: str) -> int:
    with psycopg.connect(url) as db:
        row = db.execute(JOURNALED).fetchone()
    assert row is not None
    return int(row[0])


def run(state: Path, stdin: str, *args: str, **env: str) -> Any:
    """`gonogo run` for the rehearsal as its own process, answering with `stdin`."""
    environment = {k: v for k, v in os.environ.items() if k != "GONOGO_JOURNAL_URL"} | env
    return forked(["run", RUNBOOK, "--dry-run", "--state-dir", str(state), *args],
                  cwd=state.parent, env=environment, stdin=stdin)  # fmt: skip


def no_local_run(state: Path) -> bool:
    return not list(state.glob("**/journal.sqlite"))


def test_announce_list_shows_a_notice_another_site_sent(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GONOGO_JOURNAL_URL", url)
    site_a, site_b = tmp_path / "a", tmp_path / "b"
    code, out, err = announce(site_a, "2021-11-20T22:05:00Z", "--yes", "--by", "anna")
    assert code == 0, err
    assert "notice-vecka: 34 skickade" in out
    assert announced(url) == 1
    # Site B, minutes later, with nothing of its own: the shared journal says sent.
    code, out, err = announce(site_b, "2021-11-20T22:07:00Z", "--list")
    assert code == 0, err
    assert any(line.startswith(SENT) for line in out.splitlines()), out
    assert "2021-11-20 23:05 av anna, till 34 mottagare" in out
    assert "ska skickas" not in out
    assert no_local_run(site_b)
    # And B's timer sends nothing again.
    code, out, err = announce(site_b, "2021-11-20T22:08:00Z", "--yes")
    assert code == 0, err
    assert announced(url) == 1


def test_announce_and_run_take_journal_url(url: str, tmp_path: Path) -> None:
    site_a, site_b = tmp_path / "a", tmp_path / "b"
    site_b.mkdir()
    code, out, err = announce(site_a, "2021-11-20T22:05:00Z", "--yes", "--by", "anna",
                              "--journal", url)  # fmt: skip
    assert code == 0, err
    assert announced(url) == 1
    assert no_local_run(site_a)
    code, out, err = announce(site_b, "2021-11-20T22:07:00Z", "--list", "--journal", url)
    assert code == 0, err
    assert any(line.startswith(SENT) for line in out.splitlines()), out
    assert "2021-11-20 23:05 av anna, till 34 mottagare" in out
    # The guided night on site B finds the shared run (no question), and a command typed
    # in it reads the same journal.
    done = run(site_b, "log\nq\n", "--journal", url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Öppna servicefönstret nu?" not in done.stdout
    assert "förhandsavisering" in done.stdout  # the log's announce entry, in Swedish
    assert "error" not in done.stderr
    assert "hemligt" not in done.stdout + done.stderr
    assert no_local_run(site_b)


def test_run_on_a_shared_journal_without_the_night_offers_to_open_it(
    url: str, tmp_path: Path
) -> None:
    done = run(tmp_path / "b", "n\n", GONOGO_JOURNAL_URL=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Ingen övning av 21.0 än. Öppna servicefönstret nu? [j/N]" in done.stdout
    assert announced(url) == 0


@pytest.mark.parametrize("how", ["environment", "option"])
def test_announce_list_on_an_unreachable_journal_is_an_error(
    gone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    args = ("--list",)
    if how == "environment":
        monkeypatch.setenv("GONOGO_JOURNAL_URL", gone)
    else:
        args += ("--journal", gone)
    code, out, err = announce(tmp_path, "2021-11-20T22:05:00Z", *args)
    assert code == 1, out + err
    assert out == ""
    error = [line for line in err.splitlines() if line.startswith("gonogo: error:")]
    assert len(error) == 1, err
    assert f"the journal database {gone.replace('hemligt', '***')} failed" in error[0]
    assert "hemligt" not in err
    assert "Traceback" not in err
    assert no_local_run(tmp_path)


@pytest.mark.parametrize("how", ["environment", "option"])
def test_run_on_an_unreachable_journal_names_it_and_asks_nothing(
    gone: str, tmp_path: Path, how: str
) -> None:
    state = tmp_path / "b"
    if how == "environment":
        done = run(state, "y\ny\nq\n", GONOGO_JOURNAL_URL=gone)
    else:
        done = run(state, "y\ny\nq\n", "--journal", gone)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout == ""  # no question, no status screen, no prompt
    error = [line for line in done.stderr.splitlines() if line.startswith("gonogo: error:")]
    assert len(error) == 1, done.stderr
    assert f"the journal database {gone.replace('hemligt', '***')} failed" in error[0]
    assert "hemligt" not in done.stderr
    assert "Traceback" not in done.stderr
    assert no_local_run(state)
