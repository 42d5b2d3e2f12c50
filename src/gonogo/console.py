"""The `gonogo` console script: `gonogo.cli.main` with the garbage collector set for a
short-lived process.

Loading the CLI allocates hundreds of thousands of objects (Typer, pydantic, the
runbook models) and no garbage: the cyclic collector runs many times for nothing.
At exit the interpreter collects again, over everything. Measured on `gonogo
validate` (bench/validate.py), the two cost about 40 ms of a 180 ms run. So:

- the collector is off while the CLI loads; what loading made is then frozen, never
  traversed again;
- `validate` keeps it off to the end: it makes no cyclic garbage worth collecting
  (1,000 runbooks in one call peak at the same memory with and without it);
- every other command turns it back on, so a long night or a 10,000-message dispatch
  collects as usual;
- before exit, everything is frozen, so the exit collection has nothing to traverse.

Nothing is skipped at exit: atexit handlers, thread joins and the flushing of stdout
and stderr run as always. Only this entry point does this; `main()` called in-process
(tests, rehearsals) leaves the collector alone.
"""

from __future__ import annotations

import gc
import sys
from typing import NoReturn


def collects_during(args: list[str]) -> bool:
    """Whether the cyclic collector runs while the command does its work."""
    return args[:1] != ["validate"]


def run() -> NoReturn:
    gc.disable()
    from gonogo.cli import main  # noqa: PLC0415  # after gc.disable: this is the load

    args = sys.argv[1:]
    if collects_during(args):
        gc.freeze()
        gc.enable()
    code = main(args)
    gc.freeze()
    sys.exit(code)
