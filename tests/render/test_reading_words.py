"""What `log`, `deliveries`, `incident list`, `lights` and `verify` print, through a 21.0
rehearsal on a fixed clock: Swedish for 21.0, today's English for an English copy of it.
Ids, names, event names and commands stay as they are in both."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from gonogo.cli import runner
from gonogo.night import clock as clocks

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"
T0 = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)  # 23:00 in Stockholm
READING = (("log",), ("deliveries",), ("incident", "list"), ("lights",), ("verify",))


def read_night(runbook: Path, state: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A night to 04:30: a light set by hand, an incident resolved and one overdue, a
    failed verification report a later one replaced; what each reading command prints."""
    monkeypatch.setenv("COLUMNS", "200")  # no line wraps
    run = runner()

    def at(minute: int, *args: str) -> str:
        with clocks.using(clocks.FixedClock(T0 + dt.timedelta(minutes=minute))):
            code, out = run([*args, "--dry-run", "--state-dir", str(state)])
        assert code == 0, out
        return out

    def act(minute: int, *args: str) -> None:
        at(minute, *args, "--yes", "--by", "anna")

    act(0, "start", str(runbook))
    act(10, "lights", "set", "lakemedelskollen", "yellow", "--reason", "läsläge")
    act(65, "go", "1")
    act(70, "incident", "open", "--priority", "3", "--summary", "Klas är seg",
        "--services", "klas")  # fmt: skip
    act(80, "incident", "resolve", "INC-1")
    act(160, "incident", "open", "--priority", "2", "--summary", "Förskrivning går långsamt",
        "--services", "erecept")  # fmt: skip
    act(200, "go", "2")
    act(230, "go", "3")
    act(300, "go", "4")
    act(305, "verify", "start")
    act(310, "verify", "dalarna", "fail", "--note", "Makulering misslyckades")
    act(320, "verify", "dalarna", "ok")
    return {" ".join(command): at(330, *command) for command in READING}


def cells(text: str, first: str) -> list[str]:
    """The cells of the table row (or heading) whose first cell is `first`."""
    for line in text.splitlines():
        found = [c.strip() for c in re.split(r"[│┃]", line)[1:-1]]
        if found and found[0] == first:
            return found
    raise AssertionError(f"no row {first!r} in\n{text}")


def aligned(log: str) -> None:
    """Every entry: the time, the operator in 12 columns, what happened (a message
    indented under its decision)."""
    for line in log.splitlines()[1:]:
        assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  anna {9}(\S|  \S)", line), line


def test_21_0_reads_in_swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = read_night(RUNBOOK, tmp_path / "state", monkeypatch)
    log = shown["log"]
    aligned(log)
    for line in (
        "Journal för 21.0 (övning), Europe/Stockholm",
        "2021-11-27 23:00:00  anna         start",
        "2021-11-27 23:00:00  anna           meddelande window_started: 37 skickade",
        "2021-11-27 23:10:00  anna         trafikljus satt lakemedelskollen gul: läsläge",
        "2021-11-28 00:05:00  anna         Go del 1",
        "2021-11-28 00:05:00  anna           meddelande part_completed del 1: 34 skickade",
        '2021-11-28 00:10:00  anna         driftstörning öppnad INC-1 P3 "Klas är seg"',
        "2021-11-28 00:20:00  anna         driftstörning åtgärdad INC-1",
        "2021-11-28 04:05:00  anna         produktionsverifiering startad",
        "2021-11-28 04:10:00  anna         återrapport dalarna misslyckad: Makulering misslyckades",
        "2021-11-28 04:20:00  anna         återrapport dalarna ok",
    ):
        assert f"{line}\n" in log, line

    deliveries = shown["deliveries"]
    assert deliveries.splitlines()[0].strip() == "Leveranser per meddelande"
    assert cells(deliveries, "Meddelande") == [
        "Meddelande", "Kanal", "Målgrupp", "Skickade", "Misslyckade", "Osäkra", "Väntar",
    ]  # fmt: skip
    assert ["window_started", "e-post", "vard", "7", "0", "0", "0"] in [
        [c.strip() for c in line.split("│")[1:-1]] for line in deliveries.splitlines()
    ]

    incidents = shown["incident list"]
    assert incidents.splitlines()[0].strip() == "Driftstörningar"
    assert cells(incidents, "Id") == [
        "Id", "P", "Sammanfattning", "Tjänster", "Öppnad", "Uppdateringar",
        "Nästa uppdatering", "Status",
    ]  # fmt: skip
    assert cells(incidents, "INC-1")[-1] == "åtgärdad 00:20"
    assert cells(incidents, "INC-2")[-2:] == ["02:10 FÖRSENAD", "öppen"]

    lights = shown["lights"]
    assert lights.splitlines()[0].strip() == "Trafikljus"
    assert cells(lights, "Tjänst") == ["Tjänst", "Ljus", "Sedan"]
    assert cells(lights, "Läkemedelskollen (lakemedelskollen)")[1:] == [
        "gul",
        "23:10 (satt för hand: läsläge)",
    ]
    assert cells(lights, "NKOO (nkoo)")[1:] == ["röd", "23:00 (servicefönstret startade)"]

    verify = shown["verify"]
    assert verify.startswith("Produktionsverifiering (startad 04:05); spärrar del 'ev'.\n")
    assert cells(verify, "Deltagare") == [
        "Deltagare", "Organisation", "System", "Resultat", "Tid", "Anteckning",
    ]  # fmt: skip
    assert cells(verify, "dalarna")[3:5] == ["ok (misslyckad 04:10)", "04:20"]
    assert "\nProduktionsverifieringen är inte klar: väntar på Apoteket AB/Rex, " in verify

    english = re.compile(
        r"Journal of|\bpart\b|\bsent\b|\bmessage\b|Deliveries|Channel|Audience|\bemail\b"
        r"|Incidents|Summary|Opened|OVERDUE|\bopen\b|\bresolved\b|Traffic lights|\bLight\b"
        r"|\bSince\b|\bred\b|yellow|set by hand|window started|Production|Participant"
        r"|\bResult\b|\bfail\b|waiting for"
    )
    for command, text in shown.items():
        assert not english.search(text), (command, english.findall(text))


def test_an_english_runbook_reads_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from render import english_runbook  # noqa: PLC0415

    shown = read_night(english_runbook(tmp_path), tmp_path / "state", monkeypatch)
    log = shown["log"]
    aligned(log)
    for line in (
        "Journal of 21.0 (rehearsal), Europe/Stockholm",
        "2021-11-27 23:00:00  anna           message window_started: 37 sent",
        "2021-11-27 23:10:00  anna         lights set lakemedelskollen yellow: läsläge",
        "2021-11-28 00:05:00  anna         go part 1",
        "2021-11-28 00:05:00  anna           message part_completed part 1: 34 sent",
        '2021-11-28 00:10:00  anna         incident opened INC-1 P3 "Klas är seg"',
        "2021-11-28 00:20:00  anna         incident resolved INC-1",
        "2021-11-28 04:05:00  anna         verification started",
        "2021-11-28 04:10:00  anna         verification report dalarna fail: Makulering "
        "misslyckades",
    ):
        assert f"{line}\n" in log, line

    deliveries = shown["deliveries"]
    assert deliveries.splitlines()[0].strip() == "Deliveries per message"
    assert cells(deliveries, "Message") == [
        "Message", "Channel", "Audience", "Sent", "Failed", "In doubt", "Pending",
    ]  # fmt: skip
    incidents = shown["incident list"]
    assert cells(incidents, "Id") == [
        "Id", "P", "Summary", "Services", "Opened", "Updates", "Next update", "State",
    ]  # fmt: skip
    assert cells(incidents, "INC-1")[-1] == "resolved 00:20"
    assert cells(incidents, "INC-2")[-2:] == ["02:10 OVERDUE", "open"]
    lights = shown["lights"]
    assert lights.splitlines()[0].strip() == "Traffic lights"
    assert cells(lights, "Läkemedelskollen (lakemedelskollen)")[1:] == [
        "yellow",
        "23:10 (set by hand: läsläge)",
    ]
    assert cells(lights, "NKOO (nkoo)")[1:] == ["red", "23:00 (window started)"]
    verify = shown["verify"]
    assert verify.startswith("Production verification (started 04:05); gates part 'ev'.\n")
    assert cells(verify, "dalarna")[3:5] == ["ok (fail 04:10)", "04:20"]
    assert "\nProduction verification is not complete: waiting for Apoteket AB/Rex, " in verify


def test_at_80_columns_labels_and_texts_are_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a laptop at 03:00 `deliveries` must tell part 1's message from part 4's, and
    `incident list` show the summary: cells wrap, nothing is cut to "…"."""
    state = tmp_path / "state"
    read_night(RUNBOOK, state, monkeypatch)
    monkeypatch.setenv("COLUMNS", "80")
    run = runner()
    with clocks.using(clocks.FixedClock(T0 + dt.timedelta(minutes=330))):
        shown = {c: run([*c, "--dry-run", "--state-dir", str(state)]) for c in READING[:3]}
    for command, (code, out) in shown.items():
        assert code == 0, out
        assert "…" not in out, command
        assert max(len(line) for line in out.splitlines()) <= 80, command
    deliveries = shown[("deliveries",)][1]
    for label in ("part_completed-part1", "part_completed-part4", "incident_opened-INC-2"):
        assert f"│ {label} " in deliveries
    incidents = " ".join(shown[("incident", "list")][1].replace("│", " ").split())
    assert "långsamt" in incidents  # the summary's last word: wrapped to, not cut off
    # The log's times stay a column: a long entry wraps under its own text.
    log = shown[("log",)][1].splitlines()[1:]
    wrapped = [line for line in log if not line.startswith("2021-")]
    assert wrapped, "an entry wider than 80 columns, to wrap"
    assert all(line.startswith(" " * 34) and line.strip() for line in wrapped), wrapped
    assert any("misslyckades" in line for line in wrapped), "\n".join(log)
