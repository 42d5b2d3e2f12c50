"""The confirmation before an incident's texts: each labelled with whom it reaches."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from gonogo.night.dispatch import PlannedDispatch
from gonogo.night.journal import NewDelivery
from gonogo.night.machine import Effect
from gonogo.render.preview import preview_lines
from gonogo.runbook.events import Event
from gonogo.runbook.segments import measure
from servers.gonogo_forks import gonogo as forked

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "runbooks" / "release-21.0.yaml"


def _gonogo(state: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return forked([*args, "--dry-run", "--state-dir", str(state)], stdin=stdin)


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


def _planned(count: int, body: str = "Nu startar fönstret.") -> PlannedDispatch:
    rows = [
        NewDelivery("sms", "vard", f"+4670{n:07d}", f"R{n}", "sv", None, body) for n in range(count)
    ]
    return PlannedDispatch(Effect(Event.WINDOW_STARTED), None, {}, rows)


# 161 GSM-7 characters: one over a single SMS, so two segments.
TWO_SEGMENTS = "Servicefönstret för release 21.0 har startat. " * 3 + "x" * 23


@pytest.mark.parametrize(
    ("count", "body", "eta"),
    [
        (
            10_000,
            "Nu startar fönstret.",
            "  SMS to 10000: at the runbook's rate_limit of 10 segments a second this takes "
            "about 17 min",
        ),
        # Twilio's rate is in segments: two-segment texts take twice as long.
        (
            10_000,
            TWO_SEGMENTS,
            "  SMS to 10000 (20000 segments): at the runbook's rate_limit of 10 segments a "
            "second this takes about 33 min",
        ),
        (599, "Nu startar fönstret.", None),  # under a minute: nothing to say
        (
            300,
            TWO_SEGMENTS,
            "  SMS to 300 (600 segments): at the runbook's rate_limit of 10 "
            "segments a second this takes about 1 min",
        ),
    ],
)
def test_preview_says_how_long_the_fan_out_takes(count: int, body: str, eta: str | None) -> None:
    assert measure(TWO_SEGMENTS).segments == 2
    lines = preview_lines([_planned(count, body)], dry_run=False, rates={"sms": 10.0})
    assert lines[0] == f"window_started: 1 text(s) to {count} recipient(s)"
    assert (lines[1] == eta) if eta else "rate_limit" not in lines[1]
