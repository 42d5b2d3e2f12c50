"""Incidents, disruptions, lights and production verification, end to end through the CLI.

Every command is `gonogo.cli.main` in this process, on a clock freezegun freezes and
moves. Rehearsals (`--dry-run`) are read back from the journal; one whole night goes
through the real channels to the Twilio-compatible server and aiosmtpd.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory, StepTickTimeFactory

from documented_json import checked
from gonogo.cli import main
from gonogo.runbook.validate import load_valid
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

RUNBOOKS = Path(__file__).resolve().parents[2] / "runbooks"
RUNBOOK = RUNBOOKS / "release-21.0.yaml"
# pydantic must build its models before freezegun is entered (PRODUCT.md).
load_valid(RUNBOOK)

PARTICIPANTS = (
    "apoteket-ab",
    "dalarna",
    "stockholm",
    "kalmar",
    "jonkoping",
    "norrbotten",
    "orebro",
)
SERVICES = (
    "erecept", "lakemedelsforteckningen", "min-forskrivning", "klas", "nkoo",
    "lakemedelskollen", "vara-export",
)  # fmt: skip
ALL_RED = dict.fromkeys(SERVICES, "red")
ALL_GREEN = dict.fromkeys(SERVICES, "green")
SUMMARY = "Receptregistret svarar inte"


def local(hhmm: str, day: int = 28) -> str:
    """An instant of the night of 27-28 November 2021 in Stockholm (UTC+1)."""
    return f"2021-11-{day} {hhmm}:00+01:00"


def recipients(audience: str, column: str) -> set[str]:
    with (RUNBOOKS / "recipients" / f"{audience}.csv").open(encoding="utf-8") as f:
        return {row[column] for row in csv.DictReader(f) if row[column]}


@dataclass
class Done:
    code: int
    out: str
    err: str


@dataclass
class Night:
    """The CLI on one state directory, with the frozen clock to move."""

    state: Path
    clock: FrozenDateTimeFactory | StepTickTimeFactory
    capsys: pytest.CaptureFixture[str]
    monkeypatch: pytest.MonkeyPatch
    dry_run: bool = True

    def at(self, hhmm: str, day: int = 28) -> None:
        self.clock.move_to(local(hhmm, day))

    def __call__(self, *args: str, yes: bool = True, answer: str | None = None) -> Done:
        argv = [*args, "--state-dir", str(self.state)]
        argv += ["--dry-run"] if self.dry_run else []
        argv += ["--yes"] if yes else []
        if answer is not None:
            self.monkeypatch.setattr("sys.stdin", io.StringIO(answer))
        self.capsys.readouterr()
        code = main(argv)
        out, err = self.capsys.readouterr()
        assert "Traceback" not in out + err
        return Done(code, out, err)

    def ok(self, *args: str, **kwargs: Any) -> Done:
        done = self(*args, **kwargs)
        assert done.code == 0, (args, done.out, done.err)
        return done

    def look(self, *args: str) -> Done:
        """A read-only command: no --yes."""
        return self.ok(*args, yes=False)

    def status(self) -> dict[str, Any]:
        return checked("status", self.look("status", "--json").out)

    def journal(self) -> Path:
        return self.state / "21.0" / ("rehearsal" if self.dry_run else "real") / "journal.sqlite"

    def query(self, sql: str, *params: object) -> list[sqlite3.Row]:
        with closing(sqlite3.connect(self.journal())) as db:
            db.row_factory = sqlite3.Row
            return db.execute(sql, params).fetchall()

    def events(self) -> list[tuple[str, str | None, dict[str, Any]]]:
        rows = self.query("SELECT kind, reason, data FROM events ORDER BY seq")
        return [(r["kind"], r["reason"], json.loads(r["data"])) for r in rows]

    def sent(self, event: str) -> list[sqlite3.Row]:
        """The deliveries of every dispatch of `event`, in order."""
        return self.query(
            "SELECT d.* FROM deliveries d JOIN events e ON e.seq = d.dispatch"
            " WHERE json_extract(e.data, '$.event') = ? ORDER BY d.id",
            event,
        )

    def texts(self, event: str) -> dict[tuple[str, str], set[tuple[str | None, str]]]:
        """(channel, audience) -> the distinct (subject, body) the event sent them."""
        found: dict[tuple[str, str], set[tuple[str | None, str]]] = {}
        for row in self.sent(event):
            found.setdefault((row["channel"], row["audience"]), set()).add(
                (row["subject"], row["body"])
            )
        return found

    def snapshot(self) -> tuple[object, ...]:
        """Everything a refused command must leave as it was."""
        return (
            [tuple(r) for r in self.query("SELECT * FROM events ORDER BY seq")],
            [tuple(r) for r in self.query("SELECT * FROM deliveries ORDER BY id")],
            [tuple(r) for r in self.query("SELECT * FROM delivery_log ORDER BY seq")],
        )


@pytest.fixture
def night(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Night]:
    """A rehearsal of release 21.0 started at 23:00, on a frozen clock."""
    monkeypatch.setenv("COLUMNS", "200")  # tables unwrapped, whatever the terminal
    # _pytest: its own timings (--durations) stay real.
    with freeze_time(local("23:00", 27), ignore=["_pytest"]) as clock:
        cli = Night(tmp_path / "state", clock, capsys, monkeypatch)
        cli.ok("start", str(RUNBOOK), "--by", "anna")
        yield cli


def light_rows(night: Night) -> dict[str, list[str]]:
    """`gonogo lights` as service -> [light, since]."""
    rows = {}
    for line in night.look("lights").out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) == 3 and cells[0] != "Tjänst":
            rows[cells[0]] = cells[1:]
    return rows


def go_through(night: Night, last: int) -> None:
    """Go for parts 1..last, each at its planned end."""
    ends = {1: "00:30", 2: "02:00", 3: "02:45", 4: "04:00"}
    for number in range(1, last + 1):
        night.at(ends[number])
        night.ok("go", str(number))


def verify_all(night: Night) -> None:
    night.ok("verify", "start")
    for participant in PARTICIPANTS:
        night.ok("verify", participant, "ok")


# --- the update clock of major incidents -----------------------------------------------


def test_a_p1_incident_is_overdue_after_30_minutes_until_updated(night: Night) -> None:
    night.at("01:10")
    done = night.ok("incident", "open", "--priority", "1", "--summary", SUMMARY,
                    "--services", "erecept")  # fmt: skip
    assert "Driftstörning INC-1 öppnad." in done.out

    night.at("01:40")
    (incident,) = night.status()["incidents"]
    assert (incident["id"], incident["priority"], incident["major"]) == ("INC-1", 1, True)
    assert incident["next_update_due"] == "2021-11-28T01:40:00+01:00"
    assert incident["overdue"] is False

    night.at("01:41")
    (incident,) = night.status()["incidents"]
    assert incident["next_update_due"] == "2021-11-28T01:40:00+01:00"
    assert incident["overdue"] is True
    assert "uppdateringen FÖRSENAD sedan 01:40 (+1 min)" in night.look("status").out
    (listed,) = checked("incidents", night.look("incident", "list", "--json").out)["incidents"]
    assert (listed["id"], listed["overdue"]) == ("INC-1", True)

    night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår")
    (incident,) = night.status()["incidents"]
    assert incident["next_update_due"] == "2021-11-28T02:11:00+01:00"
    assert incident["overdue"] is False
    assert "nästa uppdatering senast 02:11" in night.look("status").out
    # The texts promise the next update at the new time.
    vard_sms = night.texts("incident_updated")[("sms", "vard")]
    assert vard_sms == {
        (None, "Uppföljning driftstörning: Felsökning pågår. Berörda tjänster: E-recept. "
               "Vi arbetar fortfarande med felet och återkommer senast kl 02:11.")
    }  # fmt: skip

    night.at("02:12")
    assert night.status()["incidents"][0]["overdue"] is True
    night.ok("incident", "resolve", "INC-1", "--summary", "Databasen är omstartad")
    assert night.status()["incidents"] == []
    (listed,) = checked("incidents", night.look("incident", "list", "--json").out)["incidents"]
    assert listed["resolved"] == "2021-11-28T02:12:00+01:00"
    assert (listed["next_update_due"], listed["overdue"]) == (None, False)


def test_a_p3_incident_is_never_overdue(night: Night) -> None:
    night.at("01:10")
    night.ok("incident", "open", "--priority", "3", "--summary", "Klas är seg",
             "--services", "klas")  # fmt: skip
    for hhmm in ("01:41", "03:00", "06:59"):
        night.at(hhmm)
        (incident,) = night.status()["incidents"]
        assert (incident["major"], incident["next_update_due"], incident["overdue"]) == (
            False, None, False,
        )  # fmt: skip
    assert "OVERDUE" not in night.look("status").out


# --- who gets which text ---------------------------------------------------------------

OPENED_VARD_SMS = (
    "Driftstörning i E-hälsomyndighetens tjänster: Receptregistret svarar inte. Berörda "
    "tjänster: E-recept, Läkemedelsförteckningen. Förskrivning av e-recept kan påverkas. "
    "Vi felsöker och återkommer senast kl 01:40."
)
OPENED_APOTEK_SMS = (
    "Driftstörning i E-hälsomyndighetens tjänster: Receptregistret svarar inte. Berörda "
    "tjänster: E-recept, Läkemedelsförteckningen. Expedition av e-recept kan påverkas. "
    "Vi felsöker och återkommer senast kl 01:40."
)
OPENED_INTERN_SMS = (
    "Incident INC-1, prio 1: Receptregistret svarar inte. Berörda tjänster: E-recept, "
    "Läkemedelsförteckningen. Felsökning pågår. Nästa uppdatering senast kl 01:40."
)
OPENED_VARD_EMAIL = """\
Hej,

Just nu har vi en driftstörning i E-hälsomyndighetens tjänster:
Receptregistret svarar inte.

Berörda tjänster: E-recept, Läkemedelsförteckningen. Förskrivning av e-recept kan påverkas.

Vi felsöker och återkommer med ny information senast kl. 01:40.
Aktuell driftinformation finns på
https://www.example.org/driftinformation (prenumerera gärna via RSS).

Ärende: INC-1

Med vänliga hälsningar
E-hälsomyndigheten
"""
OPENED_APOTEK_EMAIL = """\
Hej,

Just nu har vi en driftstörning i E-hälsomyndighetens tjänster:
Receptregistret svarar inte.

Berörda tjänster: E-recept, Läkemedelsförteckningen. Expedition av e-recept på apotek kan
påverkas.

Vi felsöker och återkommer med ny information senast kl. 01:40.
Aktuell driftinformation finns på
https://www.example.org/driftinformation (prenumerera gärna via RSS).

Ärende: INC-1

Med vänliga hälsningar
E-hälsomyndigheten
"""
RESOLVED_VARD_SMS = (
    "Nu är driftstörningen löst: Databasen är omstartad. Förskrivning av e-recept fungerar "
    "som vanligt igen. Vi beklagar eventuella problem."
)
RESOLVED_APOTEK_SMS = (
    "Nu är driftstörningen löst: Databasen är omstartad. Expedition av e-recept fungerar "
    "som vanligt igen. Vi beklagar eventuella problem."
)
RESOLVED_INTERN_SMS = (
    "Incident INC-1 är löst: Databasen är omstartad. Trafikljus och driftinformation är "
    "återställda."
)
DISRUPTION_SMS = (
    "Kort störning: Läkemedelsförteckningen svarar långsamt. Berörda tjänster: "
    "Läkemedelsförteckningen. Tjänsterna fungerar men kan vara sega en stund. Vi följer "
    "läget och återkommer om störningen består."
)


def open_p1(night: Night, *extra: str) -> Done:
    night.at("01:10")
    return night.ok("incident", "open", "--priority", "1", "--summary", SUMMARY,
                    "--services", "erecept,lakemedelsforteckningen", *extra)  # fmt: skip


def test_care_and_pharmacy_get_their_own_texts(night: Night) -> None:
    open_p1(night)
    texts = night.texts("incident_opened")
    assert texts[("sms", "vard")] == {(None, OPENED_VARD_SMS)}
    assert texts[("sms", "apotek")] == {(None, OPENED_APOTEK_SMS)}
    assert texts[("sms", "intern")] == {(None, OPENED_INTERN_SMS)}
    subject = "Driftstörning: Receptregistret svarar inte"
    assert texts[("email", "vard")] == {(subject, OPENED_VARD_EMAIL)}
    assert texts[("email", "apotek")] == {(subject, OPENED_APOTEK_EMAIL)}
    ((intern_subject, _),) = texts[("email", "intern")]
    assert intern_subject == "Incident INC-1 (prio 1): Receptregistret svarar inte"
    # The press gets the press statement, by e-mail only.
    ((press_subject, press_body),) = texts[("email", "press")]
    assert press_subject == "Driftstörning i e-recepttjänsterna"
    assert "Receptregistret svarar inte. Berörda tjänster: E-recept, Läkemedelsförteckningen." in (
        press_body.replace("\n", " ")
    )
    assert ("sms", "press") not in texts
    # Everyone on each list, once per channel.
    by_audience = {(r["channel"], r["audience"]) for r in night.sent("incident_opened")}
    for audience in ("vard", "apotek", "intern"):
        assert {r["address"] for r in night.sent("incident_opened")
                if (r["channel"], r["audience"]) == ("sms", audience)} == (
            recipients(audience, "phone")
        )  # fmt: skip
    assert by_audience == {
        (c, a) for c in ("sms", "email") for a in ("vard", "apotek", "intern")
    } | {("email", "press")}

    night.at("01:30")
    night.ok("incident", "resolve", "INC-1", "--summary", "Databasen är omstartad")
    texts = night.texts("incident_resolved")
    assert texts[("sms", "vard")] == {(None, RESOLVED_VARD_SMS)}
    assert texts[("sms", "apotek")] == {(None, RESOLVED_APOTEK_SMS)}
    assert texts[("sms", "intern")] == {(None, RESOLVED_INTERN_SMS)}
    assert {s for s, _ in texts[("email", "vard")] | texts[("email", "apotek")]} == {
        "Driftstörningen är löst"
    }


def test_audiences_apotek_sends_only_to_pharmacies(night: Night) -> None:
    open_p1(night, "--audiences", "apotek")
    assert set(night.texts("incident_opened")) == {("sms", "apotek"), ("email", "apotek")}
    assert night.texts("incident_opened")[("sms", "apotek")] == {(None, OPENED_APOTEK_SMS)}
    (incident,) = night.status()["incidents"]
    assert incident["audiences"] == ["apotek"]
    # Its update and resolution go to the same audience.
    night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår")
    night.ok("incident", "resolve", "INC-1")
    for event in ("incident_updated", "incident_resolved"):
        assert set(night.texts(event)) == {("sms", "apotek"), ("email", "apotek")}


def test_unknown_audience_or_service_exits_1_and_sends_nothing(night: Night) -> None:
    before = night.snapshot()
    for extra in (["--audiences", "tandvard"], ["--services", "nope"]):
        done = night("incident", "open", "--priority", "2", "--summary", "x", *extra)
        assert done.code == 1
        assert "okänd" in done.err
    assert night("incident", "open", "--priority", "6", "--summary", "x").code == 2
    assert night.snapshot() == before


@pytest.mark.parametrize("command", ["update", "resolve"])
@pytest.mark.parametrize(
    ("incident", "message"),
    [
        ("INC-7", "ingen driftstörning INC-7; driftstörningar: INC-1, INC-2"),
        ("INC-2", "driftstörning INC-2 åtgärdades 01:20; inget har skickats"),
    ],
)
def test_update_or_resolve_of_unknown_or_resolved_incident_exits_1(
    night: Night, command: str, incident: str, message: str
) -> None:
    open_p1(night)
    night.ok(
        "incident", "open", "--priority", "2", "--summary", "Klas svarar inte", "--services", "klas"
    )
    night.at("01:20")
    night.ok("incident", "resolve", "INC-2")
    before = night.snapshot()
    done = night("incident", command, incident, "--summary", "Felsökning pågår")
    assert done.code == 1
    assert f"gonogo: error: {message}" in done.err
    assert night.snapshot() == before


# --- two sites sending the same word ---------------------------------------------------


def test_an_update_repeating_the_last_one_warns_names_who_and_asks(night: Night) -> None:
    """Site B updates with --yes; site C, 10 s later, types the same update: C is told
    who sent it and when, in local time, and nothing goes out unless C confirms."""
    open_p1(night)
    night.clock.move_to("2021-11-28 01:30:00+01:00")
    first = night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår",
                     "--by", "bertil")  # fmt: skip
    assert "Varning" not in first.out  # 20 minutes after the opening, another text
    night.clock.move_to("2021-11-28 01:30:10+01:00")
    before = night.snapshot()
    again = ("incident", "update", "INC-1", "--summary", "Felsökning pågår", "--by", "cecilia")

    refused = night(*again, yes=False, answer="n\n")

    assert refused.code == 1
    assert (
        'Varning: det senaste meddelandet om INC-1 hade exakt den här texten, "Felsökning '
        'pågår", skickat av bertil kl. 01:30:00 (för 10 s sedan): skickas det igen får varje '
        "mottagare det två gånger."
    ) in refused.out.replace("\n", " ")
    assert "Skicka samma text igen? [j/N]" in refused.out
    assert "not confirmed; nothing was journaled or sent" in refused.err
    assert night.snapshot() == before

    confirmed = night(*again, yes=False, answer="y\ny\n")

    assert confirmed.code == 0, confirmed.err
    updates = [data for kind, _, data in night.events() if kind == "incident_updated"]
    assert updates == [
        {"id": "INC-1", "summary": "Felsökning pågår"},
        {"id": "INC-1", "summary": "Felsökning pågår", "repeat": True},
    ]
    log = night.look("log").out
    assert (
        'cecilia      driftstörning uppdaterad INC-1 "Felsökning pågår" (bekräftad efter '
        "varningen om upprepning)" in log
    )
    # A new text minutes later asks nothing more than what goes out.
    night.at("01:40")
    night.ok("incident", "update", "INC-1", "--summary", "Orsaken är hittad", yes=False,
             answer="y\n")  # fmt: skip


def test_an_update_with_a_new_text_soon_after_another_asks_nothing_more(night: Night) -> None:
    """A first update often follows the opening within a minute: only the same text warns."""
    open_p1(night)
    night.clock.move_to("2021-11-28 01:30:00+01:00")
    night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår", "--by", "bertil")
    night.clock.move_to("2021-11-28 01:30:20+01:00")

    done = night.ok("incident", "update", "INC-1", "--summary", "Orsaken är hittad",
                    yes=False, answer="y\n")  # fmt: skip

    assert "Varning" not in done.out
    assert [d.get("repeat") for k, _, d in night.events() if k == "incident_updated"] == [
        None,
        None,
    ]


def test_opening_an_incident_with_an_open_ones_text_warns(night: Night) -> None:
    open_p1(night, "--by", "anna")
    night.at("01:30")
    before = night.snapshot()
    reopen = ("incident", "open", "--priority", "1", "--summary", SUMMARY, "--services", "erecept")

    refused = night(*reopen, yes=False, answer="n\n")

    assert refused.code == 1
    assert (
        f"Varning: INC-1, öppnad av anna kl. 01:10:00 (för 20 min sedan), är öppen med exakt "
        f'den här texten, "{SUMMARY}": öppnas den igen får varje mottagare det två gånger.'
    ) in refused.out.replace("\n", " ")
    assert "Öppna ännu en driftstörning med samma text? [j/N]" in refused.out
    assert night.snapshot() == before
    night.ok(*reopen)  # --yes confirms it, as it confirms a Go after the point of no return
    opened = [d for k, _, d in night.events() if k == "incident_opened"]
    assert [d["id"] for d in opened] == ["INC-1", "INC-2"]
    assert opened[1]["repeat"] is True


def test_disruption_sends_the_short_interruption_text(night: Night) -> None:
    night.at("00:15")
    night.ok("disruption", "--summary", "Läkemedelsförteckningen svarar långsamt",
             "--services", "lakemedelsforteckningen")  # fmt: skip
    texts = night.texts("disruption")
    for audience in ("vard", "apotek", "intern"):
        assert texts[("sms", audience)] == {(None, DISRUPTION_SMS)}
        ((subject, _),) = texts[("email", audience)]
        assert subject == "Kort störning: Läkemedelsförteckningen svarar långsamt"
    # No incident was opened, and no light changed.
    assert night.status()["incidents"] == []
    assert night.status()["lights"] == ALL_RED
    assert [k for k, _, _ in night.events()][-2:] == ["disruption", "dispatch"]


# --- incidents beside the window's state -----------------------------------------------


def test_incidents_during_a_part_a_rollback_and_after_the_window(night: Night) -> None:
    night.at("00:10")  # during part 1
    night.ok("incident", "open", "--priority", "2", "--summary", "Klas svarar inte",
             "--services", "klas")  # fmt: skip
    night.at("00:20")
    night.ok("nogo", "1", "--reason", "backupen gick inte att verifiera")
    night.at("00:30")  # during the rollback
    night.ok("incident", "open", "--priority", "3", "--summary", "NKOO är segt",
             "--services", "nkoo", "--light", "yellow")  # fmt: skip
    assert night.status()["lights"] == ALL_RED
    night.at("01:50")
    night.ok("rollback-done")
    assert night.status()["outcome"] == "rolled back"
    # The window is over; the open incidents keep their services' lights.
    assert night.status()["lights"] == ALL_GREEN | {"klas": "red", "nkoo": "yellow"}

    night.at("08:15")  # after the window
    night.ok("incident", "open", "--priority", "1", "--summary", SUMMARY, "--services", "erecept")
    status = night.status()
    assert [i["id"] for i in status["incidents"]] == ["INC-1", "INC-2", "INC-3"]
    assert status["lights"] == ALL_GREEN | {"klas": "red", "nkoo": "yellow", "erecept": "red"}
    assert [i["overdue"] for i in status["incidents"]] == [True, False, False]

    night.ok("incident", "resolve", "INC-1")
    night.ok("incident", "resolve", "INC-3")
    assert night.status()["lights"] == ALL_GREEN | {"nkoo": "yellow"}
    assert [i["id"] for i in night.status()["incidents"]] == ["INC-2"]
    listed = checked("incidents", night.look("incident", "list", "--json").out)["incidents"]
    assert len(listed) == 3


# --- traffic lights --------------------------------------------------------------------


def test_lights_follow_the_window_and_incidents(night: Night) -> None:
    assert night.status()["lights"] == ALL_RED
    assert light_rows(night)["E-recept (erecept)"] == ["röd", "23:00 (servicefönstret startade)"]
    open_p1(night, "--light", "yellow")
    assert night.status()["lights"] == ALL_RED  # an incident cannot make red better
    night.ok("incident", "resolve", "INC-1")
    assert night.status()["lights"] == ALL_RED  # restored to the window's red

    go_through(night, 4)
    verify_all(night)
    night.at("05:15")
    night.ok("go", "5")
    night.at("05:20")
    night.ok("end")
    assert night.status()["lights"] == ALL_GREEN
    assert light_rows(night)["Klas (klas)"] == ["grön", "05:20 (servicefönstret avslutades)"]

    night.at("09:00")
    night.ok("incident", "open", "--priority", "2", "--summary", "Klas svarar inte",
             "--services", "klas,erecept")  # fmt: skip
    night.ok("incident", "open", "--priority", "4", "--summary", "Klas är seg",
             "--services", "klas")  # fmt: skip
    assert night.status()["lights"] == ALL_GREEN | {"klas": "red", "erecept": "red"}
    night.at("09:20")
    night.ok("incident", "resolve", "INC-2")
    assert night.status()["lights"] == ALL_GREEN | {"klas": "yellow"}
    assert light_rows(night)["Klas (klas)"] == ["gul", "09:20 (driftstörning INC-2 åtgärdad)"]
    night.ok("incident", "resolve", "INC-3")
    assert night.status()["lights"] == ALL_GREEN


def test_a_manual_light_holds_until_the_next_change_and_is_journaled(night: Night) -> None:
    night.at("00:05")
    night.ok("lights", "set", "lakemedelskollen", "yellow", "--reason", "öppnad för läsning",
             "--by", "bo")  # fmt: skip
    assert night.status()["lights"] == ALL_RED | {"lakemedelskollen": "yellow"}
    night.ok("incident", "open", "--priority", "3", "--summary", "Klas är seg",
             "--services", "klas")  # fmt: skip
    night.ok("progress")
    assert night.status()["lights"] == ALL_RED | {"lakemedelskollen": "yellow"}
    assert light_rows(night)["Läkemedelskollen (lakemedelskollen)"] == [
        "gul",
        "00:05 (satt för hand: öppnad för läsning)",
    ]
    log = night.look("log").out
    assert "bo           trafikljus satt lakemedelskollen gul: öppnad för läsning" in log
    assert ("lights_set", "öppnad för läsning", {"service": "lakemedelskollen",
            "colour": "yellow"}) in night.events()  # fmt: skip

    night.ok("incident", "open", "--priority", "3", "--summary", "Läkemedelskollen är seg",
             "--services", "lakemedelskollen")  # fmt: skip
    assert night.status()["lights"] == ALL_RED


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["lights", "set", "erecept", "blue", "--reason", "x"], 1),
        (["lights", "set", "nope", "red", "--reason", "x"], 1),
        (["lights", "set", "erecept", "red"], 2),
        (["lights", "set", "erecept"], 2),
    ],
)
def test_lights_set_refuses_bad_requests(night: Night, args: list[str], code: int) -> None:
    before = night.snapshot()
    assert night(*args).code == code
    assert night.snapshot() == before


def test_an_incidents_light_is_named_in_any_case_and_only_yellow_or_red(night: Night) -> None:
    night.ok("nogo", "1", "--reason", "backupen misslyckades")
    night.ok("rollback-done")
    night.ok("incident", "open", "--priority", "4", "--summary", "Klas är nere",
             "--services", "klas", "--light", "RED")  # fmt: skip
    assert night.status()["lights"] == ALL_GREEN | {"klas": "red"}
    before = night.snapshot()
    done = night("incident", "open", "--priority", "1", "--summary", "x", "--light", "green")
    assert done.code == 1
    assert "en driftstörnings trafikljus är yellow eller red, inte green" in done.err
    assert night.snapshot() == before


def test_colours_may_be_typed_as_the_swedish_screen_shows_them(night: Night) -> None:
    """The screen says grön, gul, röd: typed so (or without å/ö), they are taken."""
    night.ok("nogo", "1", "--reason", "backupen misslyckades")
    night.ok("rollback-done")  # the window is over: every light green
    night.ok("incident", "open", "--priority", "4", "--summary", "Klas är seg",
             "--services", "klas", "--light", "Gul")  # fmt: skip
    night.ok("lights", "set", "erecept", "röd", "--reason", "stängd för felsökning")
    night.ok("lights", "set", "lakemedelskollen", "rod", "--reason", "stängd")
    assert night.status()["lights"] == ALL_GREEN | {
        "klas": "yellow", "erecept": "red", "lakemedelskollen": "red"
    }  # fmt: skip
    night.ok("lights", "set", "erecept", "grön", "--reason", "öppnad igen")
    assert night.status()["lights"]["erecept"] == "green"
    assert ("lights_set", "öppnad igen", {"service": "erecept", "colour": "green"}) in (
        night.events()
    )
    before = night.snapshot()
    assert night("lights", "set", "erecept", "blå", "--reason", "x").code == 1
    assert night.snapshot() == before


def test_lights_go_green_after_a_rollback(night: Night) -> None:
    go_through(night, 2)
    night.at("02:30")
    night.ok("nogo", "3", "--reason", "miljöerna startar inte")
    assert night.status()["lights"] == ALL_RED
    night.at("04:00")
    night.ok("rollback-done")
    assert night.status()["lights"] == ALL_GREEN
    assert set(map(tuple, light_rows(night).values())) == {
        ("grön", "04:00 (tillbakarullningen klar)")
    }


# --- production verification -----------------------------------------------------------


def test_go_5_waits_for_every_participant(night: Night) -> None:
    go_through(night, 4)
    before = night.snapshot()
    done = night("go", "5")
    assert done.code == 1
    assert "del 5 kan inte få Go: produktionsverifieringen är inte klar: väntar på " in done.err
    assert night.snapshot() == before

    night.ok("verify", "start")
    skip = night("verify", "orebro", "skip")
    assert skip.code == 1
    assert "en deltagare som hoppas över kräver --note som säger varför" in skip.err
    night.ok("verify", "orebro", "skip", "--note", "NCS Cross har inget testkonto")
    for participant in PARTICIPANTS[:-2]:
        night.ok("verify", participant, "ok")
    done = night("go", "5")
    assert done.code == 1
    assert "väntar på Region Norrbotten/VAS" in done.err

    night.at("04:40")
    night.ok("verify", "norrbotten", "ok")
    table = night.look("verify").out
    assert "Verifieringen är klar." in table
    assert "NCS Cross har inget testkonto" in table
    night.ok("go", "5")
    assert night.status()["parts"][4]["decision"] == "go"


def test_a_fail_blocks_go_and_names_who(night: Night) -> None:
    go_through(night, 4)
    assert night("verify", "dalarna", "ok").code == 1  # not started yet
    night.ok("verify", "start")
    for participant in PARTICIPANTS:
        night.ok("verify", participant, "ok")
    night.ok("verify", "kalmar", "fail", "--note", "testreceptet kom inte fram")
    done = night("go", "5")
    assert done.code == 1
    assert (
        "del 5 kan inte få Go: produktionsverifieringen misslyckades för Region Kalmar/Cosmic"
        in done.err
    )
    assert "--override-verification" in done.err
    blocker = "Produktionsverifieringen misslyckades för Region Kalmar/Cosmic."
    assert blocker in night.look("verify").out
    assert night.status()["verification"]["blocker"] == (
        "production verification failed for Region Kalmar/Cosmic"
    )
    assert night("verify", "kalmar", "maybe").code == 1
    assert night("verify", "visby", "ok").code == 1


def test_override_verification_needs_a_reason_and_is_journaled(night: Night) -> None:
    go_through(night, 4)
    assert night("go", "5", "--override-verification").code == 2
    night.ok("go", "5", "--override-verification", "--reason", "beslut av releaseledaren")
    kind, reason, data = next(e for e in night.events() if e[0] == "go" and e[2])
    assert (kind, reason, data) == (
        "go",
        "beslut av releaseledaren",
        {"override_verification": True},
    )
    assert "Go del 5 (verifiering åsidosatt): beslut av releaseledaren" in night.look("log").out


def test_rollback_after_a_failed_verification(night: Night) -> None:
    go_through(night, 4)
    night.ok("verify", "start")
    night.at("04:30")
    night.ok("verify", "apoteket-ab", "fail", "--note", "expeditionen avbryts")
    night.at("04:45")
    night.ok("nogo", "5", "--reason", "produktionsverifieringen misslyckades")
    assert night.status()["state"] == "rolling_back"
    assert night.sent("rollback_started")
    night.at("06:15")
    night.ok("rollback-done")
    status = night.status()
    assert (status["state"], status["outcome"]) == ("rolled_back", "rolled back")
    assert status["lights"] == ALL_GREEN
    assert night.sent("rollback_completed")


# --- the point of no return ------------------------------------------------------------


def test_go_after_the_point_of_no_return_asks_for_confirmation(night: Night) -> None:
    go_through(night, 4)
    verify_all(night)
    night.at("05:45")  # 07:00 minus the 1h30m rollback is 05:30
    before = night.snapshot()
    done = night("go", "5", yes=False, answer="n\n")
    assert done.code == 1
    assert "sista tidpunkt för NoGo (05:30) har passerats" in done.out
    assert "Ge Go ändå? [j/N]" in done.out
    assert "not confirmed; nothing was journaled or sent" in done.err
    assert night.snapshot() == before

    done = night("go", "5", yes=False, answer="y\ny\n")
    assert done.code == 0, done.err
    go = [data for kind, _, data in night.events() if kind == "go"][-1]
    assert go == {"past_point_of_no_return": True}


# --- the real channels -----------------------------------------------------------------


def real_runbook(directory: Path) -> Path:
    """A copy of the bundled runbook with rate limits a test need not wait for."""
    shutil.copytree(RUNBOOKS, directory)
    path = directory / "release-21.0.yaml"
    text = path.read_text(encoding="utf-8")
    for old, new in (
        ("rate_limit: 10\n", "rate_limit: 500\n"),
        ("rate_limit: 20\n", "rate_limit: 500\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_real_night_with_an_incident_reaches_the_servers(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    twilio_server: TwilioFake,
    smtp_server: SmtpServer,
) -> None:
    runbook = real_runbook(tmp_path / "rb")
    load_valid(runbook)
    for name, value in (twilio_server.env() | smtp_server.env()).items():
        monkeypatch.setenv(name, value)
    # freezegun patches time.monotonic too, but answers frames below a `threading` frame
    # (the sender's worker threads) with the real clock: the token bucket would compare a
    # frozen 2021 stamp taken in the main thread with a real reading in a worker and sleep
    # for decades. So the live sender paces itself on real time, in every thread.
    with freeze_time(
        local("23:00", 27), tick=True, real_asyncio=True, ignore=["gonogo.notify.live", "_pytest"]
    ) as clock:
        night = Night(tmp_path / "state", clock, capsys, monkeypatch, dry_run=False)
        night.ok("start", str(runbook))
        assert night.status()["lights"] == ALL_RED

        def sms_since(mark: int) -> dict[str, str]:
            return {m["to"]: m["body"] for m in twilio_server.messages[mark:]}

        def mail_since(mark: int) -> dict[str, tuple[str, str]]:
            found = {}
            for received in smtp_server.received[mark:]:
                (to,) = received.rcpt_tos
                message = received.message
                found[to] = (str(message["Subject"]), message.get_content())
            return found

        sms_mark, mail_mark = len(twilio_server.messages), len(smtp_server.received)
        open_p1(night)
        sms, mail = sms_since(sms_mark), mail_since(mail_mark)
        assert {to: body for to, body in sms.items() if to in recipients("vard", "phone")} == (
            dict.fromkeys(recipients("vard", "phone"), OPENED_VARD_SMS)
        )
        assert {to: body for to, body in sms.items() if to in recipients("apotek", "phone")} == (
            dict.fromkeys(recipients("apotek", "phone"), OPENED_APOTEK_SMS)
        )
        assert {sms[to] for to in recipients("intern", "phone")} == {OPENED_INTERN_SMS}
        subject = "Driftstörning: Receptregistret svarar inte"
        for to in recipients("vard", "email"):
            assert mail[to] == (subject, OPENED_VARD_EMAIL)
        for to in recipients("apotek", "email"):
            assert mail[to] == (subject, OPENED_APOTEK_EMAIL)
        for to in recipients("press", "email"):
            assert mail[to][0] == "Driftstörning i e-recepttjänsterna"
        assert len(sms) == len(twilio_server.messages) - sms_mark  # one SMS per number

        night.at("01:41")
        (incident,) = night.status()["incidents"]
        assert incident["overdue"] is True
        assert incident["next_update_due"].startswith("2021-11-28T01:40:")
        sms_mark = len(twilio_server.messages)
        night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår")
        assert night.status()["incidents"][0]["overdue"] is False
        assert night.status()["incidents"][0]["next_update_due"].startswith("2021-11-28T02:11:")
        assert set(sms_since(sms_mark)) == (
            recipients("vard", "phone")
            | recipients("apotek", "phone")
            | recipients("intern", "phone")
        )

        sms_mark, mail_mark = len(twilio_server.messages), len(smtp_server.received)
        night.at("01:55")
        night.ok("incident", "resolve", "INC-1", "--summary", "Databasen är omstartad")
        sms = sms_since(sms_mark)
        assert {sms[to] for to in recipients("vard", "phone")} == {RESOLVED_VARD_SMS}
        assert {sms[to] for to in recipients("apotek", "phone")} == {RESOLVED_APOTEK_SMS}
        assert {sms[to] for to in recipients("intern", "phone")} == {RESOLVED_INTERN_SMS}
        assert {mail_since(mail_mark)[to][0] for to in recipients("apotek", "email")} == {
            "Driftstörningen är löst"
        }
        assert night.status()["lights"] == ALL_RED

        sms_mark = len(twilio_server.messages)
        night.ok("disruption", "--summary", "Läkemedelsförteckningen svarar långsamt",
                 "--services", "lakemedelsforteckningen")  # fmt: skip
        assert set(sms_since(sms_mark).values()) == {DISRUPTION_SMS}

        go_through(night, 4)
        night.ok("verify", "start")
        for participant in PARTICIPANTS:
            night.ok("verify", participant, "ok")
        night.at("05:15")
        night.ok("go", "5")
        night.at("05:20")
        night.ok("end")
        status = night.status()
        assert (status["outcome"], status["lights"]) == ("completed", ALL_GREEN)

    delivered = night.query(
        "SELECT COUNT(*) FROM deliveries d WHERE (SELECT status FROM delivery_log l"
        " WHERE l.delivery = d.id ORDER BY seq DESC LIMIT 1) = 'sent'"
    )[0][0]
    total = night.query("SELECT COUNT(*) FROM deliveries")[0][0]
    assert (
        delivered
        == total
        == len(twilio_server.messages) + sum(len(r.rcpt_tos) for r in smtp_server.received)
    )


def test_a_text_that_names_the_services_needs_services(night: Night) -> None:
    before = night.snapshot()
    done = night("incident", "open", "--priority", "2", "--summary", "Klas svarar inte")
    assert done.code == 1
    assert "text för incident_opened nämner de berörda tjänsterna ({services})" in done.err
    assert "hint: ange --services, t.ex. --services " in done.err
    assert night.snapshot() == before


def test_resolve_without_summary_names_the_incident_as_opened(night: Night) -> None:
    # README's own commands: open, update, resolve without --summary.
    night.ok("incident", "open", "--priority", "2", "--summary", "Förskrivning går långsamt",
             "--services", "erecept")  # fmt: skip
    night.ok("incident", "update", "INC-1", "--summary", "Felsökning pågår")
    night.ok("incident", "resolve", "INC-1")
    texts = night.texts("incident_resolved")
    assert texts[("sms", "vard")] == {
        (None, "Nu är driftstörningen löst: Förskrivning går långsamt. Förskrivning av "
               "e-recept fungerar som vanligt igen. Vi beklagar eventuella problem.")
    }  # fmt: skip
    bodies = [body for sent in texts.values() for _s, body in sent]
    assert bodies
    assert all("Felsökning pågår" not in body for body in bodies)
    assert all("Förskrivning går långsamt" in body for body in bodies)


@pytest.mark.parametrize(
    ("args", "blank"),  # every option, each kind of blank on some: one night each
    [
        (["incident", "resolve", "INC-1", "--summary"], ""),
        (["incident", "update", "INC-1", "--summary"], " "),
        (["disruption", "--services", "erecept", "--summary"], ""),
        (["extend", "--until", "08:00", "--reason"], " "),
        (["hold", "1", "--reason"], ""),
        (["hold", "1", "--reason"], " "),
        (["lights", "set", "erecept", "yellow", "--reason"], ""),
        (["verify", "dalarna", "ok", "--note"], " "),
        (["settle", "--resend", "--reason"], ""),
        (["go", "1", "--override-verification", "--reason"], " "),
    ],
)
def test_a_blank_text_exits_1_like_hold_and_nothing_is_journaled_or_sent(
    night: Night, args: list[str], blank: str
) -> None:
    night.ok("incident", "open", "--priority", "3", "--summary", "Klas svarar inte",
             "--services", "klas")  # fmt: skip
    night.ok("verify", "start", answer="y\n")
    before = night.snapshot()
    done = night(*args, blank)
    assert done.code == 1, done.err
    assert done.err.startswith("gonogo: error: ")
    assert "tom" in done.err
    assert done.err.rstrip().endswith("inget har gjorts")
    assert night.snapshot() == before


@pytest.mark.parametrize(
    ("args", "text"),  # each option with one kind of control: OSC title, colour, CR, C1
    [
        (["incident", "resolve", "INC-1", "--summary"], "a\x1b]0;pwned\x07b"),
        (["disruption", "--services", "erecept", "--summary"], "\x1b[31mröd\x1b[0m"),
        (["hold", "1", "--reason"], "rad\röverskriven"),
        (["verify", "dalarna", "ok", "--note"], "x\x9by"),
    ],
)
def test_a_text_with_terminal_controls_is_refused_and_nothing_is_journaled_or_sent(
    night: Night, args: list[str], text: str
) -> None:
    """Journaled, an escape sequence would recolour or retitle every later reader's
    terminal (status, log) and go out in messages."""
    night.ok("incident", "open", "--priority", "3", "--summary", "Klas svarar inte",
             "--services", "klas")  # fmt: skip
    night.ok("verify", "start", answer="y\n")
    before = night.snapshot()
    done = night(*args, text)
    assert done.code == 1, done.err
    assert "innehåller ett styrtecken (U+00" in done.err
    assert done.err.rstrip().endswith("inget har gjorts")
    assert "\x1b" not in done.err + done.out
    assert night.snapshot() == before


@pytest.mark.parametrize("by", ["\x1b[31mEVIL\x1b[0m", "  "])
def test_a_by_name_with_terminal_controls_or_blank_is_refused_like_any_text(
    night: Night, by: str
) -> None:
    before = night.snapshot()
    done = night("hold", "1", "--reason", "väntar", "--by", by)
    assert done.code == 1, done.err
    assert "--by" in done.err
    assert done.err.rstrip().endswith("nothing was done")
    assert "\x1b" not in done.err + done.out
    assert night.snapshot() == before


def test_a_text_keeps_its_line_breaks_and_tabs(night: Night) -> None:
    night.ok("hold", "1", "--reason", "väntar på\ndatabasen\tteam A")
    assert "väntar på\ndatabasen\tteam A" in {
        r[0] for r in night.query("SELECT reason FROM events WHERE reason IS NOT NULL")
    }


def test_verify_start_during_and_after_a_rollback_exits_1_and_sends_nothing(
    night: Night,
) -> None:
    night.ok("nogo", "1", "--reason", "backupen misslyckades")
    for then in ("tillbakarullning pågår", "natten är över: tillbakarullad"):
        before = night.snapshot()
        done = night("verify", "start")
        assert done.code == 1, done.out
        assert f"produktionsverifieringen kan inte starta nu: {then}" in done.err
        assert night.snapshot() == before
        if then == "tillbakarullning pågår":
            night.ok("rollback-done")
