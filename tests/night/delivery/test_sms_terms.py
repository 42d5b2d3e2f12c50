"""What Twilio is told with each SMS and how fast: ValidityPeriod and pacing by segments.

Against the Twilio-compatible server on 127.0.0.1, with a real journal.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from gonogo.night.delivery.live import LiveTransport
from gonogo.night.dispatch import plan_dispatch
from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import NewDelivery, Status
from gonogo.night.machine import Effect
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.runbook.catalog import sample_values
from gonogo.runbook.events import Event
from gonogo.runbook.model import Runbook
from gonogo.runbook.segments import measure
from gonogo.runbook.validate import load_valid
from servers.twilio_fake import TwilioFake

RUNBOOK = Path(__file__).resolve().parents[3] / "runbooks" / "release-21.0.yaml"
NUMBERS = [f"+467017406{n:02d}" for n in range(5, 26)]  # 21 fiction numbers
ONE_SEGMENT = "Del 1 av 5 klar."
# The plan's own first SMS: 164 GSM-7 septets, two segments.
TWO_SEGMENTS = (
    "Nu startar servicefönster för produktionssättning av release 21.0. VARA exportfil "
    "kommer bli försenad. Vi beklagar eventuella problem i samband med servicefönstret."
)


def bundled() -> Runbook:
    runbook = load_valid(RUNBOOK).runbook
    assert runbook is not None
    return runbook


def with_sms(runbook: Runbook, **update: object) -> Runbook:
    assert runbook.channels.sms is not None
    sms = runbook.channels.sms.model_copy(update=update)
    return runbook.model_copy(update={"channels": runbook.channels.model_copy(update={"sms": sms})})


def journal_dispatch(
    journal: SqliteJournal,
    body: str,
    numbers: list[str],
    validity: int | None,
    ago: dt.timedelta = dt.timedelta(0),
) -> int:
    """A dispatch as `commit` journals it, decided `ago`; `validity=None` as journals
    before it had one."""
    now = dt.datetime.now(dt.UTC) - ago
    rows = [NewDelivery("sms", "vard", n, "", "sv", None, body) for n in numbers]
    entry = NewEntry(
        Kind.DISPATCH, Dispatched("window_started", 1, len(rows), sms_validity=validity)
    )
    with journal.transaction():
        seq = journal.append(entry, at=now, operator="test", runbook_sha256="sha")
        journal.add_deliveries(seq, rows, now)
    return seq


def send_pending(journal: SqliteJournal, runbook: Runbook, env: dict[str, str]) -> None:
    pending = journal.deliveries(statuses=(Status.PENDING,))
    LiveTransport(runbook, env=env, progress=False).deliver(
        journal, pending, dt.datetime.now(dt.UTC)
    )


# -- ValidityPeriod -------------------------------------------------------------------------


def test_each_dispatch_takes_its_messages_validity_else_the_channels() -> None:
    runbook = bundled()
    base = RUNBOOK.parent

    def planned(effect: Effect) -> int | None:
        values = sample_values(runbook, effect.event, effect.part)
        return plan_dispatch(runbook, base, effect, values).sms_validity

    assert planned(Effect(Event.WINDOW_STARTED)) == 30 * 60  # its own sms_validity: 30m
    assert planned(Effect(Event.PART_COMPLETED, 1)) == 3600  # channels.sms.validity: 1h
    assert planned(Effect(Event.NOTICE, notice="vecka")) == 36000  # 10h, Twilio's most


def test_every_sms_request_carries_the_journaled_validity(
    tmp_path: Path, twilio_server: TwilioFake
) -> None:
    journal = SqliteJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    journal_dispatch(journal, ONE_SEGMENT, NUMBERS[:3], 1234)
    # Journaled before validities were: the runbook's channel default (below, 5m).
    journal_dispatch(journal, "Klart.", NUMBERS[3:5], None)
    # What the runbook says now does not change what was journaled (1234 s).
    runbook = with_sms(bundled(), validity=dt.timedelta(minutes=5), rate_limit=1000.0)

    send_pending(journal, runbook, twilio_server.env())

    posts = [r for r in twilio_server.requests if r.method == "POST"]
    assert len(posts) == 5
    # Counted from the decision: a send seconds later asks for those seconds less.
    validity = {r.form["To"]: int(r.form["ValidityPeriod"]) for r in posts}
    assert all(1174 <= validity[n] <= 1234 for n in NUMBERS[:3]), validity
    assert all(240 <= validity[n] <= 300 for n in NUMBERS[3:5]), validity
    assert {r.status for r in journal.deliveries()} == {Status.SENT}
    journal.close()


def test_a_late_send_gets_what_is_left_and_an_expired_sms_is_not_sent(
    tmp_path: Path, twilio_server: TwilioFake
) -> None:
    """A resume long after the decision (the laptop died): Twilio gets only the rest of
    the validity, and an SMS whose validity has passed is not sent at all but journaled
    failed, so "the window starts now" never arrives hours late."""
    journal = SqliteJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    journal_dispatch(journal, ONE_SEGMENT, NUMBERS[:2], 3600, ago=dt.timedelta(minutes=50))
    stale = journal_dispatch(journal, "Nu startar servicefönstret.", NUMBERS[2:4], 1800,
                             ago=dt.timedelta(minutes=31))  # fmt: skip
    runbook = with_sms(bundled(), rate_limit=1000.0)

    send_pending(journal, runbook, twilio_server.env())

    posts = [r for r in twilio_server.requests if r.method == "POST"]
    assert sorted(r.form["To"] for r in posts) == NUMBERS[:2]
    for post in posts:  # 10 minutes were left of the hour, less the test's own seconds
        assert 580 <= int(post.form["ValidityPeriod"]) <= 600
    expired = journal.deliveries(dispatch=stale)
    assert {(d.status, d.code) for d in expired} == {(Status.FAILED, "expired")}
    assert "validity (30 min" in (expired[0].reason or "")
    journal.close()


# -- pacing by segments ------------------------------------------------------------------------

RATE = 20.0  # segments a second, the runbook's rate_limit and the sender's throughput


@pytest.mark.parametrize("body", [ONE_SEGMENT, TWO_SEGMENTS], ids=["1-segment", "2-segment"])
def test_the_rate_is_in_segments_as_twilio_counts_them(
    tmp_path: Path, twilio_server: TwilioFake, body: str
) -> None:
    """21 SMS of two segments take twice as long as of one, and never queue at Twilio.

    The server sends RATE segments a second per sender, as Twilio does: pacing by
    messages would have half of the two-segment SMS waiting in its queue at the end.
    """
    segments = measure(body).segments
    twilio_server.segments_per_second = RATE
    journal = SqliteJournal.create(tmp_path / "journal.sqlite", {"release": "21.0"})
    journal_dispatch(journal, body, NUMBERS, 3600)
    runbook = with_sms(bundled(), rate_limit=RATE, concurrency=4)

    began = time.monotonic()
    send_pending(journal, runbook, twilio_server.env())
    took = time.monotonic() - began
    queued = twilio_server.queued

    assert len(twilio_server.messages) == len(NUMBERS)
    expected = (len(NUMBERS) - 1) * segments / RATE  # 1.0 s for one segment, 2.0 s for two
    assert took >= expected * 0.95, f"{took:.2f} s: faster than {RATE:g} segments a second"
    assert took < expected * 1.5 + 0.5, f"{took:.2f} s: far slower than the rate"
    # Each SMS has left Twilio's queue before the next arrives (allow one in jitter).
    assert queued <= 2, f"{queued} SMS waiting in the sender's queue"
    journal.close()
