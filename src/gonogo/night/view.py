"""A read-only picture of a run for the views: the `Night` with its plan and the clock.

It never takes the lock: status, log, deliveries and report never wait.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gonogo.night.clock import Clock
from gonogo.night.decisions import Context
from gonogo.night.decisions.due import Due, being_sent, due_now, next_command
from gonogo.night.incidents import Incident
from gonogo.night.journal import Delivery, Status
from gonogo.night.lights import Change
from gonogo.night.lock import holder_since
from gonogo.night.places import find, journal_url, lock_holder, open_place
from gonogo.night.receipts import DELIVERED, UNDELIVERED, Receipt
from gonogo.night.runs import Run, state_root
from gonogo.night.snapshot import Night
from gonogo.night.verification import Verification
from gonogo.night.window_changes import night_plan
from gonogo.night.wording import describe
from gonogo.runbook.timeline import Timeline


@dataclass(frozen=True)
class PartRow:
    number: int
    id: str
    title: str
    owner: str
    planned_start: dt.datetime
    planned_end: dt.datetime
    started: dt.datetime | None
    ended: dt.datetime | None
    decision: str | None
    decided_by: str | None
    reason: str | None

    def late_minutes(self, now: dt.datetime) -> int | None:
        """How late the part is: its start, or its end once it is overdue."""
        if self.ended is not None:
            return _minutes(self.ended - self.planned_end)
        if self.started is not None:
            overdue = now - self.planned_end
            return max(_minutes(self.started - self.planned_start), _minutes(overdue))
        if now > self.planned_start:
            return _minutes(now - self.planned_start)
        return None


def _minutes(delta: dt.timedelta) -> int:
    # Toward zero: 20 seconds early is on time, not "-1 minutes late".
    return int(delta.total_seconds() / 60)


@dataclass(frozen=True)
class NightView:
    run: Run
    night: Night
    now: dt.datetime
    plan: Timeline
    parts: list[PartRow]
    runbook_changed: bool
    # Who holds the run's lock now (operator, host, pid, command, since), or None.
    sending: dict[str, object] | None = None

    @property
    def description(self) -> str:
        return describe(self.run.runbook, self.night)

    @property
    def context(self) -> Context:
        return Context(self.run.runbook, self.plan, self.now)

    @property
    def next_step(self) -> str:
        """The one step to suggest; never one the rules would refuse now."""
        return "next: " + next_command(self.context, self.night, sending=self.live)

    @property
    def due(self) -> tuple[Due, ...]:
        return due_now(self.context, self.night, sending=self.live)

    @property
    def live(self) -> bool:
        """A command holds the run's lock: what is pending or in flight is its to send."""
        return self.sending is not None

    def being_sent(self) -> dict[int, int]:
        """Per dispatch, the rows in flight that the command holding the lock has out."""
        return being_sent(self.night) if self.live else {}

    def _due_dicts(self) -> list[dict[str, Any]]:
        return [
            {"what": d.what, "command": d.command,
             "at": self.local(d.at).isoformat() if d.at else None, "overdue": d.overdue}
            for d in self.due
        ]  # fmt: skip

    def local(self, instant: dt.datetime) -> dt.datetime:
        return self.plan.local(instant)

    @property
    def window_left(self) -> dt.timedelta:
        return self.plan.window_end - self.now

    @property
    def point_of_no_return_passed(self) -> bool:
        return self.now > self.plan.point_of_no_return

    def incidents(self) -> list[Incident]:
        return list(self.night.incidents)

    def lights(self) -> tuple[dict[str, str], list[Change]]:
        return dict(self.night.lights), list(self.night.light_changes)

    def verification(self) -> Verification:
        return self.night.verification

    def incident_dict(self, incident: Incident) -> dict[str, Any]:
        policy = self.run.runbook.incidents
        due = incident.next_update_due(policy)
        return {
            "id": incident.id,
            "priority": incident.priority,
            "major": incident.major(policy),
            "summary": incident.summary,
            "services": incident.services,
            "audiences": incident.audiences,
            "opened": self.local(incident.opened).isoformat(),
            "opened_by": incident.opened_by,
            "updates": [
                {"at": self.local(at).isoformat(), "by": by, "summary": text}
                for at, by, text in incident.updates
            ],
            "resolved": self.local(incident.resolved).isoformat() if incident.resolved else None,
            "next_update_due": self.local(due).isoformat() if due else None,
            "overdue": incident.overdue(policy, self.now),
        }

    def deliveries_by_dispatch(self) -> dict[int, dict[str, int]]:
        """Per dispatch: how many are pending, sent, failed, in doubt (none left out)."""
        counts: dict[int, dict[str, int]] = {}
        for d in self.night.dispatches:
            c = d.counts
            per = {"pending": c.pending, "sent": c.sent, "failed": c.failed,
                   "in doubt": c.in_doubt}  # fmt: skip
            counts[d.seq] = {k: n for k, n in per.items() if n}
        return counts

    def receipted(self) -> list[tuple[Delivery, Receipt]]:
        """The sent SMS with Twilio's receipt as of the last `deliveries --refresh`."""
        if not self.night.receipts:
            return []
        sent = self.run.journal.deliveries(statuses=(Status.SENT,))
        return [(d, self.night.receipts[d.id]) for d in sent if d.id in self.night.receipts]

    def receipt_counts(self) -> dict[tuple[int, str, str], tuple[int, int]]:
        """(dispatch, channel, audience) -> (delivered to the phone, never arrived)."""
        out: dict[tuple[int, str, str], tuple[int, int]] = {}
        for d, got in self.receipted():
            key = (d.dispatch, d.channel, d.audience)
            delivered, never = out.get(key, (0, 0))
            out[key] = (delivered + (got.status == DELIVERED), never + (got.status == UNDELIVERED))
        return out

    def as_dict(self) -> dict[str, Any]:
        def iso(value: dt.datetime | None) -> str | None:
            return self.local(value).isoformat() if value else None

        return {
            "release": self.run.release,
            "dry_run": self.run.dry_run,
            "state": self.night.state,
            "description": self.description,
            "outcome": self.night.outcome,
            "now": iso(self.now),
            "window": {
                "start": iso(self.plan.window_start),
                "end": iso(self.plan.window_end),
                "opened": iso(self.night.opened),
                "closed": iso(self.night.closed),
                "minutes_left": _minutes(self.window_left),
            },
            "point_of_no_return": iso(self.plan.point_of_no_return),
            "point_of_no_return_passed": self.point_of_no_return_passed,
            "current_part": self.night.current_part,
            "parts": [
                {
                    "number": p.number,
                    "id": p.id,
                    "title": p.title,
                    "owner": p.owner,
                    "planned_start": iso(p.planned_start),
                    "planned_end": iso(p.planned_end),
                    "started": iso(p.started),
                    "ended": iso(p.ended),
                    "late_minutes": p.late_minutes(self.now),
                    "decision": p.decision,
                    "decided_by": p.decided_by,
                    "reason": p.reason,
                }
                for p in self.parts
            ],
            "holds": [
                {"part": h.part, "at": iso(h.at), "by": h.by, "reason": h.reason}
                for h in self.night.active_holds
            ],
            "incidents": [self.incident_dict(i) for i in self.incidents() if i.open],
            "lights": self.lights()[0],
            "verification": self._verification_dict(),
            "deliveries": self._deliveries_dict(),
            "due": self._due_dicts(),
            "next": self.next_step,
            "runbook_changed": self.runbook_changed,
            "sending": self._sending_dict(),
        }

    def _sending_dict(self) -> dict[str, Any] | None:
        if self.sending is None:
            return None
        since = holder_since(self.sending)
        fields = ("operator", "host", "pid", "command")
        return {**{k: self.sending.get(k) for k in fields},
                "since": self.local(since).isoformat() if since else None}  # fmt: skip

    def _deliveries_dict(self) -> dict[str, int]:
        """Totals over the night; in doubt is its own count, never part of sent."""
        c = self.night.deliveries
        # Of the sent SMS: Twilio's receipts as of the last `deliveries --refresh`.
        receipts = [r.status for r in self.night.receipts.values()]
        flying = sum(self.being_sent().values())  # the live sender's, not in doubt
        return {"sent": c.sent, "failed": c.failed, "in_doubt": c.in_doubt - flying,
                "pending": c.pending, "in_flight": flying,
                "delivered_to_phone": receipts.count(DELIVERED),
                "never_arrived": receipts.count(UNDELIVERED)}  # fmt: skip

    def _verification_dict(self) -> dict[str, Any] | None:
        spec = self.run.runbook.verification
        if spec is None:
            return None
        state = self.verification()
        blocker = state.blocker(self.run.runbook)
        return {
            "gates": spec.gates,
            "started": self.local(state.started).isoformat() if state.started else None,
            "complete": blocker is None,
            "blocker": blocker,
            "reports": {
                p: {
                    "result": r.result,
                    "at": self.local(r.at).isoformat(),
                    "by": r.by,
                    "note": r.note,
                }
                for p, r in state.reports.items()
            },
        }


def night_view(
    state_dir: Path | None,
    release: str | None,
    dry_run: bool,
    clock: Clock,
    journal: str | None = None,
    *,
    runbook: Path | None = None,
) -> NightView:
    """The run's view; `journal` (or GONOGO_JOURNAL_URL) names a shared database, and
    `runbook` this site's copy of a shared run's runbook (see `places.open_place`)."""
    place = find(state_root(state_dir), journal_url(journal), release, dry_run)
    run = open_place(place, runbook)
    sending = lock_holder(place, run)  # first: a sender that began later looks in doubt
    night = run.night()
    changed = run.changed_content(night) is not None
    return replace(view_of_night(run, night, clock.now(), changed), sending=sending)


def view_of_night(run: Run, night: Night, now: dt.datetime, changed: bool = False) -> NightView:
    plan = night_plan(run.timeline(), run.runbook, night.opened, night.window)
    rows = []
    for planned in plan.parts:
        actual = night.part(planned.number)
        rows.append(
            PartRow(
                planned.number, planned.part.id, planned.part.title, planned.part.owner,
                planned.start, planned.end, actual.started, actual.ended, actual.decision,
                actual.decided_by, actual.reason,
            )
        )  # fmt: skip
    return NightView(run, night, now, plan, rows, changed)
