"""Hand-built journal entries and the 21.0 runbook, for tests of the night's reducers."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from gonogo.night.entries import Entry, Kind, decode
from gonogo.runbook.model import Runbook
from gonogo.runbook.validate import load_valid

RUNBOOK_PATH = Path(__file__).resolve().parents[2] / "runbooks" / "release-21.0.yaml"
T0 = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)  # 23:00 in Stockholm: 21.0's window opens


def load_21() -> Runbook:
    loaded = load_valid(RUNBOOK_PATH).runbook
    assert loaded is not None
    return loaded


def entry(
    kind: Kind | str,
    minute: float,
    data: dict[str, Any] | None = None,
    part: int | None = None,
    reason: str | None = None,
    *,
    operator: str = "anna",
    seq: int = 0,
    t0: dt.datetime = T0,
) -> Entry:
    """An entry as the journal would read it: `data` is decoded into the kind's payload."""
    kind = Kind(kind)
    return Entry(
        seq=seq, at=t0 + dt.timedelta(minutes=minute), operator=operator, kind=kind, part=part,
        reason=reason, payload=decode(kind, data or {}), runbook_sha256="0" * 64,
    )  # fmt: skip


def numbered(*entries: Entry) -> list[Entry]:
    """The entries with sequence numbers 1, 2, ... as the journal gives them."""
    return [replace(e, seq=n) for n, e in enumerate(entries, start=1)]
