"""The Twilio-compatible server itself behaves as Twilio documents its queue.

Everything else relies on it: a reconciliation test against a fake that lists a
queued Message as sent, or forgets a request whose client died, proves nothing.
"""

from __future__ import annotations

import base64
import json
import socket
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from servers.twilio_fake import TwilioFake, segments

SENDER = "+46701000000"


def call(fake: TwilioFake, method: str, query: str = "", form: dict[str, str] | None = None,
         *, path: str | None = None) -> dict[str, Any]:  # fmt: skip
    url = path or f"/2010-04-01/Accounts/{fake.account_sid}/Messages.json"
    request = urllib.request.Request(
        fake.base_url + url + (f"?{query}" if query else ""),
        data=urlencode(form).encode() if form is not None else None,
        method=method,
    )
    token = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
    request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        result: dict[str, Any] = json.load(response)
    return result


def create(fake: TwilioFake, to: str, body: str = "Go för del 2", **extra: str) -> dict[str, Any]:
    return call(fake, "POST", form={"To": to, "From": SENDER, "Body": body, **extra})


def listed(fake: TwilioFake, **query: str) -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = call(fake, "GET", urlencode(query))["messages"]
    return page


@pytest.mark.parametrize(
    ("body", "count"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("å" * 306, 2),
        ("€" * 80, 1),  # two septets each
        ("€" * 81, 2),
        ("–" * 70, 1),  # one en dash: UCS-2
        ("–" * 71, 2),
        ("–" * 135, 3),
    ],
)
def test_segments_are_counted_as_twilio_does(body: str, count: int) -> None:
    assert segments(body) == count


def test_a_queued_message_has_no_date_sent_until_it_leaves_the_queue() -> None:
    with TwilioFake(segments_per_second=5) as fake:
        first = [create(fake, f"+4670100000{i}") for i in range(3)]
        assert {m["status"] for m in first} == {"queued"}
        assert {m["date_sent"] for m in first} == {None}

        now = {m["sid"]: m for m in listed(fake)}
        # Five segments a second: the first leaves after 0.2 s, the third after 0.6 s.
        assert [now[m["sid"]]["status"] for m in first] == ["queued"] * 3
        assert listed(fake, **{"DateSent>": "2000-01-01"}) == []
        time.sleep(0.45)
        later = {m["sid"]: m for m in listed(fake)}
        assert [later[m["sid"]]["status"] for m in first] == ["sent", "sent", "queued"]
        assert later[first[0]["sid"]]["date_sent"] is not None
        assert later[first[2]["sid"]]["date_sent"] is None
        dated = listed(fake, **{"DateSent>": "2000-01-01"})
        assert [m["sid"] for m in dated] == [first[1]["sid"], first[0]["sid"]]
        assert fake.queued == 1


def test_the_queue_counts_segments_per_sender() -> None:
    with TwilioFake(segments_per_second=10) as fake:
        long = create(fake, "+46701000001", "x" * 400)  # 3 segments: 0.3 s
        other = call(fake, "POST", form={"To": "+46701000002", "From": "+46702000000", "Body": "y"})
        after = create(fake, "+46701000003", "z")  # behind the long one: 0.4 s
        time.sleep(0.2)
        shown = {m["sid"]: m["status"] for m in listed(fake)}
        assert (shown[long["sid"]], shown[other["sid"]], shown[after["sid"]]) == (
            "queued", "sent", "queued",
        )  # fmt: skip
        assert long["num_segments"] == "3"


def test_delivered_after_a_while() -> None:
    with TwilioFake(segments_per_second=100, delivered_after=0.1) as fake:
        sid = create(fake, "+46701000001")["sid"]
        time.sleep(0.05)
        assert fake.message(sid)["status"] == "sent"
        time.sleep(0.1)
        assert fake.message(sid)["status"] == "delivered"


def test_a_messaging_service_message_is_accepted_first() -> None:
    with TwilioFake(segments_per_second=1) as fake:
        created = call(
            fake, "POST", form={"To": "+46701000001", "MessagingServiceSid": "MG" + "0" * 32,
                                "Body": "x"},
        )  # fmt: skip
        assert created["status"] == "accepted"
        assert listed(fake)[0]["status"] == "accepted"


def test_without_a_queue_a_message_is_sent_at_once() -> None:
    with TwilioFake() as fake:
        created = create(fake, "+46701000001")
        assert created["status"] == "queued"  # the create call's answer, as Twilio's
        [shown] = listed(fake, **{"DateSent>": "2000-01-01"})
        assert shown["status"] == "sent"


def test_pages_follow_a_cursor_newest_first() -> None:
    with TwilioFake() as fake:
        start = datetime.now(UTC) - timedelta(hours=1)
        sids = [fake.add_message("+46701000001", str(i), sent=start + timedelta(seconds=i))
                for i in range(5)]  # fmt: skip
        first = call(fake, "GET", "To=%2B46701000001&PageSize=2")
        assert [m["sid"] for m in first["messages"]] == sids[::-1][:2]
        fake.add_message("+46701000001", "new", sent=datetime.now(UTC))  # does not shift
        second = call(fake, "GET", path=first["next_page_uri"])
        assert [m["sid"] for m in second["messages"]] == sids[::-1][2:4]
        third = call(fake, "GET", path=second["next_page_uri"])
        assert [m["sid"] for m in third["messages"]] == sids[:1]
        assert third["next_page_uri"] is None


def test_queued_messages_are_listed_first() -> None:
    with TwilioFake() as fake:
        now = datetime.now(UTC)
        waiting = fake.add_message("+46701000001", "q", created=now - timedelta(minutes=5))
        sent = fake.add_message("+46701000001", "s", sent=now - timedelta(minutes=1))
        assert [m["sid"] for m in listed(fake)] == [waiting, sent]


def test_a_request_whose_client_died_still_creates_its_message() -> None:
    with TwilioFake(latency=0.3, segments_per_second=10) as fake:
        form = urlencode({"To": "+46701000001", "From": SENDER, "Body": "hej"}).encode()
        token = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
        with socket.create_connection(("127.0.0.1", fake.port)) as sock:
            sock.sendall(
                f"POST /2010-04-01/Accounts/{fake.account_sid}/Messages.json HTTP/1.1\r\n"
                f"Host: x\r\nAuthorization: Basic {token}\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {len(form)}\r\n\r\n".encode()
                + form
            )
        # The client is gone before the server even processed the request.
        assert fake.messages == []
        assert fake.wait_idle(5)
        [msg] = fake.messages
        assert msg["body"] == "hej"


def test_a_request_cut_off_mid_body_creates_nothing() -> None:
    with TwilioFake() as fake:
        with socket.create_connection(("127.0.0.1", fake.port)) as sock:
            sock.sendall(
                f"POST /2010-04-01/Accounts/{fake.account_sid}/Messages.json HTTP/1.1\r\n"
                "Host: x\r\nContent-Length: 100\r\n\r\nTo=%2B46".encode()
            )
        time.sleep(0.1)
        assert fake.wait_idle(5)
        assert fake.messages == []


def test_a_pinned_status_is_listed() -> None:
    with TwilioFake() as fake:
        sid = fake.add_message("+46701000001", "x", status="scheduled")
        assert fake.message(sid)["status"] == "scheduled"
        assert fake.message(sid)["date_sent"] is None
