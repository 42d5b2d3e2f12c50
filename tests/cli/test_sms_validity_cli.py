"""A real night through the CLI: every SMS request Twilio gets says how long it may wait.

The Twilio-compatible server on 127.0.0.1 records every request; each SMS one must
carry the `ValidityPeriod` of its message, a resent one too, even after the runbook
changed.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

from .test_delivery_cli import RUNBOOKS, gonogo, night, start

__all__ = ["night"]  # the fixture, used by name

IN_DOUBT = "+46701740621"  # Apotek Exempel Nord
START_VALIDITY = '    sms_validity: 30m  # "nu startar"'


def test_every_sms_request_of_a_night_carries_its_validity(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    del smtp_server
    twilio_server.fail_for(IN_DOUBT, "drop", times=1)
    done = start(night)
    assert done.returncode == 3, done.stdout + done.stderr  # one SMS in doubt
    # The release manager shortens the start message's validity before resuming: the
    # resent SMS keeps what was journaled when the window started.
    runbook = night["runbook"]
    text = runbook.read_text(encoding="utf-8")
    assert text.count(START_VALIDITY) == 1
    shorter = START_VALIDITY.replace("30m", "5m")
    runbook.write_text(text.replace(START_VALIDITY, shorter), "utf-8")
    resumed = gonogo(night["state"], "resume", "--accept-changed-runbook", env=night["env"])
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    started_posts = len([r for r in twilio_server.requests if r.method == "POST"])
    for step in (("progress",), ("go", "1")):
        done = gonogo(night["state"], *step, env=night["env"])
        assert done.returncode == 0, done.stdout + done.stderr

    posts = [r for r in twilio_server.requests if r.method == "POST"]
    assert len(posts) > started_posts > 1
    assert [r for r in posts if "ValidityPeriod" not in r.form] == []
    # window_started: its own 30m, resent included (never the runbook's new 5m); the
    # rest: channels.sms.validity, 1h. Each counts from its decision, so a send made
    # seconds later asks for those seconds less.
    assert all(1740 <= int(r.form["ValidityPeriod"]) <= 1800 for r in posts[:started_posts])
    assert [r.form["To"] for r in posts[:started_posts]].count(IN_DOUBT) == 2
    assert all(3540 <= int(r.form["ValidityPeriod"]) <= 3600 for r in posts[started_posts:])


def test_messages_shows_how_long_each_sms_may_wait() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gonogo", "messages", str(RUNBOOKS / "release-21.0.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()

    def validity_after(title: str) -> str:
        heading = next(i for i, line in enumerate(lines) if line.startswith(title + " ["))
        return lines[heading + 1]

    said = "SMS validity {}: dropped if still in Twilio's queue by then"
    assert validity_after("window opens") == "  " + said.format("30m")  # its own
    assert validity_after("part 1 Go (databas)") == "  " + said.format("1h")  # the channel's
    assert validity_after("notice vecka (7d before)") == "  " + said.format("10h")
