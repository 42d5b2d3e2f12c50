"""Read a runbook file: YAML composed into nodes so every value keeps its line and column.

PyYAML's own constructor is not used: it reads `22:00` as 1320, `0700` as 448 and `no`
as False, and keeps the last of duplicate keys without a word. Here every scalar is
text (pydantic converts it to the field's type), `null`/`~`/empty is None, duplicate
keys and unquoted times are errors, and the error says where.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gonogo.runbook.file_text import read_text
from gonogo.runbook.loaded import Loaded
from gonogo.runbook.marks import DocPath, Marks
from gonogo.runbook.model import FORMAT_VERSION, Runbook
from gonogo.runbook.pydantic_errors import describe
from gonogo.runbook.yaml_nodes import compose

# Defined in loaded.py and marks.py; imported from here too, as before they moved.
__all__ = ["DocPath", "Loaded", "Marks", "load"]


def load(path: Path) -> Loaded:
    """Read and validate the runbook's structure; never raises for bad content."""
    loaded = Loaded(path=path)
    text = read_text(path, loaded)
    if text is None:
        return loaded
    data = compose(text, loaded)
    if data is None:
        return loaded
    loaded.data = data
    if not _check_format(data, loaded):
        return loaded
    _scan_credentials(data, (), loaded)
    try:
        loaded.runbook = Runbook.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            path_, code, message, at_key = describe(error, loaded.marks)
            loaded.add(path_, code, message, key=at_key)
    return loaded


def _check_format(data: dict[str, Any], loaded: Loaded) -> bool:
    if "format" not in data:
        loaded.add_at(
            1, 1, "format", f"missing `format: {FORMAT_VERSION}` (the runbook format version)"
        )
        return False
    raw = data["format"]
    if not (isinstance(raw, str) and raw.isdigit()):
        loaded.add(("format",), "format", f"format must be a whole number, like {FORMAT_VERSION}")
        return False
    if int(raw) > FORMAT_VERSION:
        loaded.add(
            ("format",),
            "format",
            f"format {raw} is newer than this gonogo reads (format {FORMAT_VERSION}); "
            "upgrade gonogo",
        )
        return False
    data["format"] = int(raw)
    return True


_SECRET_WORDS = {"password", "passwd", "pass", "secret", "token", "apikey", "credential"}
_SECRET_WORDS |= {"credentials", "auth", "authtoken", "privatekey"}


def _secret_key(key: str) -> bool:
    compact = key.lower().replace("-", "_")
    words = set(compact.split("_")) | {compact.replace("_", "")}
    return bool(words & _SECRET_WORDS)


def _scan_credentials(data: Any, path: DocPath, loaded: Loaded) -> None:
    """Credentials belong in the environment; the value is never repeated in the message."""
    from gonogo.runbook.secrets import findings  # noqa: PLC0415  # keeps import light

    if isinstance(data, dict):
        for key, value in list(data.items()):
            if _secret_key(key):
                del data[key]  # reported here; not again as an unknown key
                loaded.add(
                    (*path, key),
                    "credential",
                    f"'{key}' looks like a credential; credentials never go in a runbook: "
                    "set TWILIO_AUTH_TOKEN or GONOGO_SMTP_PASSWORD in the environment",
                    key=True,
                )
                continue
            _scan_credentials(value, (*path, key), loaded)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            _scan_credentials(item, (*path, index), loaded)
    elif isinstance(data, str):
        found = findings(data)
        if found:
            kind, at = found[0].kind, found[0].start
            loaded.add_in(
                path,
                data,
                at,
                "credential",
                f"this value looks like {kind}; credentials never go in a runbook: "
                "set them in the environment (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
                "GONOGO_SMTP_PASSWORD)",
            )
