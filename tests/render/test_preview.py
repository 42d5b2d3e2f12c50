"""The confirmation before an incident's texts: each labelled with whom it reaches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.night.dispatch import PlannedDispatch
from gonogo.night.journal import NewDelivery
from gonogo.night.machine import Effect
from gonogo.render.preview import preview_lines
from gonogo.runbook.events import Event

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"


def _gonogo(state: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gonogo", *args, "--dry-run", "--state-dir", str(state)],
        input=stdin, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip


def test_every_text_says_channel_audience_language_and_count(tmp_path: Path) -> None:
    assert _gonogo(tmp_path, "start", str(RUNBOOK), "--yes").returncode == 0
    shown = _gonogo(tmp_path, "incident", "open", "--priority", "1", "--summary", "Långsamt",
                    "--services", "erecept", stdin="n\n")  # fmt: skip
    heads = [line for line in shown.stdout.splitlines() if line.startswith("  ") and
             not line.startswith("    ")]  # fmt: skip
    assert heads == [
        "  SMS to Vårdgivare (vard): 7 recipient(s), sv 6, en 1; GSM-7, 2 segment(s)",
        "  SMS to Apotek (apotek): 5 recipient(s), sv 5; GSM-7, 2 segment(s)",
        "  SMS to Intern (E-hälsomyndigheten) (intern): 5 recipient(s), sv 5; GSM-7, 1 segment(s)",
        "  E-mail to Vårdgivare (vard): 7 recipient(s), sv 6, en 1",
        "  E-mail to Apotek (apotek): 5 recipient(s), sv 5",
        "  E-mail to Intern (E-hälsomyndigheten) (intern): 5 recipient(s), sv 5",
        "  PRESS STATEMENT by e-mail to Press (press): 3 recipient(s), sv 3",
    ]
    assert "incident_opened (INC-1): 7 text(s) to 37 recipient(s)" in shown.stdout
    assert shown.returncode == 1  # not confirmed: nothing journaled or sent


def _planned(count: int) -> PlannedDispatch:
    rows = [
        NewDelivery("sms", "vard", f"+4670{n:07d}", f"R{n}", "sv", None, "Nu startar fönstret.")
        for n in range(count)
    ]
    return PlannedDispatch(Effect(Event.WINDOW_STARTED), None, {}, rows)


@pytest.mark.parametrize(
    ("count", "eta"),
    [
        (
            10_000,
            "  SMS to 10000: at the runbook's rate_limit of 10 a second this takes about 17 min",
        ),
        (599, None),  # under a minute: nothing to say
    ],
)
def test_preview_says_how_long_the_fan_out_takes(count: int, eta: str | None) -> None:
    lines = preview_lines([_planned(count)], dry_run=False, rates={"sms": 10.0})
    assert lines[0] == f"window_started: 1 text(s) to {count} recipient(s)"
    assert (lines[1] == eta) if eta else "rate_limit" not in lines[1]
