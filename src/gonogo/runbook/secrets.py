"""Recognise values that look like credentials, to keep them out of runbooks and output."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bAC[0-9a-fA-F]{32}\b"), "a Twilio account SID"),
    (re.compile(r"\bSK[0-9a-fA-F]{32}\b"), "a Twilio API key SID"),
    (re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{32}(?![0-9A-Za-z])"), "a Twilio auth token"),
    (re.compile(r"://[^/\s:@]+:[^/\s@]+@"), "a URL with a user name and password"),
)


def secret_kind(value: str) -> str | None:
    """What kind of credential `value` looks like, or None."""
    for pattern, kind in _PATTERNS:
        if pattern.search(value):
            return kind
    return None
