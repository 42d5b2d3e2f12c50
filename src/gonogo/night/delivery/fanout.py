"""One lane's rows through its workers: claimed in flight as workers free up, the
outcomes journaled in batches.

Only the calling thread touches the journal; the workers only send. Each round is one
commit: the outcomes of every request that finished since the last round, and an
in_flight mark for as many rows as that freed workers. The rows are handed to the
workers only once that commit is done, so no row is sent unclaimed and no more rows
are in flight than there are workers (after a kill, the rows in doubt are the requests
really under way). However many requests finish while a commit is written, the next
round takes them all: the busier the lane, the larger and fewer the commits.

Workers report on one queue the calling thread blocks on; nothing polls and nothing
is scanned per completion.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable, Sequence

from gonogo.errors import JournalWriteError
from gonogo.night.journal import Delivery, Journal, Mark, Status
from gonogo.notify.base import SendResult

WAKE = 0.5  # seconds: the longest the calling thread blocks before it looks again


class FanOut:
    """Sends `rows` with `workers` threads calling `send`, journaling as the module says."""

    def __init__(
        self,
        journal: Journal,
        workers: int,
        send: Callable[[Delivery], SendResult],
        name: str,
    ) -> None:
        self.journal = journal
        self.workers = workers
        self.send = send
        self.name = name
        # Each handed row's outcome, written by the worker that took it (None: not sent,
        # a stop came first). Only workers write it, and a signal never lands in a
        # worker thread, so it is whole even when a stop interrupts the calling thread
        # halfway through reading a report.
        self._outcomes: dict[int, Mark | None] = {}
        self._inbox: queue.SimpleQueue[Delivery | None] = queue.SimpleQueue()
        self._reports: queue.SimpleQueue[tuple[Delivery, Mark | None]] = queue.SimpleQueue()
        self._stopping = False

    def run(self, rows: Sequence[Delivery], advance: Callable[[int], None]) -> None:
        """Every row, once; `advance(n)` after each commit that journaled n outcomes."""
        threads = [
            threading.Thread(target=self._work, name=f"{self.name}_{n}")
            for n in range(min(self.workers, len(rows)))
        ]
        for thread in threads:
            thread.start()
        claimed: dict[int, Delivery] = {}  # in flight: claimed, outcome not yet journaled
        done: list[Mark] = []
        handed = 0  # rows handed to workers whose report has not come back
        taken = 0  # rows[:taken] are claimed
        try:
            try:
                while True:
                    chunk = rows[taken : taken + len(threads) - handed]
                    if chunk or done:
                        # A row whose in_flight mark cannot be journaled is not sent.
                        claimed.update((d.id, d) for d in chunk)
                        marks = [*done, *(Mark(d.id, Status.IN_FLIGHT) for d in chunk)]
                        self.journal.mark_many(marks, _now())
                        advance(len(done))
                        done = []
                        taken += len(chunk)
                        for row in chunk:
                            self._inbox.put(row)
                            handed += 1  # after the put: a stop never waits for a row not handed
                    if not handed:  # every row taken, every outcome journaled
                        break
                    handed -= self._collect(done, claimed)
            except BaseException as exc:
                self._stop(claimed, done, threads, exc)
                raise
        finally:
            for _ in threads:
                self._inbox.put(None)
            for thread in threads:
                thread.join()

    def _collect(self, done: list[Mark], claimed: dict[int, Delivery]) -> int:
        """Every report there is, waiting up to `WAKE` for the first; how many came."""
        try:
            report = self._reports.get(timeout=WAKE)
        except queue.Empty:
            return 0
        got = 0
        while True:
            row, mark = report
            got += 1
            if mark is not None:  # None: a stop came before the request started
                done.append(mark)
                claimed.pop(row.id, None)
            try:
                report = self._reports.get_nowait()
            except queue.Empty:
                return got

    def _work(self) -> None:
        while (row := self._inbox.get()) is not None:
            if self._stopping:
                self._outcomes[row.id] = None
                self._reports.put((row, None))
                continue
            # Whatever happens, a report: the calling thread waits for every row it handed.
            mark = Mark(row.id, Status.IN_FLIGHT, None, "error", "unexpected error")
            try:
                mark = outcome(row, self.send(row))
            except Exception as exc:  # noqa: BLE001  # a bug in one send must not lose the others
                mark = Mark(row.id, Status.IN_FLIGHT, None, "error", f"{mark.reason}: "
                            f"{type(exc).__name__}")  # fmt: skip
            finally:
                self._outcomes[row.id] = mark
                self._reports.put((row, mark))

    @property
    def went_out(self) -> int:
        """Requests that were sent, journaled or not."""
        return sum(1 for m in list(self._outcomes.values()) if m and m.status == Status.SENT)

    def _stop(
        self,
        claimed: dict[int, Delivery],
        done: list[Mark],
        threads: list[threading.Thread],
        cause: BaseException,
    ) -> None:
        """Ctrl-C, SIGTERM, a journal that cannot be written: sends under way finish
        (bounded by their timeout) and their outcome is journaled; every other claimed
        row goes back to pending. Nothing is left in flight by a stop that is allowed to
        finish. Where the journal cannot take the outcomes (disk full), their rows stay
        in flight, in doubt until `resume` asks the provider.

        The outcomes come from what the workers wrote, not from the reports this thread
        read: the stop may have come between reading a report and counting it."""
        self._stopping = True
        for _ in threads:  # rows handed but not started come back as not sent
            self._inbox.put(None)
        for thread in threads:
            thread.join()
        rows = dict.fromkeys([*(m.delivery for m in done), *claimed])
        marks = []
        for row in rows:
            found = self._outcomes.get(row)
            marks.append(found or Mark(row, Status.PENDING, reason="interrupted"))
        try:
            self.journal.mark_many(marks, _now())
        except JournalWriteError:
            if not isinstance(cause, JournalWriteError):
                raise  # the disk filled while stopping: that is what to report


def outcome(row: Delivery, result: SendResult) -> Mark:
    """The status a send's result journals for its row."""
    if result.ok:
        return Mark(row.id, Status.SENT, result.provider_id)
    if result.code == "in-doubt":
        return Mark(row.id, Status.IN_FLIGHT, None, result.code, result.reason)
    return Mark(row.id, Status.FAILED, None, result.code, result.reason)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
