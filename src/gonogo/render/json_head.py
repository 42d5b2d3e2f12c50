"""What every `--json` document shares: its head (`version`, `kind`) and how it is printed.

One place for the version, so no command's document can start differently; the shapes
are documented in docs/json.md, with a JSON Schema each in docs/json/.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from gonogo.runbook.diagnostics import BEYOND_C0

if TYPE_CHECKING:
    from gonogo.night.view import NightView

VERSION = 1


# JSON escapes C0 controls itself; these it leaves raw when not ASCII-only, and a value
# holding one (a runbook's path, say) would act on the terminal or the CI log it is
# printed to, or reorder what it shows. Written \\uXXXX, the value reads back the same.
_RAW_CONTROL = re.compile(f"[{BEYOND_C0}]")


def dumps(document: dict[str, Any]) -> str:
    """`document` as indented JSON; non-ASCII text as is, but no control character raw."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
