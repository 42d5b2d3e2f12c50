"""The confirmation preview: what goes out, and how long it takes at the runbook's pace."""

from __future__ import annotations

import pytest

from gonogo.night.dispatch import PlannedDispatch
from gonogo.night.journal import NewDelivery
from gonogo.night.machine import Effect
from gonogo.render.preview import preview_lines
from gonogo.runbook.events import Event


def _planned(count: int) -> PlannedDispatch:
    rows = [
        NewDelivery("sms", "vard", f"+4670{n:07d}", f"R{n}", "sv", None, "Nu startar fönstret.")
        for n in range(count)
    ]
    return PlannedDispatch(Effect(Event.WINDOW_STARTED), None, {}, rows)


@pytest.mark.parametrize(
    ("count", "eta"),
    [
        (10_000, "    at the runbook's rate_limit of 10 a second this takes about 17 min"),
        (599, None),  # under a minute: nothing to say
    ],
)
def test_preview_says_how_long_the_fan_out_takes(count: int, eta: str | None) -> None:
    lines = preview_lines([_planned(count)], dry_run=False, rates={"sms": 10.0})
    assert lines[1] == f"  SMS to {count} recipient(s): vard {count}"
    assert (lines[2] == eta) if eta else not lines[2].startswith("    at the")
