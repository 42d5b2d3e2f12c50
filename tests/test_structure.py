"""The shape of src/gonogo: no import cycles, small modules, channels that know no night.

Imports are read with `ast`, not by importing: every `import` and `from ... import`
counts, inside functions and under `if TYPE_CHECKING:` too, since each still ties the
two modules together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "gonogo"
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(name: str, path: Path) -> Iterator[str]:
    """Every name `name` imports, absolute (relative imports resolved), in order."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            yield from (f"{origin}.{alias.name}" for alias in node.names)


def _target(imported: str) -> str | None:
    """The gonogo module an imported name lives in: the longest module that prefixes it."""
    parts = imported.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {_target(i) for i in _imported(name, path) if i.split(".")[0] == "gonogo"}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _describe(cycles: list[list[str]]) -> str:
    return "; ".join(" <-> ".join(c) for c in cycles)


def test_the_import_graph_is_read() -> None:
    graph = _graph()
    assert "gonogo.night.snapshot" in graph["gonogo.night.decisions.window"]
    assert "gonogo.night.entries" in graph["gonogo.night.snapshot"]
    # Relative, function-level and TYPE_CHECKING imports are edges too.
    assert "gonogo.runbook.model" in graph["gonogo.night.delivery.live"]
    assert "gonogo.notify.sms" in graph["gonogo.night.delivery.live"]


def test_relative_imports_are_resolved(tmp_path: Path) -> None:
    module = tmp_path / "mod.py"
    module.write_text("from . import a\nfrom ..b import c\n\ndef f():\n    import gonogo.x\n")
    assert list(_imported("gonogo.night.mod", module)) == [
        "gonogo.night.a", "gonogo.b.c", "gonogo.x",
    ]  # fmt: skip
    init = tmp_path / "__init__.py"
    init.write_text("from .sub import *\n")
    assert list(_imported("gonogo.night", init)) == ["gonogo.night.sub.*"]


def test_cycles_are_found_and_named() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": {"f"}}
    assert _cycles(graph) == [["a", "b", "c"], ["d", "e"]]


def test_no_import_cycle() -> None:
    cycles = _cycles(_graph())
    assert not cycles, f"import cycles in src/gonogo: {_describe(cycles)}"


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_LINES
    }
    listed = ", ".join(f"{name} ({n} lines)" for name, n in sorted(long.items()))
    assert not long, f"modules over {MAX_LINES} lines: {listed}"


def test_the_channels_know_nothing_of_the_night() -> None:
    found = sorted(
        f"{name} imports {imported}"
        for name, path in MODULES.items()
        if name.startswith("gonogo.notify")
        for imported in _imported(name, path)
        if imported == "gonogo.night" or imported.startswith("gonogo.night.")
    )
    assert not found, "gonogo.notify must not import gonogo.night: " + "; ".join(found)
