"""`gonogo announce --list` through a moved window: what went out, when, by whom, to how
many and for which window, and whether it is due again; Swedish for 21.0, English for an
English copy, readable at 80 columns."""

from __future__ import annotations

from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import pytest
from freezegun import freeze_time

import gonogo.runbook.model  # pydantic's models before freezegun (PRODUCT.md)
from gonogo.cli import main
from render import english_runbook

RUNBOOK = Path(__file__).resolve().parents[2] / "runbooks" / "release-21.0.yaml"


def gonogo(state: Path, when: str, *args: str) -> str:
    """One command at the UTC instant `when` (21.0 opens 2021-11-27T22:00); it succeeds."""
    out = StringIO()
    with freeze_time(when), redirect_stdout(out), redirect_stderr(out):
        code = main([*args, "--state-dir", str(state), "--dry-run"])
    assert code == 0, out.getvalue()
    return out.getvalue()


def moved(state: Path, runbook: Path, columns: int, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The week's notice goes out, the window moves a week on: `--list` just after, then
    when the week's notice is due again, after it went out again, after a cancel."""
    monkeypatch.setenv("COLUMNS", str(columns))
    gonogo(state, "2021-11-20T22:05:00Z", "announce", str(runbook), "--yes", "--by", "anna")
    gonogo(state, "2021-11-21T10:00:00Z", "reschedule", "--date", "2021-12-04",
           "--reason", "ett fel i förberedelserna", "--yes")  # fmt: skip
    lists = [gonogo(state, "2021-11-21T10:01:00Z", "announce", str(runbook), "--list")]
    lists.append(gonogo(state, "2021-11-27T22:05:00Z", "announce", str(runbook), "--list"))
    gonogo(state, "2021-11-27T22:06:00Z", "announce", str(runbook), "--yes", "--by", "bertil")
    gonogo(state, "2021-12-01T10:00:00Z", "reschedule", "--date", "2021-12-11",
           "--reason", "igen", "--yes")  # fmt: skip
    lists.append(gonogo(state, "2021-12-10T23:00:00Z", "announce", str(runbook), "--list"))
    gonogo(state, "2021-12-11T10:00:00Z", "cancel", "--reason", "beslut", "--yes")
    lists.append(gonogo(state, "2021-12-11T10:01:00Z", "announce", str(runbook), "--list"))
    return lists


def test_a_notice_sent_before_the_window_moved_says_so_in_swedish_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    after, due, again, cancelled = (
        o.splitlines() for o in moved(tmp_path, RUNBOOK, 80, monkeypatch)
    )
    assert after == [
        "Servicefönstret börjar 2021-12-04 23:00 (Europe/Stockholm).",
        "vecka        7d före      2021-11-27 23:00  kommande igen",
        "    skickad 2021-11-20 23:05 av anna, till 34 mottagare,",
        "    för servicefönstret då planerat till 2021-11-27 23:00",
        "dygn         24h före     2021-12-03 23:00  kommande",
        "timme        1h före      2021-12-04 22:00  kommande",
    ]
    assert due[1:4] == [
        "vecka        7d före      2021-11-27 23:00  ska skickas igen nu",
        "    skickad 2021-11-20 23:05 av anna, till 34 mottagare,",
        "    för servicefönstret då planerat till 2021-11-27 23:00",
    ]
    # Sent again for the moved window, then moved once more: the latest send, and a
    # status too long for one line with the notice goes under it.
    assert again[1:7] == [
        "vecka        7d före      2021-12-04 23:00",
        "    försenad (ej skickad igen; --send-late)",
        "    skickad 2021-11-27 23:06 av bertil, till 34 mottagare,",
        "    för servicefönstret då planerat till 2021-12-04 23:00",
        "dygn         24h före     2021-12-10 23:00  ska skickas nu",
        "timme        1h före      2021-12-11 22:00  kommande",
    ]
    assert cancelled[1:4] == [
        "vecka        7d före      2021-12-04 23:00",
        "    ej skickad igen; servicefönstret inställt",
        "    skickad 2021-11-27 23:06 av bertil, till 34 mottagare,",
    ]
    assert cancelled[5:] == [
        "dygn         24h före     2021-12-10 23:00  ej skickad; servicefönstret inställt",
        "timme        1h före      2021-12-11 22:00  ej skickad; servicefönstret inställt",
    ]
    for line in after + due + again + cancelled:
        assert len(line) <= 80, line


def test_in_english_a_moved_notice_stands_on_one_line_where_it_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = english_runbook(tmp_path)
    after, due, _, cancelled = moved(tmp_path / "state", english, 200, monkeypatch)
    assert after.splitlines() == [
        "Window starts 2021-12-04 23:00 (Europe/Stockholm).",
        "vecka        7d before    2021-11-27 23:00  coming again; sent 2021-11-20 23:05 by "
        "anna, to 34 recipient(s), for the window then at 2021-11-27 23:00",
        "dygn         24h before   2021-12-03 23:00  coming",
        "timme        1h before    2021-12-04 22:00  coming",
    ]
    assert "  due again now; sent 2021-11-20 23:05 by anna" in due
    assert "  not sent again; the window is cancelled; sent 2021-11-27 23:06 by bertil" in (
        cancelled
    )


def test_in_english_at_80_columns_the_fields_go_on_their_own_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    english = english_runbook(tmp_path)
    lists = moved(tmp_path / "state", english, 80, monkeypatch)
    assert lists[0].splitlines()[1:4] == [
        "vecka        7d before    2021-11-27 23:00  coming again",
        "    sent 2021-11-20 23:05 by anna, to 34 recipient(s),",
        "    for the window then at 2021-11-27 23:00",
    ]
    for line in "".join(lists).splitlines():
        assert len(line) <= 80, line


def test_the_english_schedule_is_as_before_where_nothing_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's English, byte for byte, where a window never moved (piped: 120 columns)."""
    monkeypatch.setenv("COLUMNS", "120")
    english, state = str(english_runbook(tmp_path)), tmp_path / "state"
    gonogo(state, "2021-11-20T22:05:00Z", "announce", english, "--yes", "--by", "anna")
    gonogo(state, "2021-11-27T21:01:00Z", "announce", english, "--yes", "--by", "anna")
    assert gonogo(state, "2021-11-27T21:02:00Z", "announce", english, "--list") == (
        "Window starts 2021-11-27 23:00 (Europe/Stockholm).\n"
        "vecka        7d before    2021-11-20 23:00  sent 2021-11-20 23:05 by anna, to 34 "
        "recipient(s)\n"
        "dygn         24h before   2021-11-26 23:00  late (not sent; --send-late)\n"
        "timme        1h before    2021-11-27 22:00  sent 2021-11-27 22:01 by anna, to 17 "
        "recipient(s)\n"
    )
    gonogo(state, "2021-11-27T22:00:00Z", "start", english, "--yes", "--by", "anna")
    out = gonogo(state, "2021-11-27T22:01:00Z", "announce", english, "--list")
    assert "dygn         24h before   2021-11-26 23:00  not sent; the window has begun\n" in out
