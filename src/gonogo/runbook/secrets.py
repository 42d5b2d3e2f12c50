"""Recognise values that look like credentials, to keep them out of runbooks and output.

One detector for everything `validate` reads or echoes: the runbook's values, excerpts
of recipients files and values taken from the environment. Twilio's forms and a URL's
password are matched here; the other providers' forms (AWS, SendGrid, Slack, Stripe,
private keys, JWT) and random-looking strings come from Yelp's detect-secrets, the
patterns and entropy limits its users maintain.

detect-secrets costs about 150-300 ms to import (its plugins import `requests`), more
than the rest of a `validate` run. So a cheap gate runs first, and the library is
imported only for text that has something it could match: a private-key header, or a
run of 16 or more token characters mixing letters and digits, 8 or more of them
different. Every form the library detects is such a run, so the gate loses nothing; a
runbook of prose and ids never loads the library.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

_TWILIO: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bAC[0-9a-fA-F]{32}\b"), "a Twilio account SID"),
    (re.compile(r"\bSK[0-9a-fA-F]{32}\b"), "a Twilio API key SID"),
    # Upper-case too: a token copied from a console or a hex dump is still a token.
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])"), "a Twilio auth token"),
)
# scheme://user:password@host; group 1 is the password, the only part masked.
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
_URL_KIND = "a URL with a user name and password"
# Runs of the characters tokens are made of (base64, base64url, hex, dotted JWTs).
_TOKEN = re.compile(r"[A-Za-z0-9+/=_.\-]{16,}")
_DIGIT = re.compile(r"\d")
_LETTER = re.compile(r"[A-Za-z]")
MASK = "***"


class Finding(NamedTuple):
    start: int
    end: int
    kind: str


def secret_kind(value: str) -> str | None:
    """What kind of credential `value` looks like, or None."""
    found = findings(value)
    return found[0].kind if found else None


def findings(text: str) -> list[Finding]:
    """Where credentials are in `text`, first first; overlapping findings are merged."""
    found: list[Finding] = []
    for pattern, kind in _TWILIO:
        found += [Finding(m.start(), m.end(), kind) for m in pattern.finditer(text)]
    found += [Finding(m.start(1), m.end(1), _URL_KIND) for m in _URL_PASSWORD.finditer(text)]
    if _suspect(text):
        found += _library_findings(text)
    return _merged(found)


def mask(text: str) -> str:
    """`text` with every credential in it replaced by ***."""
    found = findings(text)
    for finding in reversed(found):
        text = text[: finding.start] + MASK + text[finding.end :]
    return text


def excerpt(text: str, limit: int = 40) -> str:
    """A short, quoted, masked excerpt of `text` for a message (never the whole of it)."""
    shown = mask(text[: limit * 4])  # a credential cut in half is still recognisable
    if len(shown) > limit or len(text) > limit * 4:
        shown = shown[: limit - 3] + "..."
    return repr(shown)


def _suspect(text: str) -> bool:
    if "-----BEGIN" in text:
        return True
    # Each form the library matches has at least 9 different characters (a hex string
    # needs 9 to pass its entropy limit): an id like MG000...0 does not load it.
    return any(
        len(set(token)) >= 8 and _DIGIT.search(token) and _LETTER.search(token)
        for token in _TOKEN.findall(text)
    )


def _merged(found: list[Finding]) -> list[Finding]:
    merged: list[Finding] = []
    for finding in sorted(found):
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.start, max(last.end, finding.end), last.kind)
        else:
            merged.append(finding)
    return merged


def _library_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    for kind, analyze in _detectors().regex:
        for secret in analyze(text):
            found += [Finding(start, start + len(secret), kind) for start in _all(text, secret)]
    for kind, charset, entropy, limit in _detectors().entropy:
        for token in re.finditer(f"[{re.escape(charset)}]{{16,}}", text):
            if entropy(token.group()) > limit:
                found.append(Finding(token.start(), token.end(), kind))
    return found


def _all(text: str, needle: str) -> Iterator[int]:
    start = text.find(needle) if needle else -1
    while start >= 0:
        yield start
        start = text.find(needle, start + 1)


class _Detectors(NamedTuple):
    regex: list[tuple[str, Callable[[str], Iterator[str]]]]
    entropy: list[tuple[str, str, Callable[[str], float], float]]


_KINDS = {
    "AWS Access Key": "an AWS access key",
    "SendGrid API Key": "a SendGrid API key",
    "Slack Token": "a Slack token",
    "Stripe Access Key": "a Stripe key",
    "Private Key": "a private key",
    "JSON Web Token": "a JSON Web Token",
    "Basic Auth Credentials": _URL_KIND,
    "Base64 High Entropy String": "a random-looking token (high entropy)",
    "Hex High Entropy String": "a random-looking hex token (high entropy)",
}


@functools.cache
def _detectors() -> _Detectors:
    # Only the plugins, not detect-secrets' scanner: that one wants a settings file,
    # a baseline and file paths, and filters meant for source code.
    from detect_secrets.plugins.aws import AWSKeyDetector  # noqa: PLC0415
    from detect_secrets.plugins.basic_auth import BasicAuthDetector  # noqa: PLC0415
    from detect_secrets.plugins.high_entropy_strings import (  # noqa: PLC0415
        Base64HighEntropyString,
        HexHighEntropyString,
    )
    from detect_secrets.plugins.jwt import JwtTokenDetector  # noqa: PLC0415
    from detect_secrets.plugins.private_key import PrivateKeyDetector  # noqa: PLC0415
    from detect_secrets.plugins.sendgrid import SendGridDetector  # noqa: PLC0415
    from detect_secrets.plugins.slack import SlackDetector  # noqa: PLC0415
    from detect_secrets.plugins.stripe import StripeDetector  # noqa: PLC0415

    regex: list[Any] = [
        AWSKeyDetector(),
        SendGridDetector(),
        SlackDetector(),
        StripeDetector(),
        PrivateKeyDetector(),
        JwtTokenDetector(),
        BasicAuthDetector(),
    ]
    entropy: list[Any] = [Base64HighEntropyString(), HexHighEntropyString()]
    return _Detectors(
        regex=[(_KINDS[p.secret_type], p.analyze_string) for p in regex],
        entropy=[
            (_KINDS[p.secret_type], p.charset, p.calculate_shannon_entropy, p.entropy_limit)
            for p in entropy
        ],
    )
