"""Advance notices in the runbook: their format and the rules validate applies to them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gonogo.runbook.catalog import notice_for, sample_values
from gonogo.runbook.events import Event
from gonogo.runbook.notices import format_offset, late_after, moment, notice_values
from gonogo.runbook.timeline import timeline
from gonogo.runbook.types import parse_offset
from gonogo.runbook.validate import load_valid

from .test_checks import BASE, edit, problems_of

CSV = "name,phone,email,language\nAnna,+46701740605,anna@example.org,sv\n"
RECIPIENTS = "    name: Drift\n    recipients: drift.csv\n"
NOTICES = """\
notices:
  - id: week
    before: 7d
    audiences: [drift]
    sms: "Servicefönster {window_day} kl. {window_start}-{window_end}: {services}."
  - id: hour
    before: 1h
    audiences: [drift]
    sms: "Om en timme: release {release}."
"""


def runbook_with(tmp_path: Path, notices: str) -> str:
    (tmp_path / "drift.csv").write_text(CSV, encoding="utf-8")
    return edit("    name: Drift\n", RECIPIENTS, BASE) + notices


def test_notices_are_valid(tmp_path: Path) -> None:
    assert problems_of(tmp_path, runbook_with(tmp_path, NOTICES)) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "before: 7d", "before: 36d",
            "57:13: error: before: more than 35 days before the window; a notice is days or "
            "hours ahead, got '36d' [bad-value]",
        ),
        (
            "before: 7d", "before: soon",
            "57:13: error: before: expected an offset before the window like 7d, 24h, 1h or "
            "90m, got 'soon' [bad-value]",
        ),
        ("before: 7d", "before: 1h", "61:13: warning: notice 'hour' goes out at the same "
         "moment as 'week' (1h before) [notice-offset]"),
        ("before: 7d", "before: 5m", "57:13: warning: 5m before the window is too late to plan "
         "around; give at least 15m [notice-offset]"),
        ("id: hour", "id: week", "60:9: error: a second notice 'week'; notice ids name them in "
         "the journal and must differ [duplicate]"),
        (
            "Om en timme: release {release}.", "Om en timme: del {part_number}.",
            "63:10: error: unknown placeholder {part_number} for notice; it may use: {release}, "
            "{release_title}, {version_package}, {window_date}, {window_start}, {window_end}, "
            "{part_count}, {time}, {services}, {window_day}, {window_end_date} [placeholder]",
        ),
        (
            "audiences: [drift]\n    sms: \"Om", "audiences: [nobody]\n    sms: \"Om",
            "62:17: error: unknown audience 'nobody'; audiences: drift [unknown-ref]",
        ),
    ],
)  # fmt: skip
def test_notice_problems(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert problems_of(tmp_path, runbook_with(tmp_path, NOTICES.replace(old, new))) == [expected]


def test_a_notice_for_an_audience_without_recipients_reaches_nobody(tmp_path: Path) -> None:
    assert problems_of(tmp_path, BASE + NOTICES) == [
        "57:17: warning: notice 'week' reaches nobody in audience 'drift': it has no "
        "recipients file [unreachable]",
        "61:17: warning: notice 'hour' reaches nobody in audience 'drift': it has no "
        "recipients file [unreachable]",
    ]


def test_a_long_notice_sms_is_measured_in_segments(tmp_path: Path) -> None:
    long = "Servicefönster " * 40
    found = problems_of(tmp_path, runbook_with(tmp_path, NOTICES.replace("Om en timme:", long)))
    assert len(found) == 1
    assert "warning: SMS is 5 segments" in found[0]


@pytest.mark.parametrize(
    ("text", "minutes"), [("7d", 7 * 1440), ("24h", 1440), ("1h", 60), ("1d12h", 2160),
                          ("90m", 90)]
)  # fmt: skip
def test_offsets(text: str, minutes: int) -> None:
    offset = parse_offset(text)
    assert offset == dt.timedelta(minutes=minutes)
    assert parse_offset(format_offset(offset)) == offset


@pytest.mark.parametrize("text", ["0h", "", "7 days", "-1h", "36d"])
def test_offsets_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"offset|35 days"):
        parse_offset(text)


def test_moments_and_values_of_the_bundled_runbook() -> None:
    runbook = load_valid(Path("runbooks/release-21.0.yaml")).runbook
    assert runbook is not None
    plan = timeline(runbook)
    moments = {n.id: moment(plan, n) for n in runbook.notices}
    # 23:00 CET on Saturday 27 November 2021 is 22:00 UTC.
    assert moments == {
        "vecka": dt.datetime(2021, 11, 20, 22, 0, tzinfo=dt.UTC),
        "dygn": dt.datetime(2021, 11, 26, 22, 0, tzinfo=dt.UTC),
        "timme": dt.datetime(2021, 11, 27, 21, 0, tzinfo=dt.UTC),
    }
    assert [late_after(n) for n in runbook.notices] == [
        dt.timedelta(hours=12), dt.timedelta(hours=6), dt.timedelta(minutes=15)
    ]  # fmt: skip
    values = notice_values(runbook, plan)
    assert values["window_day"] == "lördag 27 november"
    assert values["window_end_date"] == "2021-11-28"
    assert values["services"].startswith("E-recept, Läkemedelsförteckningen")
    located = notice_for(runbook, "timme")
    assert located is not None
    assert sample_values(runbook, Event.NOTICE, None)["window_day"] == "lördag 27 november"
