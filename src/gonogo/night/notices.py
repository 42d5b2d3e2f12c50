"""Advance notices as the journal has them: which went out, when, for which window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gonogo.night.entries import Announced, Entry


@dataclass(frozen=True)
class NoticeSent:
    """The latest time a notice went out: the entry that sent it and the window it named."""

    seq: int
    at: dt.datetime
    by: str
    window_start: dt.datetime
    late: bool = False


def apply_announce(sent: dict[str, NoticeSent], entry: Entry) -> None:
    """Fold one entry into `sent` (notice id -> NoticeSent); other entries change nothing."""
    payload = entry.payload
    if not isinstance(payload, Announced):
        return
    start = dt.datetime.fromisoformat(payload.window_start)
    for notice in payload.notices:
        sent[notice] = NoticeSent(entry.seq, entry.at, entry.operator, start,
                                  notice in payload.late)  # fmt: skip
