"""The release report from a scripted night's journal: every section, in Markdown and HTML."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
from freezegun import freeze_time

from gonogo.cli import main
from gonogo.night.journal import Mark, Status
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.validate import load_valid
from render import RUNBOOK, at, completed_night, english_runbook, rollback_night, run
from render.browser import audit

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
    # In the runbook's language (sv); the title already names the release.
    assert md.startswith("# Release 21.0 av tjänsteplattformen (övning)\n")
    assert "**Utfall:** genomförd" in md
    assert (
        "- Planerat servicefönster: lördag 27 november 2021 23:00 – söndag 28 november 2021 07:00"
        " (Europe/Stockholm)"
    ) in md
    assert (
        "- Faktiskt servicefönster: lördag 27 november 2021 23:00 – söndag 28 november 2021 05:30"
    ) in md
    rows = {line.split(" | ")[0]: line for line in md.splitlines() if line.startswith("| ")}
    assert rows["| 2 Databasmigrering inklusive verifiering"].endswith(
        "| 00:00–02:00 | 00:05 | 02:20 | 5 min sent | 20 min sent | GO | bertil | – |"
    )
    assert rows["| 5 Extern verifiering (produktionsverifiering)"].endswith(
        "| GO (verifiering åsidosatt) | anna | Örebro verifierar i morgon |"
    )


def test_markdown_messages_incidents_verification_lights(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md = report(night, capsys)
    assert (
        "| 02:20 | part_completed-part2 | bertil | 34 | Apotek e-post 5; Apotek sms 5; "
        "Intern (E-hälsomyndigheten) e-post 5; Intern (E-hälsomyndigheten) sms 5; "
        "Vårdgivare e-post 7; Vårdgivare sms 7 | 0 |"
    ) in md
    assert "Ingen leverans misslyckades." in md
    # A '|' in an operator's text does not break the Markdown table; the heading keeps it.
    assert "### INC-1: Förskrivning går långsamt | test" in md
    assert "- Tjänster: E-recept\n" in md
    assert (
        "- Öppnad söndag 28 november 2021 01:40 av anna; åtgärdad söndag 28 november 2021 02:40;"
        " varaktighet 60 min"
    ) in md
    assert "- **försenade uppdateringar: 1**" in md
    assert "- 02:25 anna: Felsökning pågår i &lt;db01&gt; (**15 min försenad**)" in md
    assert (
        "Startade 04:05; spärrar del `ev`; produktionsverifieringen misslyckades för "
        "Region Örebro/NCS Cross."
    ) in md
    assert "## Produktionsverifiering\n" in md
    # Every report, each participant's together, named as the runbook names them: Dalarna's
    # failure at 04:10 stays on the record beside the pass that replaced it.
    section = md.split("## Produktionsverifiering\n")[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    assert rows == [
        "| Region Dalarna/TakeCare | misslyckad | 04:10 | anna | Makulering misslyckades |",
        "| Region Dalarna/TakeCare | ok | 04:21 | anna | – |",
        "| Apoteket AB/Rex | ok | 04:20 | anna | – |",
        "| Region Stockholm/TakeCare | ok | 04:22 | anna | – |",
        "| Region Kalmar/Cosmic | ok | 04:23 | anna | – |",
        "| Region Jönköping/Cosmic | ok | 04:24 | anna | – |",
        "| Region Norrbotten/VAS | ok | 04:25 | anna | – |",
        "| Region Örebro/NCS Cross | misslyckad | 05:00 | anna | NCS Cross svarar inte |",
    ]
    # One row per moment, not one per service: four moments, fourteen changes.
    lights = md.split("## Trafikljus\n")[1].split("##")[0]
    rows = [line for line in lights.splitlines() if line.startswith("| ") and ":" in line]
    everything = "E-recept, Klas, Läkemedelsförteckningen, Läkemedelskollen, Min förskrivning, NKOO"
    assert rows == [
        f"| 23:00 | röd: {everything}, VARA-export | servicefönstret startade | anna |",
        f"| 05:30 | grön: {everything}, VARA-export | servicefönstret avslutades | anna |",
        "| 07:30 | röd: E-recept | driftstörning INC-2 öppnad | anna |",
        "| 08:00 | grön: E-recept | driftstörning INC-2 åtgärdad | anna |",
    ]


def test_markdown_downtime_against_the_targets(
    night: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    md = report(night, capsys)
    assert "## Avbrott och tillgänglighet, november 2021" in md
    assert "Rött räknas som avbrott, gult som nedsatt funktion. Bara avbrott utanför" in md
    # 23:00-05:30 inside the window; INC-2's 30 minutes at 07:30 are outside it. November
    # has 43200 minutes, 42720 without the 8-hour window: 99.9 % allows 42.72 minutes.
    assert (
        "| E-recept | A | 390 min | 30 min | 0 / 0 min | 99,93 % | 99,9 % uppfyllt | 30 av 43 min |"
    ) in md
    assert "| Klas | B | 390 min | 0 min | 0 / 0 min | 100 % | 98 % uppfyllt | 0 av 854 min |" in md


def test_rollback_night(rolled_back: Path, capsys: pytest.CaptureFixture[str]) -> None:
    md = report(rolled_back, capsys)
    assert "**Utfall:** tillbakarullad" in md
    assert "| 01:30 | i tid | 30 min tidigt | NOGO | anna | Migreringen misslyckades |" in md
    assert "| 07:20 | rollback_completed | anna |" in md
    # The rollback ended 20 minutes after the window: that counts against the target.
    assert "| E-recept | A | 480 min | 20 min | 0 / 0 min | 99,953 % | 99,9 % uppfyllt |" in md
    # Rolled back before verification: no section about a verification that never began.
    assert "## Produktionsverifiering" not in md
    assert "väntar på" not in md
    html = report(rolled_back, capsys, "--format", "html")
    assert '<rect class="rollback"' in html
    assert '<rect class="nogo"' in html
    assert "<title>tillbakarullning</title>" in html
    assert "Produktionsverifiering" not in html


def test_failed_deliveries_with_reasons(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    shutil.copytree(night, state)
    journal = SqliteJournal.open(state / "21.0" / "rehearsal" / "journal.sqlite")
    try:
        first = journal.deliveries()[0]
        journal.mark_many(
            [Mark(first.id, Status.FAILED, code="30003", reason="Unreachable destination handset")],
            dt.datetime(2021, 11, 27, 22, 1, tzinfo=dt.UTC),
        )
    finally:
        journal.close()
    md = report(state, capsys)
    channel = {"sms": "sms", "email": "e-post"}[first.channel]
    assert (
        f"- 23:00 window_started: {channel} till {first.name} ({first.audience}) misslyckades "
        "[30003]: Unreachable destination handset"
    ) in md
    html = report(state, capsys, "--format", "html")
    assert "1 misslyckade leveranser" in html


def test_html_is_one_escaped_self_contained_file(
    night: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.html"
    report(night, capsys, "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="sv">')
    assert "<title>Release 21.0 av tjänsteplattformen – rapport</title>" in html
    assert "Release 21.0: Release 21.0" not in html
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
    # Dalarna's failed verification report stays in the HTML report too, by name.
    assert (
        '<td data-label="Deltagare">Region Dalarna/TakeCare</td><td data-label="Resultat" '
        'class="nogo">misslyckad</td><td data-label="Klockan">04:10</td><td data-label="Av">'
        'anna</td><td data-label="Anteckning">Makulering misslyckades</td>'
    ) in html
    assert ">dalarna<" not in html
    assert "<title>servicefönstret slutar</title>" in html
    assert "<title>point of no return</title>" in html
    assert "<title>faktisk 00:05–02:20 go</title>" in html
    assert "Rött räknas som avbrott, gult som nedsatt funktion." in html
    # Each cell says what it is, for the phone layout where the header row is hidden.
    assert '<td data-label="Ansvarig">Team Databas</td>' in html


def test_report_without_a_run_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--state-dir", str(tmp_path)]) == 1
    assert "gonogo: error: no run in" in capsys.readouterr().err


def test_report_in_english_for_an_english_runbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    english = english_runbook(tmp_path)
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(english))
    run(state, at(28, "00:00"), "go", "1")
    run(state, at(28, "01:30"), "nogo", "2", "--reason", "Migration failed")
    md = report(state, capsys)
    assert md.startswith("# Release 21.0 av tjänsteplattformen (rehearsal)\n")
    assert "**Outcome:** not finished (rolling back)" in md
    assert "- Planned window: Saturday 27 November 2021 23:00 – Sunday 28 November 2021 07:00" in md
    assert "| 01:30 | on time | 30 min early | NOGO | anna | Migration failed |" in md
    assert "| 01:30 | red: " not in md
    assert "## Downtime and availability, November 2021" in md
    # Still rolling back at noon: five hours outside the window miss the A-class target.
    assert "| 99.9 % **missed** | 360 of 43 min |" in md
    html = report(state, capsys, "--format", "html")
    assert '<html lang="en">' in html
    assert "<title>window end</title>" in html


def test_verification_not_started_while_the_night_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state"
    load_valid(RUNBOOK)
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    md = report(state, capsys)
    section = md.split("## Produktionsverifiering\n")[1].split("##")[0]
    assert section.strip().startswith("Startade inte startad; spärrar del `ev`;")
    assert "väntar på Apoteket AB/Rex, " in section
    assert "Inga återrapporter." in section


@pytest.fixture(scope="module")
def pages(
    night: Path, rolled_back: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pages")
    found = {}
    for name, state in (("night", night), ("rollback", rolled_back)):
        found[name] = folder / f"{name}.html"
        with freeze_time(AFTER):
            args = ["--state-dir", str(state), "--dry-run", "--out", str(found[name])]
            assert main(["report", "--format", "html", *args]) == 0
    return found


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("name", ["night", "rollback"])
def test_report_in_chromium_is_clean_under_axe_core(
    pages: dict[str, Path], name: str, width: int
) -> None:
    result = audit(pages[name], width)
    assert result["viewport"] == width
    serious = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    # Nothing scrolls sideways and no table is cut (a scrollbar takes up to 15 px).
    assert result["width"] <= width
    assert result["rightmost"] <= width


def test_the_audit_finds_what_the_issue_found(tmp_path: Path) -> None:
    """The harness can fail: the old green on white and a wide table, at 390 px."""
    page = tmp_path / "bad.html"
    cells = "".join(f"<td>column-{n}-with-long-words</td>" for n in range(9))
    page.write_text(
        '<!DOCTYPE html><html lang="sv"><head><meta name="viewport" '
        'content="width=device-width, initial-scale=1"><title>t</title></head><body><main>'
        '<p style="color:#1e8e3e;background:#fff">genomförd</p>'
        f"<table><tr>{cells}</tr></table></main></body></html>",
        encoding="utf-8",
    )
    result = audit(page, 390)
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == ["color-contrast"]
    assert result["width"] > 390


@pytest.mark.parametrize(
    ("steps", "words"),
    [
        ([], "inte avslutad (del 1 pågår)"),
        ([("00:10", "go", "1")], "inte avslutad (del 2 pågår)"),
        ([("00:10", "nogo", "1", "--reason", "fel")], "inte avslutad (tillbakarullning pågår)"),
    ],
)
def test_an_unfinished_night_says_where_it_stands_in_the_runbooks_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], steps: list[tuple[str, ...]], words: str
) -> None:
    """Not the state machine's names ("läge part_2") in a Swedish report."""
    state = tmp_path / "state"
    run(state, at(27, "23:00"), "start", str(RUNBOOK))
    for clock, *args in steps:
        run(state, at(28, clock), *args)
    md = report(state, capsys)
    assert f"**Utfall:** {words}\n" in md
    assert "part_" not in md.split("**Utfall:**")[1].split("\n")[0]


def test_verify_table_shows_who_failed_before_the_latest_report(
    night: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # unwrapped: pytest-xdist's workers set 80
    capsys.readouterr()
    with freeze_time(AFTER):
        assert main(["verify", "--state-dir", str(night), "--dry-run"]) == 0
    rows = {line.split("│")[1].strip(): line for line in capsys.readouterr().out.splitlines()
            if line.startswith("│")}  # fmt: skip
    assert "ok (misslyckad 04:10)" in rows["dalarna"]  # 21.0: the report's Swedish words
    assert "(" not in rows["stockholm"]
