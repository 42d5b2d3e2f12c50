"""What became of the SMS Twilio accepted: delivered to the phone, or not.

Twilio's status callbacks need a public URL this tool does not have, and outside North
America a delivery receipt may come late or never. So `gonogo deliveries --refresh`
asks: one list call per page of up to 1,000 Messages sent since the night's first SMS,
not one request per Message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gonogo.notify.base import ProviderError
from gonogo.notify.sms import TwilioSms
from gonogo.notify.twilio_failures import provider_errors

PAGE_SIZE = 1000
MAX_PAGES = 200


@dataclass(frozen=True)
class Receipt:
    """A Message's status as Twilio lists it now, with its error code if it failed."""

    status: str  # queued, sending, sent, delivered, undelivered, failed, ...
    error_code: str | None = None


def statuses_since(
    sms: TwilioSms, since: datetime, *, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES
) -> dict[str, Receipt]:
    """SID -> Receipt of every Message that left Twilio's queue at or after `since`.

    Filtered on `DateSent>=`: a Message still queued has no date_sent and is left out,
    which is right here, since it has been neither delivered nor refused. Raises
    `ProviderError` (nothing is journaled from a listing that broke off half-way).
    """
    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    floor = since.astimezone(UTC).replace(microsecond=0)
    client: Any = sms._client()  # the channel's own configured client
    found: dict[str, Receipt] = {}
    try:
        page: Any = client.messages.page(date_sent_after=floor, page_size=page_size)
        for _ in range(max_pages):
            for record in page:
                code = record.error_code
                found[str(record.sid)] = Receipt(
                    str(record.status or ""), str(code) if code is not None else None
                )
            page = page.next_page()
            if page is None:
                break
        else:
            msg = f"more than {max_pages * page_size} Messages since {floor:%Y-%m-%d %H:%M}"
            raise ProviderError(msg, retryable=False)
    except provider_errors() as err:
        failure = sms._failure(err)  # the channel's own error mapping
        msg = f"could not list the SMS' statuses: {failure.reason}"
        raise ProviderError(msg, retryable=failure.retryable) from None
    return found
