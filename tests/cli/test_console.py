"""The console script's garbage-collector policy (see gonogo.console)."""

from __future__ import annotations

import pytest

from gonogo.console import young_threshold


@pytest.mark.parametrize(
    ("args", "threshold"),
    [
        (["validate", "runbook.yaml"], 50_000),
        (["go", "1", "--yes"], 700),
        (["start", "runbook.yaml"], 700),
        (["rehearse", "runbook.yaml", "--all-paths"], 700),
        ([], 700),
    ],
)
def test_only_validate_collects_less_often(args: list[str], threshold: int) -> None:
    # A night's dispatch of thousands of messages collects as Python always does.
    assert young_threshold(args) == threshold
