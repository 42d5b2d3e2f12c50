"""How long Twilio may hold an SMS: `channels.sms.validity` and a message's `sms_validity`."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from gonogo.runbook.validate import load_valid

from .test_checks import EMAIL_CHANNEL, edit, problems_of

CHANNEL = '    sender: "+46701740605"\n'
START_SMS = '    sms: "Start {release}."\n'
RANGE = "out of the range of Twilio's ValidityPeriod, 1 s to 10h (36000 s): give a duration"


def runbook_of(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "runbook.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_an_hour_and_a_message_overrides_it(tmp_path: Path) -> None:
    text = edit(START_SMS, START_SMS + "    sms_validity: 30m\n")
    runbook = load_valid(runbook_of(tmp_path, text)).runbook
    assert runbook.channels.sms is not None
    assert runbook.channels.sms.validity == dt.timedelta(hours=1)
    started, completed = runbook.messages.window_started, runbook.messages.part_completed
    assert started is not None
    assert completed is not None
    assert runbook.sms_validity(started) == dt.timedelta(minutes=30)
    assert runbook.sms_validity(completed) == dt.timedelta(hours=1)


def test_the_channel_default_is_written_as_every_duration(tmp_path: Path) -> None:
    text = edit(CHANNEL, CHANNEL + "    validity: 2h30m\n")
    runbook = load_valid(runbook_of(tmp_path, text)).runbook
    assert runbook.channels.sms is not None
    assert runbook.channels.sms.validity == dt.timedelta(hours=2, minutes=30)
    for limit in ("10h", "1m"):  # both ends of Twilio's range are fine
        text = edit(CHANNEL, CHANNEL + f"    validity: {limit}\n")
        assert problems_of(tmp_path, text) == []


def out_of_range(where: str, key: str, got: str) -> str:
    return f"{where}: error: {key}: {RANGE} from 1m to 10h, got '{got}' [bad-value]"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (CHANNEL, CHANNEL + "    validity: 11h\n", out_of_range("19:15", "validity", "11h")),
        (CHANNEL, CHANNEL + "    validity: 0m\n", out_of_range("19:15", "validity", "0m")),
        # Longer than any duration of the format (a week): still said as Twilio's range.
        (
            START_SMS,
            START_SMS + "    sms_validity: 200h\n",
            out_of_range("34:19", "sms_validity", "200h"),
        ),
        (
            START_SMS,
            START_SMS + "    sms_validity: soon\n",
            "34:19: error: sms_validity: expected a duration like 90m, 1h or 1h30m, "
            "got 'soon' [bad-value]",
        ),
    ],
    ids=["channel-over-10h", "channel-zero", "message-over-a-week", "not-a-duration"],
)
def test_out_of_twilios_range_is_an_error_at_its_key(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert problems_of(tmp_path, edit(old, new)) == [expected]


def test_sms_validity_without_an_sms_text_is_a_warning(tmp_path: Path) -> None:
    email_only = (
        "  window_completed:\n    audiences: [drift]\n    sms_validity: 2h\n"
        "    email:\n      subject: Klart\n      body: Klart.\n"
    )
    text = edit('  window_completed:\n    audiences: [drift]\n    sms: "Klart."\n', email_only)
    text = edit("parts:\n", EMAIL_CHANNEL + "parts:\n", text)
    assert problems_of(tmp_path, text) == [
        "42:5: warning: sms_validity, but the message has no sms text: it changes nothing [no-sms]"
    ]


def test_validate_exits_1_naming_the_file_line_and_key(tmp_path: Path) -> None:
    path = runbook_of(tmp_path, edit(CHANNEL, CHANNEL + "    validity: 12h\n"))
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"{path}:19:15: error: validity: out of the range of Twilio's" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
