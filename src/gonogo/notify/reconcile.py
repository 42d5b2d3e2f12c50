"""Which Messages at Twilio account for which SMS whose outcome is unknown.

After a crash or a lost response, a row in flight may or may not have become a
Message. Twilio has no idempotency key, so the only way to know is to list the
Messages to the number (`TwilioSms.messages_to`) and claim one per row. This module
is the claiming: pure, no I/O, so every rule of it is tested without a server.

The rules, each from a way duplicates or losses happened before:
- same number and same body: any other Message to the number (a status update sent a
  minute earlier, another tool's text) is not this row's;
- any status counts: a Message still `queued`, `accepted` or `scheduled` reached
  Twilio just as much as a `delivered` one, and so did a `failed` one;
- each Message is claimed for one row only, and Messages another row already
  accounts for (their SIDs are in the journal) are claimed for none: two rows with the
  same text to the same number need two Messages;
- oldest first: rows in the order they became due, each takes the oldest Message
  that fits, so a row never takes a Message an earlier row needed;
- no earlier than the request: a row's Message is created after its in-flight mark
  (journaled just before the request) by Twilio's clock, which may be a little behind
  ours (`CLOCK_SKEW`). Equal texts across runs are normal (a part's text need not name
  the release), so a Message older than that is another run's, unless the clocks
  differ by more than the skew;
- never a guess: where the listing cannot tell, the row is unsure, neither claimed
  nor sent again (a resend could be a duplicate, a claim a loss). That is so when
  a Message fits only if the clocks differ by more than the skew (created within
  `CLOCK_SLACK` before the floor), and when more Messages fit the rows of one number
  and text than there are rows (another run sent the same text at the same time).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

# Statuses in which a Message will never reach the handset; it still reached Twilio.
UNDELIVERED = frozenset({"failed", "undelivered", "canceled"})

# How far Twilio's clock may be behind ours and a Message still be a row's for sure.
# Twilio's `date_created` is whole seconds (the floor is taken to the second below),
# and a host kept by NTP is within a fraction of a second of it.
CLOCK_SKEW = timedelta(seconds=2)
# How much further back a Message with the row's text makes the row unsure rather
# than sent again: a host clock that is wrong by up to a minute does not cause a
# duplicate, it leaves the operator to settle the row.
CLOCK_SLACK = timedelta(minutes=1)


@dataclass(frozen=True)
class ListedSms:
    """One Message as Twilio lists it."""

    sid: str
    to: str
    body: str
    status: str  # queued, accepted, scheduled, sending, sent, delivered, undelivered, ...
    date_created: datetime  # aware, UTC, whole seconds (Twilio's resolution)

    @property
    def undelivered(self) -> bool:
        """Twilio took it, but it failed or was cancelled: it will not arrive."""
        return self.status in UNDELIVERED


@dataclass(frozen=True)
class InDoubtSms:
    """A send whose outcome is unknown.

    `key` is the caller's name for it (a delivery row id); `since` is when its
    request could first have left (aware): its in-flight mark, journaled just before.
    """

    key: Hashable
    order: int  # rows that became due earlier have a lower order (a row id will do)
    to: str
    body: str
    since: datetime


@dataclass(frozen=True)
class Matched:
    """What the listing says of the rows: the rows in neither are not at Twilio."""

    found: dict[Hashable, ListedSms] = field(default_factory=dict)  # the row's Message
    unsure: dict[Hashable, str] = field(default_factory=dict)  # why it cannot tell


def earliest(row: InDoubtSms, *, skew: timedelta = CLOCK_SKEW,
             slack: timedelta = CLOCK_SLACK) -> datetime:  # fmt: skip
    """The oldest creation time a Message must be listed from to judge `row`."""
    return _floor(row, skew) - slack


def match_in_doubt(
    rows: Iterable[InDoubtSms],
    found: Iterable[ListedSms],
    *,
    claimed: Collection[str] = (),
    skew: timedelta = CLOCK_SKEW,
    slack: timedelta = CLOCK_SLACK,
) -> Matched:
    """The Message each row accounts for, and the rows the listing cannot settle.

    `found` is what Twilio listed for the rows' numbers since `earliest` of each (in
    any order, duplicates allowed); `claimed` are SIDs rows of this run already hold.
    A row matches a Message with its number and exactly its body, created at or after
    its `since` less `skew` (to the second). Rows are taken earliest `since` first,
    then by `order`; each takes the oldest unclaimed Message that fits. A row is
    unsure when more Messages fit its number and text than there are such rows, or
    when it has no match but a Message with its text was created up to `slack`
    before its floor. A row in neither was not created at Twilio — as far as the
    listing shows — and may be sent again.
    """
    taken = set(claimed)
    pool: dict[tuple[str, str], list[ListedSms]] = {}
    for msg in found:
        if msg.sid in taken:
            continue
        taken.add(msg.sid)
        pool.setdefault((msg.to, msg.body), []).append(msg)
    for candidates in pool.values():
        candidates.sort(key=lambda m: m.date_created)  # stable: ties keep listing order
    groups: dict[tuple[str, str], list[InDoubtSms]] = {}
    for row in sorted(rows, key=lambda r: (_utc(r.since), r.order)):
        groups.setdefault((row.to, row.body), []).append(row)
    result = Matched()
    for text, mine in groups.items():
        candidates = pool.get(text, [])
        fitting = [m for m in candidates if m.date_created >= _floor(mine[0], skew)]
        if len(fitting) > len(mine):
            why = (
                f"{len(fitting)} Messages with its text to {text[0]} were created since its "
                "request, more than there are such rows: another run's are among them"
            )
            result.unsure.update(dict.fromkeys((r.key for r in mine), why))
            continue
        free = list(candidates)
        for row in mine:
            floor = _floor(row, skew)
            fits = next((m for m in free if m.date_created >= floor), None)
            if fits is not None:
                free.remove(fits)
                result.found[row.key] = fits
            elif older := [m for m in free if floor - slack <= m.date_created < floor]:
                ago = (_utc(row.since) - older[-1].date_created).total_seconds()
                result.unsure[row.key] = (
                    f"a Message with its text to {row.to} was created at "
                    f"{older[-1].date_created:%H:%M:%S} UTC, {ago:.0f} s before its request: "
                    "another run's, or its own if the clocks differ"
                )
    return result


def _floor(row: InDoubtSms, skew: timedelta) -> datetime:
    return (_utc(row.since) - skew).replace(microsecond=0)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    return moment.astimezone(UTC)
