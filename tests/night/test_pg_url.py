"""Journal URLs in messages: the password is never shown."""

from __future__ import annotations

import pytest

from gonogo.night.pg_url import is_url, masked, masked_command, scrub


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
