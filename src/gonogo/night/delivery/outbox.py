"""The dry-run notifier: every message that would go out, written to a file instead."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import shutil
import tempfile
from array import array
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gonogo.night.journal import Delivery, Journal, Mark, Status
from gonogo.night.steady import recall, remember, remembering

MARKS = 2000  # status changes handed to the journal at a time (all in one transaction)
# A file's recipients stay in memory up to this many characters, then go to disk: a
# text to a few (a rehearsal's stand-ins) costs no file, one to 100,000 no memory.
_SPOOL = 64 * 1024

# dispatch, channel, audience, language, subject, body
_Key = tuple[int, str, str, str, str | None, str]


@functools.lru_cache(maxsize=4096)  # a night's labels and audiences, named in every file
def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


class _File:
    """One outbox file being written: its recipients' lines stay in memory up to
    `_SPOOL` characters, then go to an unnamed temporary file (`spill`) as they are
    read; only their ids stay in memory (for the marks)."""

    def __init__(
        self, target: str, head: list[str], key: _Key, spill: Callable[[], IO[str]]
    ) -> None:
        self.target = target
        self.name = os.path.basename(target)
        self.head = head
        self.subject, self.body = key[4], key[5]
        self.ids = array("q")
        self.lines: list[str] = []  # the recipients' lines, until spilled
        self.kept = 0  # characters in `lines`
        self.spill = spill
        self.spilled: IO[str] | None = None

    def add(self, row: Delivery) -> None:
        self.ids.append(row.id)
        line = f"  {row.name} <{row.address}>\n"
        if "\r" in line:  # a quoted name may hold one: a line end, as the file reads back
            line = line.replace("\r\n", "\n").replace("\r", "\n")
        if self.spilled is not None:
            self.spilled.write(line)
            return
        self.lines.append(line)
        self.kept += len(line)
        if self.kept > _SPOOL:
            self.spilled = self.spill()
            self.spilled.writelines(self.lines)
            self.lines = []

    def finish(self) -> None:
        """Head, recipients, subject and body, written whole, then renamed into place.

        Inside a rehearsal (`steady_files()`), a file whose whole text an earlier path
        already wrote is hard-linked to it instead (`_linked`)."""
        # only a rehearsal's, and only in memory (see `_SPOOL`): never 100,000 recipients
        text = None
        key = None
        if self.spilled is None and remembering():
            text = "".join([self._head(), *self.lines, self._tail()])
            data = text.encode()
            key = "outbox:" + hashlib.sha256(data).hexdigest()
            if _linked(recall(key, _Written), self.target, data):
                return
        temporary = self.target[: -len(".txt")] + ".tmp"
        with contextlib.suppress(FileNotFoundError):  # an interrupted write's, maybe linked
            os.unlink(temporary)
        with open(temporary, "w", encoding="utf-8") as out:
            if text is not None:
                out.write(text)
            else:
                self._write(out)
        os.replace(temporary, self.target)  # a crash leaves the old file or the new one
        if key is not None:
            remember(key, _Written.of(self.target))

    def _write(self, out: IO[str]) -> None:
        out.write(self._head())
        if self.spilled is not None:
            self.spilled.seek(0)
            shutil.copyfileobj(self.spilled, out)
        out.writelines(self.lines)
        out.write(self._tail())

    def _head(self) -> str:
        return "".join(f"{line}\n" for line in [*self.head, f"recipients: {len(self.ids)}"])

    def _tail(self) -> str:
        subject = "" if self.subject is None else f"subject: {self.subject}\n"
        return subject + "\n" + self.body.rstrip("\n") + "\n"


@dataclass(frozen=True)
class _Written:
    """An outbox file a rehearsal wrote, as it was then (`_linked` checks it still is)."""

    path: str
    identity: tuple[int, int, int, int]

    @classmethod
    def of(cls, path: str) -> _Written:
        return cls(path, _identity(os.stat(path)))


def _identity(stat: os.stat_result) -> tuple[int, int, int, int]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _linked(written: _Written | None, target: str, data: bytes) -> bool:
    """`target` made a hard link to `written`'s file, if that is still the file written
    (inode, size, time) and `target` does not exist (a link never replaces: the caller
    writes instead). The link is then read back: unless it holds exactly `data`, it is
    removed and the caller writes. Outbox files are only replaced whole, never changed
    in place, so a linked file keeps its text."""
    if written is None:
        return False
    try:
        if _identity(os.stat(written.path)) != written.identity:
            return False
        os.link(written.path, target)
    except OSError:  # gone, replaced, another file system, or `target` exists
        return False
    try:
        same = _read_upto(target, len(data) + 1) == data
    except OSError:
        same = False
    if not same:
        with contextlib.suppress(OSError):  # if it stays, the caller's write replaces it
            os.unlink(target)
    return same


def _read_upto(path: str, limit: int) -> bytes:
    """At most `limit` bytes of the file at `path`, from its start."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while limit > 0 and (chunk := os.read(fd, limit)):
            chunks.append(chunk)
            limit -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class Outbox:
    """Writes one file per message and channel (per audience and language), with recipients."""

    def __init__(self, directory: Path, label: Callable[[int], str]) -> None:
        self.directory = directory
        self.label = label  # dispatch seq -> e.g. "part_completed-part1"

    def deliver(self, journal: Journal, deliveries: list[Delivery], now: dt.datetime) -> None:
        self.deliver_pages(journal, [deliveries], now)

    def deliver_pages(
        self, journal: Journal, pages: Iterable[list[Delivery]], now: dt.datetime
    ) -> None:
        """Every row of `pages`, read one page at a time: a dispatch to 100,000 recipients
        is written without holding its rows. The files are written first, then every row
        is marked sent in one transaction."""
        if not self.directory.is_dir():
            self.directory.mkdir(parents=True, exist_ok=True)
        files: dict[_Key, _File] = {}
        variant: dict[tuple[int, str, str, str], int] = {}
        with ExitStack() as opened:  # unnamed temporary files: closing removes them

            def spill() -> IO[str]:
                return opened.enter_context(tempfile.TemporaryFile(
                    "w+", encoding="utf-8", dir=self.directory, prefix=".recipients-"
                ))  # fmt: skip

            for page in pages:
                for d in page:
                    key = (d.dispatch, d.channel, d.audience, d.language, d.subject, d.body)
                    file = files.get(key)
                    if file is None:
                        file = files[key] = self._open(key, variant, spill)
                    file.add(d)
            for file in files.values():
                file.finish()
        with journal.transaction():
            marks: list[Mark] = []
            for file in files.values():
                reason = f"outbox:{file.name}"
                for i in file.ids:
                    marks.append(Mark(i, Status.SENT, reason))
                    if len(marks) == MARKS:
                        journal.mark_many(marks, now)
                        marks = []
            journal.mark_many(marks, now)

    def _open(
        self, key: _Key, variant: dict[tuple[int, str, str, str], int], spill: Callable[[], IO[str]]
    ) -> _File:
        dispatch, channel, audience, language = key[:4]
        stem = f"{dispatch:05d}-{_slug(self.label(dispatch))}-{channel}-{_slug(audience)}"
        stem += f"-{language}"
        index = variant[key[:4]] = variant.get(key[:4], 0) + 1
        name = f"{stem}.txt" if index == 1 else f"{stem}-{index}.txt"
        head = [
            f"event: {self.label(dispatch)}",
            f"channel: {channel}",
            f"audience: {audience}",
            f"language: {language}",
        ]
        return _File(os.path.join(self.directory, name), head, key, spill)
