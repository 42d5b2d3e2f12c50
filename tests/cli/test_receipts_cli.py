"""`gonogo deliveries --refresh`: receipts from the Twilio-compatible server, journaled once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from documented_json import checked
from servers.smtp import SmtpServer
from servers.twilio_fake import TwilioFake

from .test_delivery_cli import gonogo, night, query, start

__all__ = ["night"]  # the fixture, used by name

UNDELIVERED_TO = "+46701740621"  # Apotek Exempel Nord


def test_refresh_journals_what_reached_the_phone_once(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer
) -> None:
    assert start(night).returncode == 0
    del smtp_server
    sent = len(twilio_server.messages)
    twilio_server.delivered_after = 0.0
    twilio_server.pin_status(UNDELIVERED_TO, "undelivered", 30003)
    before = len(twilio_server.requests)
    done = gonogo(night["state"], "deliveries", "--refresh", env=night["env"], yes=False)
    assert done.returncode == 0, done.stderr
    assert f"Leveranskvitton journalförda: {sent - 1} levererade, 1 kom aldrig fram." in done.stdout
    assert (
        f"kom aldrig fram: window_started sms apotek {UNDELIVERED_TO}: Twilio-fel 30003"
        in done.stdout
    )
    assert "Till telefonen" in done.stdout
    # One list call for the whole night, filtered on the send date, not one per Message.
    lists = [r for r in twilio_server.requests[before:] if r.method == "GET"]
    assert len(lists) == 1
    assert "DateSent>" in lists[0].query
    assert "To" not in lists[0].query
    status = gonogo(night["state"], "status", "--json", env=night["env"], yes=False)
    counts = checked("status", status.stdout)["deliveries"]
    assert (counts["delivered_to_phone"], counts["never_arrived"]) == (sent - 1, 1)
    # Each delivery's receipt, in the documented shape; an e-mail has none.
    listed = gonogo(night["state"], "deliveries", "--all", "--json", env=night["env"], yes=False)
    assert listed.returncode == 0, listed.stderr
    document = checked("deliveries", listed.stdout)
    assert document["all"] is True
    receipts = [(d["channel"], d["address"], d["receipt"]) for d in document["deliveries"]]
    undelivered = {"status": "undelivered", "code": "30003"}
    assert [r for c, a, r in receipts if c == "sms" and a == UNDELIVERED_TO] == [undelivered]
    assert [r for c, a, r in receipts if c == "sms" and r != undelivered] == [
        {"status": "delivered", "code": None}
    ] * (sent - 1)
    assert {r for c, _a, r in receipts if c == "email"} == {None}
    # Again: nothing changed, nothing journaled.
    again = gonogo(night["state"], "deliveries", "--refresh", env=night["env"], yes=False)
    assert again.returncode == 0, again.stderr
    assert "Leveranskvitton journalförda" not in again.stdout
    assert len(query(night["state"], "SELECT seq FROM events WHERE kind = 'receipts'")) == 1
    # A later change of status is journaled as a change.
    twilio_server.pin_status(UNDELIVERED_TO, "delivered")
    third = gonogo(night["state"], "deliveries", "--refresh", env=night["env"], yes=False)
    assert "Leveranskvitton journalförda: 1 levererade, 0 kom aldrig fram." in third.stdout
    assert "kom aldrig fram: window_started" not in third.stdout


def test_the_report_shows_what_reached_the_phone_beside_what_twilio_accepted(
    night: dict[str, Any], twilio_server: TwilioFake, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    assert start(night).returncode == 0
    del smtp_server
    twilio_server.delivered_after = 0.0
    twilio_server.pin_status(UNDELIVERED_TO, "undelivered", 30003)
    done = gonogo(night["state"], "deliveries", "--refresh", env=night["env"], yes=False)
    assert done.returncode == 0, done.stderr
    report = gonogo(night["state"], "report", env=night["env"], yes=False)
    assert report.returncode == 0, report.stderr
    row = next(line for line in report.stdout.splitlines() if "| window_started |" in line)
    # Accepted by Twilio: 3 SMS to Apotek; on the phone: 2; one never arrived.
    assert "Apotek sms 3 (2 till telefonen, 1 kom aldrig fram)" in row
    assert "Apotek e-post 2;" in row  # e-mail has no receipts: nothing added
    assert "Till telefonen: Twilios leveranskvitto, enligt senaste" in report.stdout
    assert (
        " window_started: sms till Apotek Exempel Nord (apotek) kom aldrig fram [30003]\n"
        in report.stdout
    )
    html = tmp_path / "report.html"
    out = gonogo(night["state"], "report", "--format", "html", "--out", str(html),
                 env=night["env"], yes=False)  # fmt: skip
    assert out.returncode == 0, out.stderr
    text = html.read_text(encoding="utf-8")
    assert '(2 till telefonen, <span class="late">1 kom aldrig fram</span>)' in text
