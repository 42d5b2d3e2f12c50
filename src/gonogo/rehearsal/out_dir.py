"""Where a rehearsal writes: a directory it may empty, never one that holds anyone's files.

A rehearsal replaces what an earlier rehearsal left in its directory (a scenario's
journal, every path's directories). So `--out` must be new, empty, or marked as a
rehearsal's by the file `MARK` that each rehearsal leaves there: `--out ~` or `--out .`
with other files in it is refused before anything is removed or written.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from gonogo.errors import UsageError

MARK = ".gonogo-rehearsal"
_MARK_TEXT = "A gonogo rehearsal's journals and outbox: the next rehearsal here replaces them.\n"


def claim(out: Path | None, prefix: str) -> Path:
    """The directory a rehearsal writes into, empty but for its mark: `out`, once it is
    safe to empty, or a new temporary one."""
    if out is None:
        out = Path(tempfile.mkdtemp(prefix=prefix))
    elif out.exists() and not out.is_dir():  # a file, or a pipe
        raise UsageError(f"--out {out} is not a directory; give a directory")
    elif out.is_dir() and not (out / MARK).is_file() and any(out.iterdir()):
        raise UsageError(
            f"--out {out} holds files that are not a rehearsal's; a rehearsal replaces what "
            "is in its directory, so nothing was removed or written",
            hint="give a new or empty directory (or one an earlier rehearsal wrote)",
        )
    emptied(out)  # an earlier rehearsal's files, scenario or paths, never mix with these
    (out / MARK).write_text(_MARK_TEXT, encoding="utf-8")
    return out


def emptied(directory: Path) -> Path:
    """`directory`, made and emptied of all but its mark: an earlier rehearsal's state
    never mixes into this one's."""
    if directory.exists():
        for child in directory.iterdir():
            if child.name == MARK:
                continue
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    directory.mkdir(parents=True, exist_ok=True)
    return directory
