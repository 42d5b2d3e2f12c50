"""The JSON Schema of the runbook format, as `gonogo schema` prints it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
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


# --- the committed schema files, and what editors and check-jsonschema get from them ----

SCHEMA_DIR = ROOT / "schema"
BUNDLED = sorted([*ROOT.glob("runbooks/*.yaml"), *ROOT.glob("examples/*.yaml")])
SCENARIOS = sorted(ROOT.glob("examples/scenarios/*.yaml"))


def gonogo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gonogo", *args], capture_output=True,
                          text=True, check=True, cwd=ROOT)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "args"), [("runbook.schema.json", []), ("scenario.schema.json", ["--scenario"])]
)
def test_committed_schema_is_what_gonogo_schema_prints(name: str, args: list[str]) -> None:
    """Regenerate with `gonogo schema > schema/runbook.schema.json` (and `--scenario`)."""
    committed = (SCHEMA_DIR / name).read_text(encoding="utf-8")
    assert committed == gonogo("schema", *args).stdout


def described(node: Any, where: str) -> list[str]:
    """Properties and sections (objects with properties) that have no description."""
    missing: list[str] = []
    if isinstance(node, dict):
        if "properties" in node and "description" not in node:
            missing.append(where)
        for key, value in node.get("properties", {}).items():
            if "description" not in value:
                missing.append(f"{where}.{key}")
        for key, value in node.items():
            missing += described(value, f"{where}.{key}" if key != "properties" else where)
    elif isinstance(node, list):
        for value in node:
            missing += described(value, where)
    return missing


def test_every_property_and_section_has_a_description(schema: dict[str, Any]) -> None:
    assert described(schema, "runbook") == []
    assert len(re.findall(r'"description"', json_schema())) >= 100


_HHMM = r"^([01]\d|2[0-3]):([0-5]\d)"  # a local time's pattern starts so (an offset may follow)


def local_times(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        pattern = node.get("pattern")
        found = [node] if isinstance(pattern, str) and pattern.startswith(_HHMM) else []
        return found + [t for v in node.values() for t in local_times(v)]
    if isinstance(node, list):
        return [t for v in node for t in local_times(v)]
    return []


def test_what_editors_insert_for_a_local_time_is_quoted_yaml(schema: dict[str, Any]) -> None:
    """A YAML 1.1 reader takes a bare 23:00 for the number 1380: every offer is quoted."""
    times = local_times(schema)
    assert len(times) == 4  # window start and end, a part's start, verification's start
    for node in times:
        assert "examples" not in node  # inserted as plain YAML by yaml-language-server 2
        for snippet in node["defaultSnippets"]:
            value = yaml.safe_load(f"start: {snippet['bodyText']}")["start"]
            assert isinstance(value, str)
            assert re.match(node["pattern"], value)


def with_sms(sms: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(yaml.safe_load(RUNBOOK.read_text(encoding="utf-8")), default=str))
    data["channels"]["sms"] = sms
    return data


@pytest.mark.parametrize(
    ("sms", "valid"),
    [
        ({"sender": "+46701740605"}, True),
        ({"messaging_service_sid": "MG" + "0" * 32}, True),
        ({"sender": "+46701740605", "messaging_service_sid": "MG" + "0" * 32}, False),
        ({"rate_limit": 5}, False),
    ],
)
def test_sid_or_sender_not_both_is_in_the_schema(
    schema: dict[str, Any], sms: dict[str, Any], valid: bool
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(with_sms(sms)))
    assert (errors == []) is valid, [e.message for e in errors]


@pytest.mark.parametrize("path", [*BUNDLED, *SCENARIOS], ids=lambda p: p.name)
def test_bundled_files_name_the_committed_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    name = "scenario" if path.parent.name == "scenarios" else "runbook"
    assert first == (
        "# yaml-language-server: $schema="
        + os.path.relpath(SCHEMA_DIR / f"{name}.schema.json", path.parent)
    )


def test_check_jsonschema_accepts_the_bundled_files() -> None:
    """check-jsonschema, the tool a runbook repository's CI might run, with our schema files."""
    for schema_file, files in (("runbook", BUNDLED), ("scenario", SCENARIOS)):
        done = subprocess.run(
            [Path(sys.executable).with_name("check-jsonschema"), "--schemafile",
             SCHEMA_DIR / f"{schema_file}.schema.json", *files],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
