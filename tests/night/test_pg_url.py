"""Journal URLs in messages: the password is never shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gonogo.night.pg_url import is_url, masked, masked_command, scrub
from servers.gonogo_forks import gonogo as forked

RUNBOOK = Path(__file__).resolve().parents[2] / "runbooks" / "release-21.0.yaml"

COMMANDS = [["status"], ["journal", "copy", "--from", "st", "--to", "URL"],
            ["journal", "copy", "--from", "URL", "--to", "st"], ["publish", "--out", "site"],
            ["--debug", "status"]]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://anna:hemligt@db.example.org/gonogo",
         "postgresql://anna:***@db.example.org/gonogo"),
        ("postgresql://anna@db.example.org:5433/gonogo", "postgresql://anna@db.example.org:5433/gonogo"),
        ("postgres://a:p%40ss@h/d?sslmode=require", "postgres://a:***@h/d?sslmode=require"),
        ("postgresql://h/d?user=a&password=hemligt", "postgresql://h/d?user=a&password=***"),
        ("postgresql://a:x@y@h/d", "postgresql://a:***@h/d"),
    ],
)  # fmt: skip
def test_the_password_is_masked(url: str, shown: str) -> None:
    assert masked(url) == shown
    assert is_url(url)


def test_a_command_line_is_masked_and_messages_scrubbed() -> None:
    argv = ["gonogo", "go", "1", "--journal", "postgresql://a:hemligt@h/d"]
    assert "hemligt" not in masked_command(argv)
    assert scrub("failed for hemligt", "postgresql://a:hemligt@h/d") == "failed for ***"
    assert not is_url("host=h password=hemligt")


@pytest.mark.parametrize(
    ("url", "secret", "shown"),
    [
        ("postgresql://localhost/gonogo?port=1&password=s3cret&user=ops@site", "s3cret",
         "postgresql://localhost/gonogo?port=1&password=***&user=ops@site"),
        ("postgresql://anna@db/gonogo?password=Pa@ss99", "Pa@ss99",
         "postgresql://anna@db/gonogo?password=***"),
        ("postgresql://db/x?user=a@b&password=hemligt", "hemligt",
         "postgresql://db/x?user=a@b&password=***"),
        # What is the user part is unclear: more is hidden, never the password shown.
        ("postgresql://anna:hemligt@db/x?application_name=a@b", "hemligt",
         "postgresql://anna:***@b"),
    ],
)  # fmt: skip
def test_an_at_sign_after_the_host_never_shows_the_password(
    url: str, secret: str, shown: str
) -> None:
    """libpq reads `@` in the query as text; it must not end the user part here."""
    assert masked(url) == shown
    assert secret not in masked_command(["gonogo", "status", f"--journal={url}"])
    assert secret not in scrub(f'failed: {url} said {secret} in URI: "{url}"', url)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://anna:PgSecret77@[::1", "postgresql://anna:***@[::1"),
        ("postgresql://anna:Pg/Sec?ret@h/d", "postgresql://anna:***@h/d"),
        ("postgresql://anna:p%zz@h/d", "postgresql://anna:***@h/d"),
        ("postgresql://h/d?password=q%00z&sslmode=x=y", "postgresql://h/d?password=***&sslmode=x=y"),
    ],
)  # fmt: skip
def test_a_url_nobody_can_parse_is_masked_too(url: str, shown: str) -> None:
    assert masked(url) == shown
    argv = ["gonogo", "status", f"--journal={url}"]
    assert masked_command(argv) == f"gonogo status --journal={shown}"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://anna:PgSecret77@[::1",
        "postgresql://anna:PgSecret77%zz@localhost/d",
        "postgresql://anna@localhost/d?password=PgSecret77%00",
        "postgresql://anna@localhost/d?password=PgSecret77=x",
    ],
)
@pytest.mark.parametrize("args", COMMANDS)
def test_a_malformed_journal_url_is_said_so_without_its_password(
    tmp_path: Path, url: str, args: list[str]
) -> None:
    rehearsal = forked(["start", str(RUNBOOK), "--dry-run", "--yes", "--state-dir", "st"],
                       cwd=tmp_path)  # fmt: skip
    assert rehearsal.returncode == 0, rehearsal.stderr
    argv = [url if a == "URL" else a for a in args]
    env = {**os.environ, "GONOGO_JOURNAL_URL": url}
    done = forked([*argv, "--dry-run"], cwd=tmp_path, env=env)
    assert done.returncode == 1, done.stderr
    assert "PgSecret77" not in done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("gonogo: error:")]
    assert errors, done.stderr
    assert errors[0].startswith("gonogo: error: the journal URL postgresql://anna"), errors
    assert "cannot be read" in errors[0]
    assert "the journal database the journal database" not in done.stderr
    assert "when the database is back" not in done.stderr


def test_journal_copy_refuses_a_url_of_another_scheme_without_showing_it(tmp_path: Path) -> None:
    rehearsal = forked(["start", str(RUNBOOK), "--dry-run", "--yes", "--state-dir", "st"],
                       cwd=tmp_path)  # fmt: skip
    assert rehearsal.returncode == 0, rehearsal.stderr
    typo = "postgressql://anna:PgSecret77@h/d"
    done = forked(["journal", "copy", "--from", "st", "--to", typo, "--dry-run"], cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "PgSecret77" not in done.stdout + done.stderr
    assert "--to must be a state directory or begin with postgresql://" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["st"]  # no directory made of it
