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
  that fits, so a row never takes a Message an earlier row needed.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

# Statuses in which a Message will never reach the handset; it still reached Twilio.
UNDELIVERED = frozenset({"failed", "undelivered", "canceled"})


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

    `key` is the caller's name for it (a delivery row id); `since` is the earliest a
    Message of it can have been created (aware): when its dispatch began, less a
    margin for the difference between our clock and Twilio's.
    """

    key: Hashable
    order: int  # rows that became due earlier have a lower order (a row id will do)
    to: str
    body: str
    since: datetime


def match_in_doubt(
    rows: Iterable[InDoubtSms],
    found: Iterable[ListedSms],
    *,
    claimed: Collection[str] = (),
) -> dict[Hashable, ListedSms]:
    """The Message each row accounts for, by row key; a row without one is not in it.

    `found` is what Twilio listed for the rows' numbers (in any order, duplicates
    allowed); `claimed` are SIDs other rows already own. A row matches a Message with
    its number and exactly its body, created at or after its `since` (to the second).
    Rows are taken earliest `since` first, then by `order`; each takes the oldest
    unclaimed Message that fits. A row with no match was not created at Twilio — as
    far as the listing shows — and may be sent again.
    """
    taken = set(claimed)
    pool: dict[tuple[str, str], list[ListedSms]] = {}
    seen: set[str] = set()
    for msg in found:
        if msg.sid in seen:
            continue
        seen.add(msg.sid)
        pool.setdefault((msg.to, msg.body), []).append(msg)
    for candidates in pool.values():
        candidates.sort(key=lambda m: m.date_created)  # stable: ties keep listing order
    matched: dict[Hashable, ListedSms] = {}
    for row in sorted(rows, key=lambda r: (_utc(r.since), r.order)):
        floor = _utc(row.since).replace(microsecond=0)
        for msg in pool.get((row.to, row.body), ()):
            if msg.sid not in taken and msg.date_created >= floor:
                taken.add(msg.sid)
                matched[row.key] = msg
                break
    return matched


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    return moment.astimezone(UTC)
