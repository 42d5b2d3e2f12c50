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
        "  SMS till Vårdgivare (vard): 7 mottagare, sv 6, en 1; GSM-7, 2 segment",
        "  SMS till Apotek (apotek): 5 mottagare, sv 5; GSM-7, 2 segment",
        "  SMS till Intern (E-hälsomyndigheten) (intern): 5 mottagare, sv 5; GSM-7, 1 segment",
        "  E-post till Vårdgivare (vard): 7 mottagare, sv 6, en 1",
        "  E-post till Apotek (apotek): 5 mottagare, sv 5",
        "  E-post till Intern (E-hälsomyndigheten) (intern): 5 mottagare, sv 5",
        "  PRESSMEDDELANDE per e-post till Press (press): 3 mottagare, sv 3",
    ]
    lines = shown.stdout.splitlines()
    assert lines[0] == "ÖVNING (torrkörning): inget skickas; meddelandena hamnar i utkorgen."
    assert lines[1] == "incident_opened (INC-1): 7 texter till 37 mottagare"
    assert "    Ämne: " in shown.stdout
    assert shown.stdout.endswith("Lägga meddelandena i utkorgen (torrkörning)? [j/N]: ")
    assert shown.returncode == 1  # not confirmed: nothing journaled or sent


def test_an_english_runbook_previews_in_english(tmp_path: Path) -> None:
    from render import english_runbook  # noqa: PLC0415

    runbook = english_runbook(tmp_path)
    assert _gonogo(tmp_path, "start", str(runbook), "--yes").returncode == 0
    shown = _gonogo(tmp_path, "incident", "open", "--priority", "1", "--summary", "Slow",
                    "--services", "erecept", stdin="n\n")  # fmt: skip
    lines = shown.stdout.splitlines()
    assert lines[0] == "REHEARSAL (dry run): nothing is sent; messages go to the outbox."
    assert lines[1] == "incident_opened (INC-1): 7 text(s) to 37 recipient(s)"
    assert "  SMS to Apotek (apotek): 5 recipient(s), sv 5; GSM-7, 1 segment(s)" in lines
    assert "  PRESS STATEMENT by e-mail to Press (press): 3 recipient(s), sv 3" in lines
    assert "    Subject: " in shown.stdout
    assert shown.stdout.endswith("Write these to the outbox (dry run)? [y/N]: ")
    assert shown.returncode == 1


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


def test_the_pace_reads_in_swedish() -> None:
    lines = preview_lines([_planned(300, TWO_SEGMENTS)], dry_run=False, rates={"sms": 10.0},
                          language="sv")  # fmt: skip
    assert lines[:2] == [
        "window_started: 1 text till 300 mottagare",
        "  SMS till 300 (600 segment): med runbookens rate_limit på 10 segment per sekund tar "
        "det cirka 1 min",
    ]
