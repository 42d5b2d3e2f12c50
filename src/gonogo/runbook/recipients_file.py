"""Finding and reading a runbook's recipients file, which a hostile runbook may name.

`validate` runs in CI on runbooks nobody has reviewed, with the night's credentials in
the environment, and its output lands in CI logs. So the path a runbook gives is
confined: relative, resolved with symlinks followed, and under the runbook's directory
(or the root given with `--recipients-root`); the file must be a regular file of at
most MAX_BYTES, read within READ_TIMEOUT seconds. Every refusal names the path and
says why; none shows the file's content, and a refused file is never read at all.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gonogo.errors import RunbookError
from gonogo.regular_file import NotRegularFileError, regular_fd

MAX_BYTES = 50 * 1024 * 1024
READ_TIMEOUT = 5.0  # seconds; a local file of 50 MB reads in well under one
# POSIX's minimum for a name is 14, Linux and macOS allow 255 bytes, paths 4096.
_NAME_MAX = 255
_PATH_MAX = 4096


class RecipientsFileError(RunbookError):
    """The recipients file is refused or cannot be read; the message names the path."""


def resolve_recipients(runbook: Path, written: str, root: Path | None = None) -> Path:
    """The file `written` in `runbook` names, confined to `root` (default: its directory).

    Raises RecipientsFileError for an absolute path, a path that leads outside the
    root (through `..` or a symlink), a name longer than file systems allow, and a
    path that is missing or not a regular file.
    """
    from gonogo.runbook.secrets import excerpt  # noqa: PLC0415  # keeps import light

    shown = excerpt(written, 80)
    if not written.strip():
        raise RecipientsFileError("recipients: the path is empty")
    too_long = [part for part in written.replace("\\", "/").split("/") if len(part) > _NAME_MAX]
    if too_long or len(written.encode("utf-8", "surrogatepass")) > _PATH_MAX:
        raise RecipientsFileError(
            f"recipients file {shown}: a name in the path is longer than file systems "
            f"allow ({_NAME_MAX} bytes a name, {_PATH_MAX} a path)"
        )
    if "\x00" in written:
        raise RecipientsFileError(f"recipients file {shown}: a path cannot contain a NUL byte")
    base = runbook.parent
    if Path(written).is_absolute():
        raise RecipientsFileError(
            f"recipients file {shown} is an absolute path; write it relative to the runbook",
            hint="put the file under the runbook's directory, e.g. recipients/drift.csv",
        )
    allowed = (root if root is not None else base).resolve()
    try:
        resolved = (base / written).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long in a link
        raise RecipientsFileError(f"recipients file {shown} cannot be resolved: {exc}") from None
    if not resolved.is_relative_to(allowed):
        where = "--recipients-root" if root is not None else "the runbook's directory"
        raise RecipientsFileError(
            f"recipients file {shown} is outside {where} ({allowed}); "
            "a runbook may only name files in its own tree",
            hint="move the file under the runbook's directory, or pass --recipients-root",
        )
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        raise RecipientsFileError(f"recipients file not found: {base / written}") from None
    except OSError as exc:
        raise RecipientsFileError(
            f"recipients file {shown} cannot be read: {exc.strerror}"
        ) from None
    if not stat.S_ISREG(mode):
        what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a device or pipe?)"
        raise RecipientsFileError(f"recipients file {shown} is {what}, not a CSV file")
    return resolved


def read_limited(path: Path, max_bytes: int = MAX_BYTES, timeout: float = READ_TIMEOUT) -> bytes:
    """The bytes of the regular file at `path`: at most `max_bytes`, within `timeout`.

    Opened without blocking and checked on the open descriptor, so that a file swapped
    for a pipe after it was resolved is refused too; read on a thread of its own, so
    that a file system that stops answering cannot hold validate up.
    """
    try:
        fd, info = regular_fd(path)
    except FileNotFoundError:
        raise RecipientsFileError(f"{path}: recipients file not found") from None
    except IsADirectoryError:
        raise RecipientsFileError(f"{path}: is a directory, not a recipients CSV file") from None
    except NotRegularFileError:
        raise RecipientsFileError(
            f"{path}: not a regular file, not a recipients CSV file"
        ) from None
    except OSError as exc:
        raise RecipientsFileError(f"{path}: cannot read recipients file: {exc.strerror}") from None
    try:
        if info.st_size > max_bytes:
            raise RecipientsFileError(_too_large(path, max_bytes))
        data = _read_with_timeout(fd, max_bytes + 1, timeout, path)
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    if len(data) > max_bytes:  # a file that grew, or one that reports size 0 (/proc)
        raise RecipientsFileError(_too_large(path, max_bytes))
    return data


def _too_large(path: Path, max_bytes: int) -> str:
    return f"{path}: recipients file is larger than {max_bytes // (1024 * 1024)} MB"


def _read_with_timeout(fd: int, limit: int, timeout: float, path: Path) -> bytes:
    import threading  # noqa: PLC0415  # only when a runbook has a recipients file

    chunks: list[bytes] = []
    failure: list[OSError] = []
    done = threading.Event()
    own = os.dup(fd)  # the thread's own descriptor: it may outlive this call

    def read() -> None:
        try:
            size = 0
            while size < limit:
                chunk = os.read(own, min(1 << 20, limit - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            failure.append(exc)
        finally:
            os.close(own)
            done.set()

    threading.Thread(target=read, name="gonogo-read-recipients", daemon=True).start()
    if not done.wait(timeout):
        raise RecipientsFileError(
            f"{path}: reading the recipients file took longer than {timeout:g} seconds"
        )
    if failure:
        raise RecipientsFileError(f"{path}: cannot read recipients file: {failure[0].strerror}")
    return b"".join(chunks)
