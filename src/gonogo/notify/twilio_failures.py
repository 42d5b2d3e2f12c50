"""What a failed Twilio call means: a `SendResult` with a code, a reason and whether to retry.

HTTP 429 / Twilio 20429, any 5xx, timeouts and connection errors are retryable; other
4xx are permanent, with Twilio's code and message. The auth token never appears in a
reason. `twilio` and `requests` are imported here only once a call has failed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gonogo.notify.base import SendResult

_PREFIX = re.compile(r"^Unable to (create record|fetch page|fetch record): ")


def failure_result(err: BaseException, *, timeout: float, token: str) -> SendResult:
    """The result of a call that raised `err` (one of `provider_errors()`)."""
    from requests import exceptions as rex  # noqa: PLC0415 - loaded with twilio anyway
    from twilio.base.exceptions import (  # noqa: PLC0415
        TwilioRestException,
        TwilioServiceException,
    )

    if isinstance(err, TwilioRestException | TwilioServiceException):
        text = err.msg if isinstance(err, TwilioRestException) else _service_text(err)
        return _http_failure(int(err.status), err.code, str(text), token)
    page_response = err.args[1] if len(err.args) == 2 else None
    if hasattr(page_response, "status_code"):
        # A list page answered with an error: twilio raises it bare, with the response.
        return _http_failure(*_error_of(page_response), token)
    if isinstance(err, rex.ConnectTimeout):
        return _result("connect-failed", "timed out connecting to Twilio", True, token)
    if isinstance(err, rex.Timeout):
        return _result("timeout", f"no answer from Twilio within {timeout:g} s", True, token)
    if isinstance(err, rex.ConnectionError):
        cause = _innermost(err)
        if _refused(err):
            return _result("connect-failed", f"cannot connect to Twilio: {cause}", True, token)
        return _result(
            "connection-lost", f"connection to Twilio lost before an answer: {cause}", True, token
        )
    # Anything else: an answer that is not the JSON Twilio sends, or a failed page.
    return _result("bad-response", f"unusable answer from Twilio: {err}", True, token)


def answer_failure(
    status: int, body: bytes, token: str, *, unusable: ValueError | None = None
) -> SendResult:
    """The result of a Message create answered with `status` and `body`, read as the
    `twilio` package reads it: outside 2xx, Twilio's code and message (or, for an
    RFC 9457 problem, its status, code and detail); a 2xx that is not JSON is unusable."""
    if unusable is not None:
        return _result("bad-response", f"unusable answer from Twilio: {unusable}", True, token)
    text = body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        return _http_failure(status, status, "Unable to create record", token)
    if all(key in payload for key in ("type", "title", "status", "code")):
        detail = payload.get("detail") or payload["title"]
        return _http_failure(int(payload["status"]), payload["code"], str(detail), token)
    message = "Unable to create record"
    if "message" in payload:
        message = f"{message}: {payload['message']}"
    return _http_failure(status, payload.get("code", status), message, token)


def wire_failure(err: BaseException, *, sent: bool, timeout: float, token: str) -> SendResult:
    """The result of a Message create that failed on the wire (`http.client`, sockets).

    `sent` False: the connection was never made, nothing can have arrived. After that a
    timeout or a lost connection leaves the Message's fate unknown (`timeout`,
    `connection-lost`): the request may have been taken.
    """
    cause = str(err) or type(err).__name__
    if not sent:
        if isinstance(err, TimeoutError):
            return _result("connect-failed", "timed out connecting to Twilio", True, token)
        return _result("connect-failed", f"cannot connect to Twilio: {cause}", True, token)
    if isinstance(err, TimeoutError):
        return _result("timeout", f"no answer from Twilio within {timeout:g} s", True, token)
    return _result(
        "connection-lost", f"connection to Twilio lost before an answer: {cause}", True, token
    )


def _http_failure(status: int, code: object, text: str, token: str) -> SendResult:
    code = str(code) if code is not None else f"http-{status}"
    retryable = status == 429 or code == "20429" or status >= 500
    return _result(code, f"HTTP {status}: {_PREFIX.sub('', text)}", retryable, token)


def _result(code: str, reason: str, retryable: bool, token: str) -> SendResult:
    if token:
        reason = reason.replace(token, "***")
    return SendResult(ok=False, code=code, reason=reason, retryable=retryable)


def provider_errors() -> tuple[type[BaseException], ...]:
    """What a Twilio call raises when the provider, not our code, fails."""
    from requests import RequestException  # noqa: PLC0415 - loaded with twilio anyway
    from twilio.base.exceptions import TwilioException  # noqa: PLC0415

    return (TwilioException, RequestException, json.JSONDecodeError)


def _error_of(response: Any) -> tuple[int, object, str]:
    """Status, Twilio error code and message of an error response."""
    status = int(response.status_code)
    try:
        payload = json.loads(response.text)
    except ValueError:
        return status, None, str(response.text)[:200]
    if not isinstance(payload, dict):
        return status, None, str(response.text)[:200]
    return status, payload.get("code"), str(payload.get("message") or payload.get("detail"))


def _service_text(err: Any) -> str:
    return str(err.detail or err.title)


def _chain(err: BaseException) -> list[BaseException]:
    """requests' exception, urllib3's inside it, and so on down to the socket's."""
    chain: list[BaseException] = []
    seen: BaseException | None = err
    while seen is not None and seen not in chain:
        chain.append(seen)
        reason = getattr(seen, "reason", None)
        nested = next((a for a in seen.args if isinstance(a, BaseException)), None)
        seen = reason if isinstance(reason, BaseException) else nested
    return chain


def _innermost(err: BaseException) -> str:
    last = _chain(err)[-1]
    return str(last) or type(last).__name__


def _refused(err: BaseException) -> bool:
    """Whether a requests ConnectionError happened before the request went out."""
    from urllib3.exceptions import NewConnectionError  # noqa: PLC0415

    return any(isinstance(e, NewConnectionError) for e in _chain(err))
