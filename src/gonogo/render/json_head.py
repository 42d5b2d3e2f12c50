"""What every `--json` document shares: its head (`version`, `kind`) and how it is printed.

One place for the version, so no command's document can start differently; the shapes
are documented in docs/json.md, with a JSON Schema each in docs/json/.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gonogo.night.view import NightView

VERSION = 1


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def head(kind: str) -> dict[str, Any]:
    """`version` (raised when a field changes meaning or goes away) and `kind`."""
    return {"version": VERSION, "kind": kind}


def run_fields(view: NightView) -> dict[str, Any]:
    """Which run a document about a night describes, and the zone its times are in."""
    return {
        "release": view.run.release,
        "dry_run": view.run.dry_run,
        "timezone": view.plan.zone.key,
    }
