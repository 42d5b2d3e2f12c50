"""The journal's summary of delivery counts: how many rows of each text are in each status.

`status`, `log`, `report` and every decision need the counts per dispatch and text, not
the rows. Finding each delivery's latest status in the log costs a scan of every status
change ever journaled (hundreds of thousands on a national night), so each backend also
keeps, in the same transaction as the rows and status changes themselves:

- `texts`: one row per dispatch and distinct message (channel, audience, language,
  subject, body), the unit the counts are kept by;
- `text_counts`: appended, never changed: for each text the change in its count of each
  status that a transaction made (+n pending as rows are journaled; -1 pending +1
  in_flight as one is claimed, ...).

A text's count in a status is the sum of its changes. The log stays the truth: the
summary is derived from it, can be rebuilt from it (`journal copy` does), and
`gonogo journal check` compares the two. This module is the pure part both backends share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from gonogo.night.journal import Mark, Status

# dispatch, channel, audience, language, subject, body
TextKey = tuple[int, str, str, str, str | None, str]

# How many ids one `IN (...)` query names: below SQLite's default variable limit.
CHUNK = 500


def effective(status: str, code: str | None) -> Status:
    """A logged status as the night reads it: journals written before `in_doubt` had
    its own status marked such e-mails sent with the code `in-doubt`."""
    if status == Status.SENT and code == "in-doubt":
        return Status.IN_DOUBT
    return Status(status)


def changes(
    current: Mapping[int, tuple[int, Status]], marks: Iterable[Mark]
) -> dict[tuple[int, Status], int]:
    """The change in each (text, status) count that `marks` make, applied in order.

    `current` maps each marked delivery to its text and its latest status before the
    marks. A mark for a delivery it does not name changes no count (the backend refuses
    the row itself). Zero changes are left out.
    """
    now = dict(current)
    out: Counter[tuple[int, Status]] = Counter()
    for mark in marks:
        found = now.get(mark.delivery)
        if found is None:
            continue
        text, old = found
        new = effective(mark.status, mark.code)
        if new != old:
            out[(text, old)] -= 1
            out[(text, new)] += 1
        now[mark.delivery] = (text, new)
    return {key: n for key, n in out.items() if n}


def chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
