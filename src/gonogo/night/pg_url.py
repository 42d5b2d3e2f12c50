"""Journal URLs as people may see them: the password never appears in what gonogo prints.

Every message names the server by its URL with the password replaced by `***`. Kept
apart from `pg_connect.py` so the SQLite path never imports psycopg.

The URL is taken apart by hand, not by `urllib.parse`: a URL libpq or urllib cannot
read (`postgresql://anna:secret@[::1`, a `/` or `?` inside the password) is still
shown masked, and what counts as the password errs on the side of hiding too much.
"""

from __future__ import annotations

from urllib.parse import unquote

SCHEMES = ("postgresql://", "postgres://")


def is_url(text: str) -> bool:
    return text.startswith(SCHEMES)


def _split(url: str) -> tuple[str, str, str | None, str]:
    """(scheme://, user, password or None, the rest after `@`): everything before the
    last `@` is the user information, whatever characters the password holds."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, after = rest.rpartition("@")
    if not at:
        return scheme + sep, "", None, rest
    user, colon, password = userinfo.partition(":")
    return scheme + sep, user, password if colon else None, after


def _query_passwords(after: str) -> list[str]:
    """The raw values of `password=` in the query (also a malformed one)."""
    _path, _q, query = after.partition("?")
    values = []
    for pair in query.split("&"):
        key, _eq, value = pair.partition("=")
        if unquote(key).strip().lower() == "password":
            values.append(value)
    return values


def _secrets(url: str) -> list[str]:
    """Every password in `url`, as written and percent-decoded, longest first."""
    _scheme, _user, password, after = _split(url)
    raw = [*([password] if password else []), *_query_passwords(after)]
    found = {form for secret in raw for form in (secret, unquote(secret)) if form}
    return sorted(found, key=len, reverse=True)


def masked(url: str) -> str:
    """The URL as messages show it: any password replaced by ***."""
    scheme, user, password, after = _split(url)
    head = "" if not user and password is None else user
    if password is not None:
        head += ":***"
    path, q, query = after.partition("?")
    if q:
        pairs = []
        for pair in query.split("&"):
            key, eq, _value = pair.partition("=")
            secret = unquote(key).strip().lower() == "password"
            pairs.append(f"{key}{eq}***" if secret else pair)
        path += "?" + "&".join(pairs)
    return f"{scheme}{head}{'@' if head else ''}{path}"


def scrub(text: str, url: str) -> str:
    """libpq's or psycopg's message, without the URL or a password should one appear in it."""
    text = text.replace(f' in URI: "{url}"', "").replace(url, masked(url))
    for secret in _secrets(url):
        text = text.replace(secret, "***")
    return " ".join(text.split())


def masked_command(argv: list[str]) -> str:
    """A command line as it may be shown to other operators: URLs masked."""
    return " ".join(_masked_word(a) for a in argv)


def _masked_word(word: str) -> str:
    option, eq, value = word.partition("=")
    if eq and option.startswith("--") and is_url(value):  # --journal=postgresql://…
        return f"{option}={masked(value)}"
    return masked(word) if is_url(word) else word
