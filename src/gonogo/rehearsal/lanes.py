"""Paths rehearsed side by side: one process per core, each taking the next task (a
path, or the paths from one fork) when it ends one.

Once the paths that others start from have run (their forks are then on disk), every
other path depends on nothing but its fork and its own commands. The rest run in lanes,
one per core, each in a process forked from this one: the runbook loaded, the command
line built, the stand-ins planned. The lanes take the work from one queue, costliest
first, so a lane that is slower for any reason (a path dearer than its commands say, a
core another program wants) takes less, and they end within about one task of each
other. A lane checks each of its paths' journals and sends back what a single process
would have found (each path is deterministic on its clock): the steps, the checks, how
the night ended. `jobs=1`, or a system without `fork`, runs them one after another here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from gonogo.errors import GonogoError

T = TypeVar("T")


def default_jobs() -> int:
    """The cores this process may use, at most 4 (beyond that a lane's share is small)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4))


def split(work: dict[int, int], jobs: int) -> list[list[int]]:
    """Items (item -> cost) in `jobs` lanes of about equal cost, each in item order:
    the costliest first, each to the lane with the least so far."""
    lanes: list[list[int]] = [[] for _ in range(max(1, min(jobs, len(work))))]
    loads = [0] * len(lanes)
    for item in sorted(work, key=lambda i: (-work[i], i)):
        least = loads.index(min(loads))
        lanes[least].append(item)
        loads[least] += work[item]
    return [sorted(lane) for lane in lanes if lane]


def side_by_side(work: dict[int, int], jobs: int, run: Callable[[int], T]) -> dict[int, T]:
    """`run(item)` for every item of `work` (item -> cost), in up to `jobs` lanes, this
    process and forked ones, each taking the next item, costliest first, whenever it
    ends one; what `run` returns must pickle. An error in any lane is one `GonogoError`
    (`_failed`). Beyond `_QUEUED` items (or items that are not 0 to 2**32 - 1), the
    lanes are made beforehand instead (`split`)."""
    lanes = max(1, min(jobs, len(work)))
    if lanes < 2 or not hasattr(os, "fork"):
        return {item: run(item) for item in sorted(work)}
    order = sorted(work, key=lambda i: (-work[i], i))
    queue = _queue(order) if len(order) <= _QUEUED and all(0 <= i < 2**32 for i in order) else None
    if queue is None:
        return _in_lanes(split(work, jobs), run)
    try:
        return _in_lanes([_taken(queue) for _ in range(lanes)], run)
    finally:
        os.close(queue)


_ITEM = 4  # bytes an item takes in the queue
_QUEUED = 4096 // _ITEM  # items the queue takes: one page, the least a pipe holds


def _queue(items: list[int]) -> int | None:
    """A pipe holding `items`, to read from; None if it did not take them all at once
    (a pipe holds at least a page, and a write into an empty one does not wait)."""
    data = b"".join(item.to_bytes(_ITEM, "little") for item in items)
    queue, fill = os.pipe()
    try:
        whole = os.write(fill, data) == len(data)
    except BaseException:
        os.close(queue)
        raise
    finally:
        os.close(fill)  # once it is empty, every lane reads its end
    if not whole:
        os.close(queue)
        return None
    return queue


def _taken(queue: int) -> Iterator[int]:
    """The items this lane takes from `queue`, each when it asks for the next. Every item
    was written before any lane read, so each read takes one whole item or none."""
    while chunk := os.read(queue, _ITEM):
        yield int.from_bytes(chunk, "little")


def _in_lanes(lanes: Sequence[Iterable[int]], run: Callable[[int], T]) -> dict[int, T]:
    """`run(item)` for the items of each lane in turn, the first lane here and the
    others each in a forked process."""
    children: list[tuple[int, int]] = []  # pid, the pipe its results come through
    try:
        for lane in lanes[1:]:
            children.append(_start(lane, run))
        try:
            done = {item: run(item) for item in lanes[0]}
        except GonogoError:
            raise
        except Exception as exc:  # as a forked lane's would be: whichever lane ran it
            raise _failed(type(exc).__name__, exc) from exc
        while children:
            pid, pipe = children.pop(0)
            done.update(_results(pid, pipe))
    except BaseException:
        for pid, pipe in children:  # an interrupt, an error: no lane outlives us
            os.close(pipe)
            _stop(pid)
        raise
    return done


def _start(lane: Iterable[int], run: Callable[[int], T]) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    code = 1  # the lane's process: run it, send its results, and never return
    try:
        os.close(read)
        try:
            payload = pickle.dumps(("done", {item: run(item) for item in lane}))
            code = 0
        except BaseException as exc:  # noqa: BLE001  # it goes back to the parent, as text
            with contextlib.suppress(Exception):  # the other lanes take no more: it failed
                for _ in lane:
                    pass
            hint = exc.hint if isinstance(exc, GonogoError) else None
            failure = (type(exc).__name__, isinstance(exc, GonogoError), str(exc), hint,
                       traceback.format_exc())  # fmt: skip
            payload = pickle.dumps(("failed", failure))
        with os.fdopen(write, "wb") as out:
            out.write(payload)
    finally:
        os._exit(code)  # not the parent's exit handlers, whatever happened above


def _results(pid: int, pipe: int) -> dict[int, T]:
    with os.fdopen(pipe, "rb") as source:
        payload = source.read()
    os.waitpid(pid, 0)
    if not payload:
        raise GonogoError(f"a rehearsal lane (process {pid}) ended without its results",
                          hint=_HINT)  # fmt: skip
    # S301: our own fork's pickle, through a pipe only it and we hold.
    status, found = pickle.loads(payload)  # noqa: S301
    if status == "done":
        return found  # type: ignore[no-any-return]
    kind, expected, message, hint, trace = found
    if kind == "KeyboardInterrupt":
        raise KeyboardInterrupt
    if os.environ.get("GONOGO_DEBUG"):
        sys.stderr.write(trace)
    raise _failed(kind, GonogoError(message, hint=hint) if expected else message)


def _failed(kind: str, error: GonogoError | BaseException | str) -> GonogoError:
    """What a lane's error is to the user: a `GonogoError` as it was (the same message as
    without lanes), anything else as one line that says a lane failed and how."""
    if isinstance(error, GonogoError):
        return error
    return GonogoError(f"a rehearsal lane failed: {kind}: {error}", hint=_HINT)


_HINT = "`--jobs 1` rehearses the paths one after another in one process; --debug shows where"


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass
