"""Files named by the user, opened so that a pipe or a device cannot hold a command up.

`open()` on a FIFO waits for a writer and reading a terminal waits for input: both hang
a command (CI's validate, a rehearsal) forever. The file is opened without blocking and
checked on the open descriptor, so that a file swapped for a pipe after a check is
refused too.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotRegularFileError(OSError):
    """The path names a pipe, socket or device, not a file."""


def regular_fd(path: Path) -> tuple[int, os.stat_result]:
    """`path` opened read-only without blocking: its descriptor (the caller's to close)
    and status. A directory or anything but a regular file is refused with an OSError
    (IsADirectoryError, NotRegularFileError) naming the path, its descriptor closed."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(
                errno.EINVAL, "not a regular file (a pipe or a device?)", str(path)
            )
    except BaseException:
        os.close(fd)
        raise
    return fd, info


def open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading in binary (see `regular_fd`)."""
    fd, _info = regular_fd(path)
    try:
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of the regular file at `path` (see `open_regular`)."""
    with open_regular(path) as file:
        return file.read(limit + 1)


def write_output(path: Path, data: bytes) -> None:
    """`data` as the file at `path` (created or replaced), or into the pipe or device there
    if one reads it: a pipe that nobody reads is refused at once instead of waited on."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK
    flags |= getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a FIFO without a reader
            raise NotRegularFileError(
                errno.ENXIO, "a pipe that nothing reads, not a file", str(path)
            ) from None
        raise
    with os.fdopen(fd, "wb") as file:
        os.set_blocking(fd, True)
        file.write(data)
