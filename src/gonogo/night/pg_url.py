"""Journal URLs as people may see them: the password never appears in what gonogo prints.

Every message names the server by its URL with the password replaced by `***`. Kept
apart from `pg_connect.py` so the SQLite path never imports psycopg.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SCHEMES = ("postgresql://", "postgres://")


def is_url(text: str) -> bool:
    return text.startswith(SCHEMES)


def masked(url: str) -> str:
    """The URL as messages show it: any password replaced by ***."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
        return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query, safe="*")))
    except ValueError:
        return "the journal database (its URL cannot be shown)"


def scrub(text: str, url: str) -> str:
    """libpq's message, without a password should one ever appear in it."""
    try:
        secrets = [urlsplit(url).password or ""]
        secrets += [v for k, v in parse_qsl(urlsplit(url).query) if k == "password"]
    except ValueError:
        secrets = []
    for secret in filter(None, secrets):
        text = text.replace(secret, "***")
    return " ".join(text.split())


def masked_command(argv: list[str]) -> str:
    """A command line as it may be shown to other operators: URLs masked."""
    return " ".join(masked(a) if is_url(a) else a for a in argv)
