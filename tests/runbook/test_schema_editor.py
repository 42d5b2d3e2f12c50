"""Completion and hover in a real editor's language server: yaml-language-server over LSP.

The server reads the committed schema through the modeline, as VS Code's YAML
extension does. Skipped if it is not installed, except in CI (`.ci/run` installs it).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from gonogo.runbook.types import parse_local_time
from servers.yaml_language_server import YamlLanguageServer, find_yaml_language_server

ROOT = Path(__file__).resolve().parents[2]
MODELINE = "# yaml-language-server: $schema=../schema/runbook.schema.json\n"


@pytest.fixture(scope="module")
def server() -> Iterator[YamlLanguageServer]:
    command = find_yaml_language_server()
    if command is None:
        reason = "yaml-language-server is not installed (see tests/servers/yaml_language_server.py)"
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"{reason}; CI must run the editor tests", pytrace=False)
        pytest.skip(reason)
    with YamlLanguageServer(command) as ls:
        yield ls


def draft(name: str, text: str) -> str:
    """A document next to the bundled runbooks, so the relative modeline resolves."""
    return (ROOT / "runbooks" / name).as_uri()


def test_completing_a_time_inserts_quoted_yaml_that_validate_accepts(
    server: YamlLanguageServer,
) -> None:
    text = MODELINE + "format: 1\nwindow:\n  start: \n  end: \nparts:\n  - start: \n"
    uri = draft("draft-times.yaml", text)
    server.open(uri, text)
    for line, key in ((3, "start"), (4, "end"), (6, "start")):
        column = len(text.splitlines()[line])
        inserted = [i.get("insertText") for i in server.complete(uri, line, column)]
        assert inserted, key
        for value in inserted:
            parsed = yaml.safe_load(f"{key}: {value}")[key]  # PyYAML reads as validate does
            assert isinstance(parsed, str), value
            parse_local_time(parsed)


def test_hover_on_a_section_and_a_key_shows_its_description(server: YamlLanguageServer) -> None:
    text = (ROOT / "runbooks" / "release-21.0.yaml").read_text(encoding="utf-8")
    uri = draft("draft-hover.yaml", text)
    server.open(uri, text)
    lines = text.splitlines()
    window = lines.index("window:")
    assert "The service window." in server.hover(uri, window, 2)
    rollback = next(n for n, line in enumerate(lines) if line.startswith("  rollback:"))
    assert "How long a rollback needs" in server.hover(uri, rollback, 4)


def test_completion_offers_the_keys_of_a_section_with_their_descriptions(
    server: YamlLanguageServer,
) -> None:
    text = MODELINE + "format: 1\nchannels:\n  sms:\n    \n"
    uri = draft("draft-keys.yaml", text)
    server.open(uri, text)
    items = {i["label"]: i for i in server.complete(uri, 4, 4)}
    assert {"messaging_service_sid", "sender", "rate_limit", "max_segments"} <= set(items)
    documentation = items["sender"].get("documentation")
    described = documentation["value"] if isinstance(documentation, dict) else documentation
    assert "messaging_service_sid" in str(described)


def test_sid_and_sender_together_is_flagged_in_the_editor(server: YamlLanguageServer) -> None:
    text = (ROOT / "runbooks" / "release-21.0.yaml").read_text(encoding="utf-8")
    both = text.replace("  sms:\n", '  sms:\n    sender: "+46701740605"\n', 1)  # it has a SID
    assert both != text
    uri = draft("draft-both.yaml", both)
    while not server.diagnostics.empty():
        server.diagnostics.get()
    server.open(uri, both)
    found: list[dict[str, object]] = []
    for _ in range(20):
        published = server.diagnostics.get(timeout=30)
        if published["uri"] == uri and published["diagnostics"]:
            found = published["diagnostics"]
            break
    first_key = both.splitlines().index("  sms:") + 1  # the server marks the mapping's start
    flagged = [(d["range"]["start"]["line"], d["message"]) for d in found]  # type: ignore[index]
    assert (first_key, "Matches multiple schemas when only one must validate.") in flagged
