"""A rehearsal as JUnit XML, the report format CI systems show as test results.

One <testsuite> per rehearsed scenario or path, one <testcase> per command (its exit
code against the expected one) and per expectation; with --all-paths, one more suite
for the messages some path's events needed and did not send.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

_MAX_OUTPUT = 4000  # characters of a command's output kept in a failure


def _case(
    suite: ET.Element, classname: str, name: str, failure: str | None, detail: str = ""
) -> None:
    case = ET.SubElement(suite, "testcase", classname=classname, name=name)
    if failure is not None:
        node = ET.SubElement(case, "failure", message=failure, type="failure")
        node.text = detail[-_MAX_OUTPUT:]


def _suite(root: ET.Element, name: str, cases: list[tuple[str, str | None, str]]) -> None:
    failures = sum(1 for _, failure, _ in cases if failure is not None)
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for case_name, failure, detail in cases:
        _case(suite, name, case_name, failure, detail)


def junit_xml(document: dict[str, Any]) -> str:
    """JUnit XML from `rehearsal_json`'s document, so both say the same."""
    root = ET.Element("testsuites", name="gonogo rehearse")
    for rehearsal in document["rehearsals"]:
        cases: list[tuple[str, str | None, str]] = []
        for step in rehearsal["steps"]:
            failure = None
            if not step["ok"]:
                failure = f"exit {step['exit']}, expected {step['expected_exit']}"
            cases.append((f"{step['at'][11:16]} {step['command']}", failure, step["output"]))
        for check in rehearsal["checks"]:
            failure = None if check["held"] else f"got {check['got']}"
            cases.append((f"expect {check['expectation']}", failure, ""))
        _suite(root, rehearsal["name"], cases)
    if document["coverage"] is not None:
        missing: list[tuple[str, str | None, str]] = [
            (line, "not sent", "") for line in document["missing"]
        ]
        _suite(root, "every message its events need was sent", missing or [("all paths", None, "")])
    total = sum(int(s.get("tests", "0")) for s in root)
    failed = sum(int(s.get("failures", "0")) for s in root)
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
