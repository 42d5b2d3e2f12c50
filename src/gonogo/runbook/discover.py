"""Which runbooks a set of changed files concerns: what the pre-commit hook validates.

pre-commit passes the changed files. A YAML file among them is a runbook if it names
the runbook schema in a `# yaml-language-server: $schema=` line, or has the top-level
keys `format:` and `release:`, or lies in a directory called `runbooks`; other YAML
(`.pre-commit-config.yaml`, rehearsal scenarios, CI files) is left alone. A changed
recipients CSV brings in every runbook under the working directory (the repository,
where pre-commit runs) whose audiences name it, so a broken CSV cannot get in alone.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from gonogo.regular_file import read_regular
from gonogo.runbook.file_text import MAX_FILE_BYTES

_YAML = (".yaml", ".yml")
_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=\S*runbook[^/\s]*\.json", re.M)
_FORMAT = re.compile(r"^format\s*:", re.M)
_RELEASE = re.compile(r"^release\s*:", re.M)
_SKIPPED_DIRS = {"node_modules", "venv", "__pycache__"}  # and every directory starting with "."


def _text(path: Path) -> str:
    try:  # a pipe named *.yaml is no runbook, and reading it would wait for ever
        return read_regular(path, MAX_FILE_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""


def is_runbook(path: Path, text: str | None = None) -> bool:
    """Whether a YAML file is a runbook, by its location or its content (see above)."""
    if path.suffix.lower() not in _YAML:
        return False
    if "runbooks" in path.parent.parts:
        return True
    text = _text(path) if text is None else text
    return bool(_MODELINE.search(text) or (_FORMAT.search(text) and _RELEASE.search(text)))


def _yaml_files(root: Path) -> Iterator[Path]:
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.lower().endswith(_YAML):
                yield Path(directory) / name


def _names(runbook: Path, text: str, csv: Path) -> bool:
    """Whether one of the runbook's audiences has `csv` as its recipients file."""
    if csv.name not in text:  # most runbooks, without parsing them
        return False
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return False  # its own validation reports that, when the runbook changes
    audiences = data.get("audiences") if isinstance(data, dict) else None
    if not isinstance(audiences, dict):
        return False
    for audience in audiences.values():
        recipients = audience.get("recipients") if isinstance(audience, dict) else None
        if isinstance(recipients, str) and (runbook.parent / recipients).resolve() == csv:
            return True
    return False


def runbooks_for(changed: Iterable[Path], root: Path) -> list[Path]:
    """The runbooks among `changed`, then those under `root` that name a changed CSV."""
    found: dict[Path, None] = {}
    csvs = []
    for path in changed:
        if path.suffix.lower() == ".csv":
            csvs.append(path.resolve())
        elif is_runbook(path):
            found[path] = None
    if csvs:
        chosen = {p.resolve() for p in found}
        for candidate in _yaml_files(root):
            text = _text(candidate)
            if candidate.resolve() in chosen or not is_runbook(candidate, text):
                continue
            if any(_names(candidate, text, csv) for csv in csvs):
                found[candidate] = None
    return list(found)
