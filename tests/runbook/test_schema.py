"""The JSON Schema of the runbook format, as `gonogo schema` prints it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from gonogo.runbook.loader import load
from gonogo.runbook.schema import json_schema

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = ROOT / "runbooks" / "release-21.0.yaml"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(json_schema())
    return parsed


def test_top_level(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://gonogo.invalid/schema/runbook-1.json"
    assert schema["type"] == "object"
    assert schema["title"] == "Runbook"
    assert list(schema["properties"]) == [
        "format",
        "release",
        "window",
        "services",
        "audiences",
        "channels",
        "parts",
        "verification",
        "incidents",
        "messages",
        "notices",
    ]
    assert schema["required"] == ["format", "release", "window", "audiences", "parts"]
    assert schema["properties"]["format"]["const"] == 1


def test_unknown_keys_are_not_allowed_anywhere(schema: dict[str, Any]) -> None:
    objects = [schema, *schema["$defs"].values()]
    assert all(o.get("additionalProperties") is False for o in objects)


def test_times_and_durations_are_quoted_text(schema: dict[str, Any]) -> None:
    window = schema["$defs"]["Window"]["properties"]
    assert window["start"]["type"] == "string"
    assert re.match(window["start"]["pattern"], "23:00")
    assert not re.match(window["start"]["pattern"], "24:00")
    assert window["rollback"]["type"] == "string"
    for duration in ("90m", "1h", "1h30m", "45min"):
        assert re.match(window["rollback"]["pattern"], duration), duration


def test_service_class_uses_its_yaml_name(schema: dict[str, Any]) -> None:
    assert "class" in schema["$defs"]["Service"]["properties"]


def allowed(schema: dict[str, Any], node: dict[str, Any], data: Any, where: str) -> list[str]:
    """Keys of `data` the schema does not allow: a small walk over properties and $refs."""
    if "$ref" in node:
        return allowed(schema, schema["$defs"][node["$ref"].rsplit("/", 1)[1]], data, where)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        return allowed(schema, options[0], data, where) if data is not None else []
    wrong: list[str] = []
    if isinstance(data, dict) and "properties" in node:
        for key, value in data.items():
            if key not in node["properties"]:
                wrong.append(f"{where}.{key}")
            else:
                wrong += allowed(schema, node["properties"][key], value, f"{where}.{key}")
    elif isinstance(data, dict) and isinstance(node.get("additionalProperties"), dict):
        for key, value in data.items():
            wrong += allowed(schema, node["additionalProperties"], value, f"{where}.{key}")
    elif isinstance(data, list) and "items" in node:
        for index, item in enumerate(data):
            wrong += allowed(schema, node["items"], item, f"{where}[{index}]")
    return wrong


def test_the_21_0_runbook_uses_only_keys_the_schema_knows(schema: dict[str, Any]) -> None:
    loaded = load(RUNBOOK)
    assert loaded.ok
    assert allowed(schema, schema, loaded.data, "runbook") == []


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("runbooks/*.yaml"), *ROOT.glob("examples/*.yaml")]),
    ids=lambda p: p.name,
)
def test_bundled_runbooks_pass_the_schema(schema: dict[str, Any], path: Path) -> None:
    """Full JSON Schema validation, where jsonschema happens to be installed (not a dependency).

    An editor reads the file as plain YAML: the dates become text, as in JSON.
    """
    jsonschema = pytest.importorskip("jsonschema")
    data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.validate(data, schema)
