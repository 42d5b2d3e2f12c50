"""What the site is built from: each release's window, its run if started, and the build time."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from gonogo.errors import GonogoError
from gonogo.night.belongs import REAL, REHEARSAL
from gonogo.night.clock import FixedClock
from gonogo.night.incidents import Incident
from gonogo.night.lights import Change
from gonogo.night.runs import JOURNAL
from gonogo.night.view import NightView, night_view
from gonogo.night.window_changes import CANCELLED
from gonogo.render.window_told import Told, told
from gonogo.runbook.model import Runbook
from gonogo.runbook.timeline import timeline
from gonogo.runbook.validate import load_valid

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Source:
    """One release's window: its runbook, and its run if it has started."""

    runbook: Runbook
    view: NightView | None
    rehearsal: bool

    @property
    def key(self) -> str:
        return self.runbook.release.id + ("-rehearsal" if self.rehearsal else "")

    @property
    def window(self) -> tuple[dt.datetime, dt.datetime]:
        plan = self.view.plan if self.view else timeline(self.runbook)
        return plan.local(plan.window_start), plan.local(plan.window_end)

    @property
    def status(self) -> str:
        """planned, cancelled, ongoing or done: from the journal, never from the clock.

        A run that only has notices, or was moved, is still planned until it opens.
        """
        if self.view is None:
            return "planned"
        night = self.view.night
        if night.window.cancelled is not None:
            return CANCELLED
        if not night.started:
            return "planned"
        return "done" if night.closed else "ongoing"

    @property
    def sequence(self) -> int:
        """How often the window changed: the calendar event's SEQUENCE."""
        return self.view.night.window.moves if self.view else 0

    def changes(self) -> list[Told]:
        """Each reschedule, cancellation and extension, with the window before and after."""
        return told(self.view.run.timeline(), self.view.night.window) if self.view else []

    @property
    def stamp(self) -> dt.datetime:
        """The last thing that happened to this window: the journal's last event."""
        if self.view is None or not self.view.night.entries:
            return self.window[0].astimezone(dt.UTC)
        return self.view.night.entries[-1].at

    def incidents(self) -> list[Incident]:
        return self.view.incidents() if self.view else []

    def lights(self) -> tuple[dict[str, str], list[Change]]:
        if self.view is None:
            return dict.fromkeys(self.runbook.services, "green"), []
        return self.view.lights()


def started_runs(root: Path, url: str | None, *, dry_run: bool) -> list[tuple[str, bool]]:
    """(release, rehearsal) of every run to show: in the state directory, or in the
    shared journal at `url`; real runs always, rehearsals with dry_run."""
    if url is not None:
        from gonogo.night.pg_journal import runs_in  # noqa: PLC0415  # psycopg: only when shared

        return [(r, m == REHEARSAL) for r, m in runs_in(url) if m == REAL or dry_run]
    found = []
    for release in sorted(p.name for p in root.glob("*") if p.is_dir()) if root.is_dir() else []:
        for kind in (REAL, REHEARSAL):
            if (root / release / kind / JOURNAL).is_file() and (kind == REAL or dry_run):
                found.append((release, kind == REHEARSAL))
    return found


def sources(
    root: Path, *, dry_run: bool, runbooks: list[Path], url: str | None = None
) -> list[Source]:
    """Every real run (and rehearsal with dry_run), plus announced runbooks not started.

    From a shared journal (`url`) a `--runbook` of a release with a run there is this
    site's copy of that run's runbook: it must be the one the night goes on with.
    """
    announced = []
    for path in runbooks:
        loaded = load_valid(path)
        assert loaded.runbook is not None  # load_valid guarantees it
        announced.append((path, loaded.runbook))
    mine = {runbook.release.id: path for path, runbook in announced} if url else {}
    found: list[Source] = []
    try:
        for release, rehearsal in started_runs(root, url, dry_run=dry_run):
            view = night_view(root, release, rehearsal, FixedClock(_EPOCH), url or "",
                              runbook=mine.get(release))  # fmt: skip
            found.append(Source(view.run.runbook, view, rehearsal))
            if release in mine and view.runbook_changed:
                _refuse_other_runbook(mine[release], view)
    except BaseException:
        for source in found:
            if source.view is not None:
                source.view.run.close()
        raise
    started = {source.runbook.release.id for source in found}
    for _path, runbook in announced:
        if runbook.release.id not in started:
            found.append(Source(runbook, None, rehearsal=False))
    found.sort(key=lambda s: (s.window[0], s.key))
    return found


def _refuse_other_runbook(path: Path, view: NightView) -> None:
    mine, accepted = view.run.changed_content(view.night), view.night.accepted_sha256
    msg = (
        f"the runbook {path} differs from the one release {view.run.release}'s night goes "
        f"on with (sha256 {accepted[:12]} journaled, {(mine or '')[:12]} here); nothing written"
    )
    raise GonogoError(msg, hint="give the night's runbook with --runbook, or leave it out")


def build_time(found: list[Source], runbooks: list[Path], now: dt.datetime) -> dt.datetime | None:
    """When the site was built, the reproducible-builds way, and never after `now`.

    SOURCE_DATE_EPOCH if set; else the latest journaled moment of the runs shown; else
    (only announced windows) the newest runbook file's modification time.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            raise GonogoError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds since 1970",
                hint="unset it, or set it to e.g. $(git log -1 --format=%ct)",
            ) from None
    moments = [s.view.night.entries[-1].at for s in found if s.view and s.view.night.entries]
    if not moments:
        moments = [
            dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC) for path in runbooks
        ]
    return min(max(moments), now) if moments else None
