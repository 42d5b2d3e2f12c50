"""Every request the SMS channel makes, checked by Prism against Twilio's OpenAPI description.

Prism answers a request that breaks the description with 422 (or 401 without
Basic auth), which the channel reports as a permanent failure; a request that fits
gets the description's example back. Prism's log is checked as well, so a
violation it only warns about fails the test too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from gonogo.notify.base import Outgoing, ProviderError
from gonogo.notify.receipts import statuses_since
from gonogo.notify.sms import TwilioSms
from servers.prism import Prism

pytestmark = pytest.mark.prism

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
SERVICE_SID = "MG" + "abcdef0123456789" * 2
TO = "+46701234567"


@pytest.fixture
def env(prism: Prism) -> dict[str, str]:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": "prism-checks-only-that-there-is-one",
        "TWILIO_API_BASE_URL": prism.base_url,
    }


@pytest.fixture
def clean_log(prism: Prism) -> Iterator[None]:
    """No complaint from Prism's validator about our requests (its own examples aside)."""
    before = len(prism.log())
    yield
    complaints = [
        line
        for line in prism.log()[before:].splitlines()
        # Twilio's own list example breaks its schema (relative *_page_uri): not ours.
        if "VALIDATOR" in line and "Violation: response." not in line
    ]
    assert complaints == []


def sms(body: str = "Release 21.0: del 1 av 5 klar – Go för del 2") -> Outgoing:
    return Outgoing(channel="sms", to=TO, body=body)


@pytest.mark.parametrize(
    ("service", "sender"),
    [(SERVICE_SID, None), (None, "+46701000000")],
    ids=["messaging-service", "from-number"],
)
@pytest.mark.usefixtures("clean_log")
def test_create_message_fits_the_description(
    env: dict[str, str], service: str | None, sender: str | None
) -> None:
    channel = TwilioSms(messaging_service_sid=service, sender=sender, env=env)
    try:
        channel.check()
        result = channel.send(sms())
    finally:
        channel.close()

    assert result.ok, result
    assert result.provider_id is not None
    assert result.provider_id.startswith(("SM", "MM"))


@pytest.mark.parametrize("validity", [1, 3600, 36000], ids=["1s", "1h", "10h"])
@pytest.mark.usefixtures("clean_log")
def test_create_message_with_validity_period_fits_the_description(
    env: dict[str, str], validity: int
) -> None:
    """Every SMS of a night carries ValidityPeriod: Twilio's description takes it."""
    channel = TwilioSms(messaging_service_sid=SERVICE_SID, env=env)
    try:
        result = channel.send(Outgoing(channel="sms", to=TO, body="Klart.", validity=validity))
    finally:
        channel.close()

    assert result.ok, result


def test_prism_does_check_the_validity_period(env: dict[str, str]) -> None:
    """The check above has teeth: a ValidityPeriod that is not a whole number gets a 422."""
    channel = TwilioSms(messaging_service_sid=SERVICE_SID, env=env)
    try:
        wrong = Outgoing(channel="sms", to=TO, body="Klart.", validity="1h")  # type: ignore[arg-type]
        result = channel.send(wrong)
    finally:
        channel.close()

    assert (result.ok, result.code) == (False, "422")


@pytest.mark.usefixtures("clean_log")
def test_receipts_list_fits_the_description(env: dict[str, str]) -> None:
    """`deliveries --refresh`: the list by DateSent> of the whole account, and its next pages."""
    channel = TwilioSms(messaging_service_sid=SERVICE_SID, env=env)
    try:
        # Prism's example page always has a next page: max_pages bounds the walk (and
        # says so), and the follow-up request is checked too.
        with pytest.raises(ProviderError, match="more than 4 Messages since 2000-01-01 00:00"):
            statuses_since(channel, datetime(2000, 1, 1, tzinfo=UTC), page_size=2, max_pages=2)
    finally:
        channel.close()


@pytest.mark.usefixtures("clean_log")
def test_reconciliation_list_fits_the_description(env: dict[str, str]) -> None:
    channel = TwilioSms(sender="+46701000000", env=env)
    try:
        # Prism's example page always has a next page: the limit also checks that the
        # follow-up request (next_page_uri) fits the description.
        sids = channel.sent_to(TO, datetime(2000, 1, 1, tzinfo=UTC), limit=3)
    finally:
        channel.close()

    assert len(sids) == 3


@pytest.mark.usefixtures("clean_log")
def test_reconciliation_lookup_fits_the_description(env: dict[str, str]) -> None:
    """The list by To without a date filter, and its follow-up pages."""
    channel = TwilioSms(sender="+46701000000", env=env)
    try:
        # Prism's example page always has a next page and a recent-enough Message:
        # max_pages bounds the walk, and the follow-up request is checked too.
        with pytest.raises(ProviderError, match="too many to tell"):
            channel.messages_to(TO, datetime(2000, 1, 1, tzinfo=UTC), page_size=2, max_pages=2)
    finally:
        channel.close()


def test_prism_does_reject_a_request_that_breaks_the_description(env: dict[str, str]) -> None:
    """The contract check has teeth: a malformed Messaging Service SID gets a 422."""
    channel = TwilioSms(messaging_service_sid="MG-not-a-sid", env=env)
    try:
        result = channel.send(sms())
    finally:
        channel.close()

    assert (result.ok, result.code, result.retryable) == (False, "422", False)
