"""The runbook format's JSON Schema, for editors and other tools.

The same text is committed as schema/runbook.schema.json (a test keeps them equal),
which the bundled runbooks name in their `# yaml-language-server: $schema=` line.
"""

from __future__ import annotations

import json
from typing import Any

from gonogo.runbook.model import Runbook


def _without_null_defaults(node: Any) -> Any:
    # `default: null` says nothing a missing key does not, and editors insert it as a
    # value (`description: null`) when completing the key.
    if isinstance(node, dict):
        return {
            k: _without_null_defaults(v)
            for k, v in node.items()
            if not (k == "default" and v is None)
        }
    if isinstance(node, list):
        return [_without_null_defaults(v) for v in node]
    return node


def json_schema() -> str:
    schema = _without_null_defaults(Runbook.model_json_schema(by_alias=True))
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://gonogo.invalid/schema/runbook-1.json",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False)
