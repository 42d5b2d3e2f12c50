"""Reading a journal this user cannot write beside: an archive, a read-only mount.

A journal is in WAL mode, and SQLite reading a WAL file needs its index (`-shm`) beside
it: where the directory is not writable, a plain open works only while that index is
there (a reader left it), and fails where a command that wrote closed the journal last,
or `journal copy` made it, as an archive is. Opened `immutable`, SQLite
reads the file as it stands, without locks or index: right only while nobody writes it.
So that is done only for a journal that nobody writes any more:

- this user cannot write its directory and no index lies beside it (else the plain
  open works), and
- no write-ahead log with entries lies beside it (none is open for writing, none was
  left by a crash: that log would be left unread), and
- it is frozen: the file system is mounted read-only, or nobody may write the file (no
  write permission for anyone, as `chmod a-w` leaves an archive).

Anything else (another user's night still being written) is the plain open and its
error as before.
"""

from __future__ import annotations

import os
from pathlib import Path


def read_only_uri(path: Path) -> str | None:
    """A URI that opens the journal at `path` immutable, where that is safe; else None."""
    directory = path.parent
    if os.access(directory, os.W_OK) or os.path.exists(f"{path}-shm"):
        return None  # SQLite reads it the usual way (with an index beside it: read-only)
    try:
        if os.stat(f"{path}-wal").st_size > 0:
            return None
    except FileNotFoundError:
        pass  # no log beside it: the file holds every committed entry
    except OSError:
        return None
    try:
        frozen = bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
        frozen = frozen or not path.stat().st_mode & 0o222
    except OSError:
        return None
    return f"{path.resolve().as_uri()}?immutable=1" if frozen else None
