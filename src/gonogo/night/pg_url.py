"""Journal URLs as people may see them: the password never appears in what gonogo prints.

Every message names the server by its URL with the password replaced by `***`
(`gonogo.url_mask`). Kept apart from `pg_connect.py` so the SQLite path never imports
psycopg.
"""

from __future__ import annotations

from gonogo.url_mask import masked, secrets

__all__ = ["SCHEMES", "is_url", "masked", "masked_command", "scrub"]

SCHEMES = ("postgresql://", "postgres://")


def is_url(text: str) -> bool:
    return text.startswith(SCHEMES)


def scrub(text: str, url: str) -> str:
    """libpq's or psycopg's message, without the URL or a password should one appear in it."""
    text = text.replace(f' in URI: "{url}"', "").replace(url, masked(url))
    for secret in secrets(url):
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
