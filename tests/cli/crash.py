"""The crash trials of `bench/crash_trials.py`, for the tests that run a few of them."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

BENCH = Path(__file__).resolve().parents[2] / "bench" / "crash_trials.py"


def load() -> ModuleType:
    """The bench script as a module: its runbook, numbers and trials, one source of truth."""
    if "crash_trials" in sys.modules:
        return sys.modules["crash_trials"]
    spec = importlib.util.spec_from_file_location("crash_trials", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_trials"] = module
    spec.loader.exec_module(module)
    return module
