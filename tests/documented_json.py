"""Check a printed `--json` document against its JSON Schema in docs/json/.

Every test that reads a command's `--json` output reads it through `checked`, so what
the scripts of users are promised (docs/json.md) is what each of those tests saw.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMAS = Path(__file__).resolve().parents[1] / "docs" / "json"
# RFC 3339's date-time, the offset required (jsonschema checks "date-time" only when
# the optional rfc3339-validator is installed; here it is always checked).
_RFC3339 = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", flags=re.IGNORECASE
)
FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the type check speaks for non-strings
    if not _RFC3339.fullmatch(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time with an offset")
    dt.datetime.fromisoformat(value)  # a real date and time
    return True


@cache
def schema(kind: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        (SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.Draft202012Validator.check_schema(found)
    return found


def checked(kind: str, printed: str) -> dict[str, Any]:
    """The printed document, after checking it against docs/json/<kind>.schema.json."""
    document: dict[str, Any] = json.loads(printed)
    jsonschema.Draft202012Validator(schema(kind), format_checker=FORMATS).validate(document)
    assert (document["version"], document["kind"]) == (1, kind)
    return document
