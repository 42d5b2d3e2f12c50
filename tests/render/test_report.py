"""The release report from a scripted night's journal: every section, in Markdown and HTML."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from freezegun import freeze_time

from gonogo.cli import main
from gonogo.night.journal import Journal
from render import completed_night, rollback_night

AFTER = "2021-11-28T12:00:00Z"  # the follow-up meeting: every night here is over by then


def report(state: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    with freeze_time(AFTER):
        code = main(["report", "--state-dir", str(state), "--dry-run", *args])
    out = capsys.readouterr().out
    assert code == 0, out
    return out


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("night")
    completed_night(state)
    return state


@pytest.fixture(scope="module")
def rolled_back(tmp_path_factory: pytest.TempPathFactory) -> Path:
    state = tmp_path_factory.mktemp("rollback")
    rollback_night(state)
    return state


def test_markdown_outcome_and_timeline(night: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = report(night, capsys)
    assert md.startswith("# Release 21.0: Release 21.0 av tjänsteplattformen (rehearsal)\n")
    assert "**Outcome:** completed" in md
    assert "- Actual window: 2021-11-27 23:00 – 2021-11-28 05:30" in md
    rows = {line.split(" | ")[0]: line for line in md.splitlines() if line.startswith("| ")}
    assert rows["| 2 Databasmigrering inklusive verifiering"].endswith(
        "| 00:00–02:00 | 00:05 | 02:20 | 5 min late | 20 min late | GO | bertil | – |"
    )
    assert rows["| 5 Extern verifiering (produktionsverifiering)"].endswith(
        "| GO (verification overridden) | anna | Örebro verifierar i morgon |"
    )


def test_markdown_messages_incidents_verification_lights(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md = report(night, capsys)
    assert (
        "| 02:20 | part_completed-part2 | bertil | 34 | Apotek email 5; Apotek sms 5; "
        "Intern (E-hälsomyndigheten) email 5; Intern (E-hälsomyndigheten) sms 5; "
        "Vårdgivare email 7; Vårdgivare sms 7 | 0 |"
    ) in md
    assert "No delivery failed." in md
    # A '|' in an operator's text does not break the Markdown table; the heading keeps it.
    assert "### INC-1: Förskrivning går långsamt | test" in md
    assert "- Opened 2021-11-28 01:40 by anna; resolved 2021-11-28 02:40; duration 60 min" in md
    assert "- **1 overdue update(s)**" in md
    assert "- 02:25 anna: Felsökning pågår i <db01> (**15 min overdue**)" in md
    assert "Started: 04:05; gates part `ev`; production verification failed for Region" in md
    assert "| orebro | fail | 05:00 | anna | NCS Cross svarar inte |" in md
    assert "| 07:30 | E-recept | red | incident INC-2 opened | anna |" in md
    assert "| 05:30 | VARA-export | green | window ended | anna |" in md


def test_markdown_downtime_against_the_targets(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md = report(night, capsys)
    assert "## Downtime and availability (November 2021)" in md
    assert "Red counts as down, yellow as degraded. Only downtime outside the planned window" in md
    # 23:00-05:30 inside the window; INC-2's 30 minutes at 07:30 are outside it. November
    # has 43200 minutes, 42720 without the 8-hour window: 99.9 % allows 42.72 minutes.
    assert (
        "| E-recept | A | 390 min | 30 min | 0 / 0 min | 99.93 % | 99.9 % met | 30 of 43 min |"
    ) in md
    assert "| Klas | B | 390 min | 0 min | 0 / 0 min | 100 % | 98 % met | 0 of 854 min |" in md


def test_rollback_night(rolled_back: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = report(rolled_back, capsys)
    assert "**Outcome:** rolled back" in md
    assert "| NOGO | anna | Migreringen misslyckades |" in md
    assert "| 07:20 | rollback_completed | anna |" in md
    # The rollback ended 20 minutes after the window: that counts against the target.
    assert "| E-recept | A | 480 min | 20 min | 0 / 0 min | 99.953 % | 99.9 % met |" in md
    html = report(rolled_back, capsys, "--format", "html")
    assert '<rect class="rollback"' in html
    assert '<rect class="nogo"' in html


def test_failed_deliveries_with_reasons(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    shutil.copytree(night, state)
    journal = Journal.open(state / "21.0" / "rehearsal" / "journal.sqlite")
    try:
        first = journal.deliveries()[0]
        journal.mark(
            first.id, "failed", dt.datetime(2021, 11, 27, 22, 1, tzinfo=dt.UTC),
            code="30003", reason="Unreachable destination handset",
        )  # fmt: skip
    finally:
        journal.close()
    md = report(state, capsys)
    assert (
        f"- 23:00 window_started: {first.channel} to {first.name} ({first.audience}) failed "
        "[30003]: Unreachable destination handset"
    ) in md
    html = report(state, capsys, "--format", "html")
    assert "1 failed deliveries" in html


def test_html_is_one_escaped_self_contained_file(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    report(night, capsys, "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "Felsökning pågår i &lt;db01&gt;" in html
    assert "<db01>" not in html
    # No external stylesheet, script, image or font: the file stands alone.
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html
    assert "<style>" in html
    assert '<svg viewBox="0 0 980 ' in html
    for kind in ("window", "planned", "go", "major", "update"):
        assert f'<rect class="{kind}"' in html
    assert html.count('<rect class="planned"') == 5
    assert "<title>window end</title>" in html
    assert "<title>point of no return</title>" in html
    assert "Red counts as down, yellow as degraded." in html


def test_report_without_a_run_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--state-dir", str(tmp_path)]) == 1
    assert "gonogo: error: no run in" in capsys.readouterr().err
