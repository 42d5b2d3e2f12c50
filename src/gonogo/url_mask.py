"""URLs as people may see them: a password in one never appears in what gonogo prints.

The URL is taken apart by hand, not by `urllib.parse`: a URL libpq, urllib or Twilio's
client cannot read (`postgresql://anna:secret@[::1`, a `/` or `?` inside the password)
is still shown masked, and what counts as the password errs on the side of hiding too
much. The journal's URLs (`night/pg_url.py`) and TWILIO_API_BASE_URL both go through
here.
"""

from __future__ import annotations

import re
from urllib.parse import unquote


def _split(url: str) -> tuple[str, str, str | None, str]:
    """(scheme://, user, password or None, the rest after `@`): everything before the
    last `@` is the user information, whatever characters the password holds."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, after = rest.rpartition("@")
    if not at:
        return scheme + sep, "", None, rest
    user, colon, password = userinfo.partition(":")
    return scheme + sep, user, password if colon else None, after


# A `password=` parameter anywhere after a `?` or `&`, wherever the user part ends: an
# `@` in the query (`?user=ops@site`) must not make the query look like a user part.
_PARAMETER = re.compile(r"([?&])([^=&?]*)=([^&]*)")


def _is_password(key: str) -> bool:
    return unquote(key).strip().lower() == "password"


def _query_passwords(url: str) -> list[str]:
    """The raw values of every `password=` parameter in `url` (also a malformed one)."""
    return [m.group(3) for m in _PARAMETER.finditer(url) if _is_password(m.group(2))]


def _without_query_passwords(url: str) -> str:
    return _PARAMETER.sub(
        lambda m: f"{m.group(1)}{m.group(2)}=***" if _is_password(m.group(2)) else m.group(0),
        url,
    )


def secrets(url: str) -> list[str]:
    """Every password in `url`, as written and percent-decoded, longest first."""
    plain = _without_query_passwords(url)
    _scheme, _user, password, _after = _split(plain)
    # Which `@` ends the user part may be unclear (one in the query too): both readings.
    first = plain.partition("://")[2].partition("@")[0].partition(":")[2] if "@" in plain else ""
    raw = [p for p in (password, first) if p and p != "***"] + _query_passwords(url)
    found = {form for secret in raw for form in (secret, unquote(secret)) if form}
    return sorted(found, key=len, reverse=True)


def masked(url: str) -> str:
    """The URL as messages show it: any password replaced by ***."""
    scheme, user, password, after = _split(_without_query_passwords(url))
    head = "" if not user and password is None else user
    if password is not None:
        head += ":***"
    return f"{scheme}{head}{'@' if head else ''}{after}"
