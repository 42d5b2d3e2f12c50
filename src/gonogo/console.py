"""The `gonogo` console script: `gonogo.cli.main` with the garbage collector set for a
short-lived process.

Loading the CLI allocates hundreds of thousands of objects and no garbage, yet the
cyclic collector runs many times over them; at exit the interpreter collects again,
over everything. Measured on `gonogo validate` (bench/validate.py), the two cost
about 40 ms of a 180 ms run. So:

- the collector is off while the CLI loads, and what loading made is then frozen:
  it lives to the end and is never traversed again;
- `validate` collects its young objects every 50,000 allocations instead of 700,
  since its own imports (YAML, the runbook models, the number and address
  libraries) come after the load; garbage stays bounded (600 invalid runbooks in one
  call peak at 46 MB; with the collector off they reached 175 MB);
- every other command collects as usual;
- before exit everything is frozen, so the exit collection has nothing to traverse.

Nothing is skipped at exit: atexit handlers, thread joins and the flushing of stdout
and stderr run as always. Only this entry point does this; `main()` called in-process
(tests, rehearsals) leaves the collector alone.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

_DEFAULT_THRESHOLD = gc.get_threshold()[0]  # 700


def young_threshold(args: list[str]) -> int:
    """Allocations between two collections of young objects while the command runs."""
    return 50_000 if args[:1] == ["validate"] else _DEFAULT_THRESHOLD


def run() -> NoReturn:
    gc.disable()
    from gonogo.cli import main  # noqa: PLC0415  # after gc.disable: this is the load

    args = sys.argv[1:]
    gc.freeze()
    gc.set_threshold(young_threshold(args), *gc.get_threshold()[1:])
    gc.enable()
    code = main(args)
    gc.freeze()
    sys.exit(code)
