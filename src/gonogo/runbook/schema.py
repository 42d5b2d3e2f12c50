"""The runbook format's JSON Schema, for editors and other tools."""

from __future__ import annotations

import json

from gonogo.runbook.model import Runbook


def json_schema() -> str:
    schema = Runbook.model_json_schema(by_alias=True)
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://gonogo.invalid/schema/runbook-1.json",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False)
