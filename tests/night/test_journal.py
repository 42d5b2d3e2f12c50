"""The journal: append-only SQLite; decisions and deliveries survive reopening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.errors import StateError
from gonogo.night.journal import Journal, NewDelivery

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)


def _row(n: int) -> NewDelivery:
    return NewDelivery("sms", "vard", f"+4670174060{n}", f"P{n}", "sv", None, "Hej")


def test_events_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    journal = Journal.create(path, {"release": "21.0"})
    local = dt.datetime(2021, 11, 28, 0, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with journal.transaction():
        seq = journal.append(at=local, operator="anna", kind="go", runbook_sha256="abc",
                             part=1, reason="klart", data={"å": 1})  # fmt: skip
    journal.close()
    reopened = Journal.open(path)
    try:
        (event,) = reopened.events()
        assert (event.seq, event.operator, event.kind, event.part, event.reason) == (
            seq, "anna", "go", 1, "klart",
        )  # fmt: skip
        assert event.at == local
        assert event.at.utcoffset() == dt.timedelta(0)  # stored in UTC
        assert (event.data, event.runbook_sha256) == ({"å": 1}, "abc")
        assert reopened.meta()["release"] == "21.0"
        assert reopened.meta()["schema_version"] == "1"
    finally:
        reopened.close()


def test_a_failed_transaction_leaves_nothing(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path / "j.sqlite", {})
    try:

        def fail() -> None:
            with journal.transaction():
                seq = journal.append(at=AT, operator="a", kind="go", runbook_sha256="x")
                journal.add_deliveries(seq, [_row(5)], AT)
                raise RuntimeError

        with pytest.raises(RuntimeError):
            fail()
        assert journal.events() == []
        assert journal.deliveries() == []
    finally:
        journal.close()


def test_deliveries_latest_status_and_attempts(tmp_path: Path) -> None:
    journal = Journal.create(tmp_path / "j.sqlite", {})
    try:
        with journal.transaction():
            seq = journal.append(at=AT, operator="a", kind="dispatch", runbook_sha256="x")
            assert journal.add_deliveries(seq, [_row(5), _row(6), _row(7)], AT) == 3
        first, second, third = journal.deliveries(dispatch=seq)
        assert {d.status for d in (first, second, third)} == {"pending"}
        journal.mark(first.id, "in_flight", AT)
        journal.mark(first.id, "sent", AT, provider_id="SM1")
        journal.mark_many([(second.id, "in_flight", None, None, None),
                           (second.id, "failed", None, "21211", "invalid")], AT)  # fmt: skip
        by_id = {d.id: d for d in journal.deliveries()}
        assert (by_id[first.id].status, by_id[first.id].provider_id) == ("sent", "SM1")
        assert by_id[first.id].attempts == 1
        assert (by_id[second.id].status, by_id[second.id].code) == ("failed", "21211")
        assert by_id[third.id].status == "pending"
        assert [d.id for d in journal.deliveries(statuses=("pending", "failed"))] == [
            second.id, third.id,
        ]  # fmt: skip
    finally:
        journal.close()


def test_open_refuses_what_is_not_a_journal(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="no journal at"):
        Journal.open(tmp_path / "missing.sqlite")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StateError, match="not a gonogo journal"):
        Journal.open(junk)


def test_open_refuses_another_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    Journal.create(path, {"schema_version": "99"}).close()
    with pytest.raises(StateError, match="journal version 99"):
        Journal.open(path)
