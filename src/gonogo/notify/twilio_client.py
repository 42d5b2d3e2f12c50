"""The `twilio.rest.Client` an SMS channel sends with, built when first needed.

Importing `twilio.rest` costs about 150 ms, so it happens here, on the first call.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from twilio.rest import Client


def new_client(
    *,
    sid: str,
    token: str,
    base_url: str | None,
    edge: str | None,
    region: str | None,
    timeout: float,
) -> Client:
    """A client for one thread: its own HTTP session, the proxy settings read once."""
    # Deferred: importing twilio.rest costs ~150 ms, paid only when SMS is used.
    from twilio.http.http_client import TwilioHttpClient  # noqa: PLC0415
    from twilio.rest import Client  # noqa: PLC0415

    http = TwilioHttpClient(timeout=timeout)
    client = Client(
        username=sid,
        password=token,
        account_sid=sid,
        edge=edge,
        region=region,
        http_client=http,
        # Never empty: twilio falls back to os.environ when given an empty mapping.
        environment={"GONOGO": "1"},
    )
    if base_url is not None:
        client.api.base_url = base_url.rstrip("/")
        # An edge or region would rewrite the override's host name.
        client.edge = client.region = None
    _settle_environment(http, client.get_hostname(client.api.base_url + "/"))
    return client


def _settle_environment(http: Any, url: str) -> None:
    """Read the proxy and CA settings once, not on every request.

    `TwilioHttpClient.request` calls `merge_environment_settings` for each request,
    which with `trust_env` on rescans the environment for proxies and `no_proxy`
    (a measurable share of the CPU per SMS). The client only ever talks to one host,
    so the answer is the same each time: take it now, then turn the rescan off.
    """
    from requests.utils import get_environ_proxies  # noqa: PLC0415 - loaded with twilio

    session = http.session
    if session is None:
        return
    http.proxy = {**get_environ_proxies(url), **(http.proxy or {})}
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
