"""Every runbook this repository ships validates, and 21.0 carries the approved SMS texts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.runbook.catalog import base_values, message_for, texts_for
from gonogo.runbook.events import Event
from gonogo.runbook.model import Runbook
from gonogo.runbook.segments import measure
from gonogo.runbook.template import render
from gonogo.runbook.validate import validate_file

ROOT = Path(__file__).resolve().parents[1]
RELEASE_21 = ROOT / "runbooks" / "release-21.0.yaml"
BUNDLED = sorted([*ROOT.glob("runbooks/*.yaml"), *ROOT.glob("examples/*.yaml")])


def test_there_are_bundled_runbooks() -> None:
    names = [p.relative_to(ROOT).as_posix() for p in BUNDLED]
    assert "runbooks/release-21.0.yaml" in names
    assert len([n for n in names if n.startswith("examples/")]) >= 3


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_bundled_runbook_has_no_errors(path: Path) -> None:
    loaded = validate_file(path)
    assert loaded.runbook is not None
    assert [d.text() for d in loaded.errors] == []


def test_release_21_has_no_warnings_either() -> None:
    assert [d.text() for d in validate_file(RELEASE_21).diagnostics] == []


def test_gonogo_validate_accepts_release_21() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "validate", str(RELEASE_21)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "1 file checked: 0 error(s), 0 warning(s): valid\n"


# The eight SMS of "SMS-utskick produktionsnatten" in seeds/001, the approved wording,
# with the lines the PDF wrapped joined. The draft's 3 and 4 are one line there ("Nu har
# del 1/ del 2, av servicefönstret ...", "separata sms"): two SMS in the form of 5 and 6.
APPROVED = [
    "Nu startar servicefönster för produktionssättning av release 21.0. VARA exportfil "
    "kommer bli försenad. Vi beklagar eventuella problem i samband med servicefönstret.",
    "Arbetet med del 1 av 5 pågår enligt plan.",
    *(
        f"Nu har del {n} av servicefönstret genomförts med lyckat resultat. Installationen "
        "fortsätter enligt plan."
        for n in (1, 2, 3, 4)
    ),
    "Nu har del 5 av 5 av servicefönstret genomförts med lyckat resultat. Vi öppnar tjänsten "
    "för externtrafik och anslutna aktörer kan övervaka flödet på sin sida.",
    "Produktionssättning av release 21.0 är genomförd och verifierad med gott resultat. "
    "Servicefönstret avslutas.",
]


def release_21() -> Runbook:
    loaded = validate_file(RELEASE_21)
    assert loaded.runbook is not None
    return loaded.runbook


def night_sms(runbook: Runbook, audience: str) -> list[str]:
    """The SMS of the night as they go out to `audience`, rendered with the night's values."""
    moments: list[tuple[Event, int | None]] = [(Event.WINDOW_STARTED, None)]
    for number, part in enumerate(runbook.parts, start=1):
        if part.status_message:
            moments.append((Event.PART_STATUS, number))
        moments.append((Event.PART_COMPLETED, number))
    moments.append((Event.WINDOW_COMPLETED, None))
    texts = []
    for event, number in moments:
        located = message_for(runbook, event, number)
        assert located is not None, (event, number)
        assert audience in located.message.audiences
        values = base_values(runbook)
        if number is not None:
            part = runbook.parts[number - 1]
            values |= {"part_number": str(number), "part_id": part.id, "part_title": part.title}
        chosen = texts_for(located.message, audience, None, runbook.release.language)
        assert chosen.sms is not None
        texts.append(render(chosen.sms, values))
    return texts


@pytest.mark.parametrize("audience", ["vard", "apotek", "intern"])
def test_release_21_sends_the_eight_approved_sms_verbatim(audience: str) -> None:
    assert night_sms(release_21(), audience) == APPROVED


def test_release_21_plan_matches_the_seed() -> None:
    runbook = release_21()
    assert [p.id for p in runbook.parts] == [
        "databas",
        "migrering",
        "miljoer",
        "intern-verifiering",
        "ev",
    ]
    assert [p.status_message for p in runbook.parts] == [True, False, False, False, False]
    assert runbook.release.timezone == "Europe/Stockholm"
    assert (runbook.window.start.isoformat(), runbook.window.end.isoformat()) == (
        "23:00:00",
        "07:00:00",
    )
    assert runbook.window.date.isoformat() == "2021-11-27"
    assert runbook.verification is not None
    assert runbook.verification.gates == "ev"
    assert sorted(
        (p.organisation, p.system) for p in runbook.verification.participants.values()
    ) == [
        ("Apoteket AB", "Rex"),
        ("Region Dalarna", "TakeCare"),
        ("Region Jönköping", "Cosmic"),
        ("Region Kalmar", "Cosmic"),
        ("Region Norrbotten", "VAS"),
        ("Region Stockholm", "TakeCare"),
        ("Region Örebro", "NCS Cross"),
    ]


def test_the_approved_texts_are_gsm_7() -> None:
    """Swedish letters are in the GSM-7 basic set: no text falls back to UCS-2."""
    for text in APPROVED:
        assert measure(text).encoding == "GSM-7", text
    assert [measure(t).segments for t in APPROVED] == [2, 1, 1, 1, 1, 1, 1, 1]
