"""The console script's garbage-collector policy (see gonogo.console)."""

from __future__ import annotations

import pytest

from gonogo.console import collects_during


@pytest.mark.parametrize(
    ("args", "collects"),
    [
        (["validate", "runbook.yaml"], False),
        (["go", "1", "--yes"], True),
        (["start", "runbook.yaml"], True),
        (["rehearse", "runbook.yaml", "--all-paths"], True),
        ([], True),
    ],
)
def test_only_validate_runs_without_the_cyclic_collector(args: list[str], collects: bool) -> None:
    # A night's dispatch of thousands of messages must collect as usual.
    assert collects_during(args) is collects
