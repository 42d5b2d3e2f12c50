"""Claiming Messages listed at Twilio for the sends whose outcome is unknown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gonogo.notify.reconcile import (
    CLOCK_SKEW,
    CLOCK_SLACK,
    InDoubtSms,
    ListedSms,
    Matched,
    earliest,
    match_in_doubt,
)

T0 = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TO = "+46701234567"
BODY = "Release 21.0: del 1 av 5 klar. Go för del 2."


def msg(sid: str, *, seconds: int = 10, to: str = TO, body: str = BODY,
        status: str = "queued") -> ListedSms:  # fmt: skip
    return ListedSms(sid, to, body, status, T0 + timedelta(seconds=seconds))


def row(key: int, *, to: str = TO, body: str = BODY, since: datetime = T0) -> InDoubtSms:
    return InDoubtSms(key=key, order=key, to=to, body=body, since=since)


def test_a_queued_message_accounts_for_its_row() -> None:
    assert match_in_doubt([row(1)], [msg("SM1")]).found == {1: msg("SM1")}


@pytest.mark.parametrize("status", ["accepted", "scheduled", "sending", "failed", "delivered"])
def test_every_status_counts(status: str) -> None:
    assert match_in_doubt([row(1)], [msg("SM1", status=status)]).found == {
        1: msg("SM1", status=status)
    }


def test_a_different_body_is_not_claimed() -> None:
    assert match_in_doubt([row(1)], [msg("SM1", body="Go för del 3.")]).found == {}


def test_a_different_number_is_not_claimed() -> None:
    assert match_in_doubt([row(1)], [msg("SM1", to="+46709999999")]).found == {}


def test_a_message_within_the_clock_skew_before_the_request_is_claimed() -> None:
    # Twilio's clock may be up to CLOCK_SKEW behind ours.
    early = msg("SM1", seconds=-int(CLOCK_SKEW.total_seconds()))
    assert match_in_doubt([row(1)], [early]) == Matched(found={1: early})


@pytest.mark.parametrize("seconds", [-3, -30, -59])
def test_a_message_from_before_the_request_is_never_claimed_nor_resent(seconds: int) -> None:
    """Another run sent the same text a little earlier: not this row's, unless the
    clocks differ by far more than the skew; neither claimed nor sent again."""
    matched = match_in_doubt([row(1)], [msg("SM-other", seconds=seconds)])

    assert matched.found == {}
    assert list(matched.unsure) == [1]
    assert f"{-seconds} s before its request" in matched.unsure[1]


def test_a_message_older_than_the_slack_is_another_runs() -> None:
    old = msg("SM-other", seconds=-int((CLOCK_SKEW + CLOCK_SLACK).total_seconds()) - 1)
    assert earliest(row(1)) > old.date_created  # not even listed in practice
    assert match_in_doubt([row(1)], [old]) == Matched()  # not at Twilio: sent again


def test_the_rows_own_message_is_claimed_not_an_older_one() -> None:
    mine, other = msg("SM-mine", seconds=1), msg("SM-other", seconds=-20)

    assert match_in_doubt([row(1)], [mine, other]) == Matched(found={1: mine})


def test_more_fitting_messages_than_rows_leave_the_rows_unsure() -> None:
    found = [msg("SM1", seconds=1), msg("SM2", seconds=2)]  # another run's among them

    matched = match_in_doubt([row(1)], found)

    assert matched.found == {}
    assert "2 Messages with its text" in matched.unsure[1]
    assert match_in_doubt([row(1), row(2)], found).found == {1: found[0], 2: found[1]}


def test_since_is_compared_to_the_second() -> None:
    since = T0 + timedelta(seconds=10, milliseconds=700)  # Twilio says 01:00:10
    assert match_in_doubt([row(1, since=since)], [msg("SM1")]).found == {1: msg("SM1")}


def test_two_rows_with_the_same_text_claim_two_messages() -> None:
    found = [msg("SM2", seconds=12), msg("SM1", seconds=11)]  # newest first, as listed

    assert match_in_doubt([row(2), row(1)], found).found == {1: msg("SM1", seconds=11),
                                                        2: msg("SM2", seconds=12)}  # fmt: skip
    assert match_in_doubt([row(1), row(2)], found[:1]).found == {1: msg("SM2", seconds=12)}


def test_a_message_is_listed_twice_but_claimed_once() -> None:
    assert match_in_doubt([row(1), row(2)], [msg("SM1"), msg("SM1")]).found == {1: msg("SM1")}


def test_claimed_messages_belong_to_other_rows() -> None:
    found = [msg("SM1", seconds=1), msg("SM2", seconds=2)]
    assert match_in_doubt([row(1)], found, claimed={"SM1"}).found == {1: msg("SM2", seconds=2)}
    assert match_in_doubt([row(1)], found, claimed={"SM1", "SM2"}).found == {}


def test_the_earlier_row_does_not_take_what_only_fits_the_later_one() -> None:
    # Row 1's dispatch began at T0, row 2's a minute later; the one Message from
    # before the second dispatch can only be row 1's.
    late = row(2, since=T0 + timedelta(minutes=1))
    found = [msg("SM-late", seconds=70), msg("SM-early", seconds=5)]

    assert match_in_doubt([late, row(1)], found).found == {1: msg("SM-early", seconds=5),
                                                      2: msg("SM-late", seconds=70)}  # fmt: skip


def test_since_must_be_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        match_in_doubt([row(1, since=datetime(2026, 11, 22, 1, 0))], [msg("SM1")])


def test_undelivered_statuses() -> None:
    assert msg("a", status="failed").undelivered
    assert msg("b", status="canceled").undelivered
    assert not msg("c", status="queued").undelivered
