"""The rehearsal's outbox, written from rows read a page at a time."""

from __future__ import annotations

import datetime as dt
from contextlib import closing
from pathlib import Path

from gonogo.night.delivery.outbox import Outbox
from gonogo.night.entries import Dispatched, Kind, NewEntry
from gonogo.night.journal import NewDelivery, Status, pages
from gonogo.night.sqlite_journal import SqliteJournal

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
