"""Where each value of a runbook file stands: its path in the document, line and column."""

from __future__ import annotations

from dataclasses import dataclass, field

DocPath = tuple[str | int, ...]


@dataclass
class Marks:
    """Where each key and value stands in the file (0-based, as YAML marks them)."""

    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    # Literal (|) and folded (>) block scalars: the text starts on a line of its own.
    # (first text line, its indentation, literal?), 0-based.
    blocks: dict[DocPath, tuple[int, int, bool]] = field(default_factory=dict)

    def locate(self, path: DocPath, *, key: bool = False) -> tuple[int, int]:
        """1-based line and column of `path`, or of its nearest known ancestor."""
        probe = tuple(path)
        while True:
            found = (self.keys.get(probe) if key else None) or self.values.get(probe)
            if found is None and not key:
                found = self.keys.get(probe)
            if found is not None:
                if probe in self.blocks and probe == tuple(path) and not key:
                    first, indent, _literal = self.blocks[probe]
                    return first + 1, indent + 1  # the text, not the `|` that opens it
                return found[0] + 1, found[1] + 1
            if not probe:
                return 1, 1
            probe = probe[:-1]

    def known(self, path: DocPath) -> bool:
        return path in self.values or path in self.keys

    def locate_in(self, path: DocPath, text: str, index: int) -> tuple[int, int]:
        """1-based line and column of character `index` of the text at `path`.

        Exact in a literal block (|), whose lines are the file's lines; the text's first
        line in a folded block (>), whose lines are joined; the value's start otherwise.
        """
        block = self.blocks.get(path)
        if block is None:
            return self.locate(path)
        first, indent, literal = block
        if not literal:
            return first + 1, indent + 1
        index = max(0, min(index, len(text)))
        line = text.count("\n", 0, index)
        column = index - (text.rfind("\n", 0, index) + 1)
        return first + line + 1, indent + column + 1
