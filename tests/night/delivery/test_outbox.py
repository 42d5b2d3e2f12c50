"""The rehearsal's outbox, written from rows read a page at a time."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from contextlib import closing
from pathlib import Path

from gonogo.night.delivery.outbox import Outbox
from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import NewDelivery, Status, pages
from gonogo.night.sqlite_journal import SqliteJournal
from gonogo.night.steady import steady_files

AT = dt.datetime(2021, 11, 27, 22, 0, tzinfo=dt.UTC)


def test_one_file_per_text_lists_every_recipient_once_across_pages(tmp_path: Path) -> None:
    sv = ("sms", "vard", "sv", None, "Fönstret öppnar.\n")
    en = ("sms", "vard", "en", None, "The window opens.")
    mail = ("email", "vard", "sv", "Fönstret", "Hej!\n")
    texts = [sv, en, sv, mail, sv, en, sv]  # the texts of one dispatch, interleaved
    rows = [NewDelivery(c, a, f"+4670174060{n}", f"Person {n}", lang, subject, body)
            for n, (c, a, lang, subject, body) in enumerate(texts)]  # fmt: skip
    with closing(SqliteJournal.create(tmp_path / "journal.sqlite", {})) as journal:
        with journal.transaction():
            seq = journal.append(NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, 7)),
                                 at=AT, operator="a", runbook_sha256="x")  # fmt: skip
            journal.add_deliveries(seq, rows, AT)
        outbox = Outbox(tmp_path / "outbox", lambda _seq: "window_started")
        read = pages(journal, dispatch=seq, statuses=(Status.PENDING,), size=2)
        outbox.deliver_pages(journal, read, AT)
        delivered = journal.deliveries()
    files = sorted(p.name for p in (tmp_path / "outbox").iterdir())
    stem = f"{seq:05d}-window_started"
    assert files == [f"{stem}-email-vard-sv.txt", f"{stem}-sms-vard-en.txt",
                     f"{stem}-sms-vard-sv.txt"]  # fmt: skip
    assert (tmp_path / "outbox" / f"{stem}-sms-vard-sv.txt").read_text(encoding="utf-8") == (
        "event: window_started\nchannel: sms\naudience: vard\nlanguage: sv\nrecipients: 4\n"
        "  Person 0 <+46701740600>\n  Person 2 <+46701740602>\n"
        "  Person 4 <+46701740604>\n  Person 6 <+46701740606>\n\nFönstret öppnar.\n"
    )
    assert (tmp_path / "outbox" / f"{stem}-email-vard-sv.txt").read_text(encoding="utf-8") == (
        "event: window_started\nchannel: email\naudience: vard\nlanguage: sv\nrecipients: 1\n"
        "  Person 3 <+46701740603>\nsubject: Fönstret\n\nHej!\n"
    )
    assert [(d.status, d.provider_id) for d in delivered] == [
        (Status.SENT, f"outbox:{stem}-{c}-vard-{lang}.txt") for c, _a, lang, _s, _b in texts
    ]


def _deliver(
    state: Path, texts: list[tuple[int, str]], outbox: Path | None = None
) -> dict[str, str]:
    """One dispatch of (recipient number, body) SMS from a new journal in `state` to
    its outbox (or `outbox`): each file's name -> text."""
    rows = [NewDelivery("sms", "vard", f"+467017{n:05d}", f"Person {n}", "sv", None, body)
            for n, body in texts]  # fmt: skip
    state.mkdir()
    outbox = outbox or state / "outbox"
    with closing(SqliteJournal.create(state / "journal.sqlite", {})) as journal:
        with journal.transaction():
            seq = journal.append(NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, 7)),
                                 at=AT, operator="a", runbook_sha256="x")  # fmt: skip
            journal.add_deliveries(seq, rows, AT)
        Outbox(outbox, lambda _seq: "window_started").deliver_pages(
            journal, pages(journal, dispatch=seq, statuses=(Status.PENDING,)), AT
        )
    return {p.name: p.read_text(encoding="utf-8") for p in outbox.iterdir()}


def test_a_rehearsal_links_a_text_an_earlier_path_wrote_and_writes_any_other(
    tmp_path: Path,
) -> None:
    """Paths of one rehearsal send the same texts to the same stand-ins: the second copy
    of a file is a hard link to the first (one inode), with exactly the same text; a
    text that differs in anything is written as its own file."""
    with steady_files():
        first = _deliver(tmp_path / "a", [(1, "Fönstret öppnar.")])
        same = _deliver(tmp_path / "b", [(1, "Fönstret öppnar.")])
        other = _deliver(tmp_path / "c", [(1, "Fönstret stänger.")])
    assert first == same
    assert other != first
    name = next(iter(first))
    inode = [(tmp_path / d / "outbox" / name).stat().st_ino for d in "abc"]
    assert inode[0] == inode[1] != inode[2]
    assert (tmp_path / "a" / "outbox" / name).stat().st_nlink == 2


def test_a_replaced_or_removed_file_is_never_linked_to(tmp_path: Path) -> None:
    """The memo names a file as it was: if it was replaced (another text at that name)
    or removed, the next path's file is written, with its own text."""
    with steady_files():
        first = _deliver(tmp_path / "a", [(1, "Fönstret öppnar.")])
        name = next(iter(first))
        written = tmp_path / "a" / "outbox" / name
        replacement = written.with_suffix(".new")
        replacement.write_text("something else\n", encoding="utf-8")
        replacement.replace(written)
        again = _deliver(tmp_path / "b", [(1, "Fönstret öppnar.")])
        shutil.rmtree(tmp_path / "b")
        third = _deliver(tmp_path / "c", [(1, "Fönstret öppnar.")])
    assert again == first == third
    assert (tmp_path / "c" / "outbox" / name).stat().st_nlink == 1


def test_outside_a_rehearsal_every_file_is_its_own(tmp_path: Path) -> None:
    first = _deliver(tmp_path / "a", [(1, "Fönstret öppnar.")])
    second = _deliver(tmp_path / "b", [(1, "Fönstret öppnar.")])
    assert first == second
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "b" / "outbox").iterdir())


def test_a_file_changed_in_place_behind_the_memo_is_never_linked_to(tmp_path: Path) -> None:
    """Same inode, size and time, another text (written in place, its time put back):
    the link is read back, found to differ, and the file is written instead."""
    with steady_files():
        first = _deliver(tmp_path / "a", [(1, "Fönstret öppnar.")])
        written = tmp_path / "a" / "outbox" / next(iter(first))
        before = written.stat()
        with written.open("r+", encoding="utf-8") as edit:
            edit.write("X")  # same size: one ASCII character for another
        os.utime(written, ns=(before.st_atime_ns, before.st_mtime_ns))
        again = _deliver(tmp_path / "b", [(1, "Fönstret öppnar.")])
    assert again == first
    assert (tmp_path / "b" / "outbox" / next(iter(first))).stat().st_ino != before.st_ino
    assert written.read_text(encoding="utf-8").startswith("X")


def test_writing_again_over_a_linked_name_leaves_the_other_path_s_file_alone(
    tmp_path: Path,
) -> None:
    """A file linked from another path is replaced whole (a new file renamed over the
    name), never written through: the other path keeps its text."""
    with steady_files():
        first = _deliver(tmp_path / "a", [(1, "Fönstret öppnar.")])
        name = next(iter(first))
        _deliver(tmp_path / "b", [(1, "Fönstret öppnar.")])
        linked = tmp_path / "b" / "outbox" / name
        assert linked.stat().st_nlink == 2
        leftover = linked.with_suffix(".tmp")  # an interrupted write's, linked too
        os.link(tmp_path / "a" / "outbox" / name, leftover)
        rewritten = _deliver(tmp_path / "b2", [(2, "Fönstret stänger.")], tmp_path / "b" / "outbox")
    assert "Fönstret stänger." in rewritten[name]
    assert (tmp_path / "a" / "outbox" / name).read_text(encoding="utf-8") == first[name]


def test_a_text_too_long_to_keep_in_memory_is_written_every_time(tmp_path: Path) -> None:
    many = [(n, "Fönstret öppnar.") for n in range(3000)]  # over 64 KiB of recipients
    with steady_files():
        first = _deliver(tmp_path / "a", many)
        second = _deliver(tmp_path / "b", many)
    assert first == second
    assert len(next(iter(first.values()))) > 64 * 1024
    assert all(p.stat().st_nlink == 1 for p in (tmp_path / "b" / "outbox").iterdir())


def _names_in_outbox(state: Path, names: list[str]) -> bytes:
    rows = [NewDelivery("sms", "vard", f"+467017{n:05d}", name, "sv", None, "Hej")
            for n, name in enumerate(names)]  # fmt: skip
    state.mkdir()
    with closing(SqliteJournal.create(state / "journal.sqlite", {})) as journal:
        with journal.transaction():
            seq = journal.append(NewEntry(Kind.DISPATCH, Dispatched("window_started", 1, 7)),
                                 at=AT, operator="a", runbook_sha256="x")  # fmt: skip
            journal.add_deliveries(seq, rows, AT)
        Outbox(state / "outbox", lambda _seq: "window_started").deliver_pages(
            journal, pages(journal, dispatch=seq, statuses=(Status.PENDING,)), AT
        )
    (written,) = (state / "outbox").iterdir()
    return written.read_bytes()


def test_a_name_with_a_carriage_return_lists_as_line_ends_in_memory_or_spilled(
    tmp_path: Path,
) -> None:
    """A quoted CSV name may hold \\r\\n or \\r: the file has \\n for both, as it always
    had, whether its recipients stayed in memory or went to a temporary file."""
    odd = ["Ann\r\nLee", "Bo\rX"]
    small = _names_in_outbox(tmp_path / "small", odd)
    large = _names_in_outbox(tmp_path / "large", odd + [f"Person {n}" for n in range(3000)])
    assert len(large) > 64 * 1024
    for written in (small, large):
        assert b"\r" not in written
        assert b"  Ann\nLee <+46701700000>\n  Bo\nX <+46701700001>\n" in written
