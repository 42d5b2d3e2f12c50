"""`gonogo deliveries`: counts per message, and the failures with their reasons."""

from __future__ import annotations

import json

from rich.markup import escape
from rich.table import Table

from gonogo.errors import ExitCode
from gonogo.night.send import labels
from gonogo.night.view import NightView
from gonogo.render.console import console


def print_deliveries(view: NightView, *, show_all: bool, as_json: bool) -> int:
    journal = view.run.journal
    rows = journal.deliveries()
    names = labels(journal)
    problems = [
        d for d in rows if d.status in ("failed", "in_flight", "pending") or d.code == "in-doubt"
    ]
    if as_json:
        shown = rows if show_all else problems
        print(  # noqa: T201  # JSON for scripts goes to stdout as is
            json.dumps(
                [
                    {
                        "dispatch": d.dispatch,
                        "message": names.get(d.dispatch),
                        "channel": d.channel,
                        "audience": d.audience,
                        "address": d.address,
                        "status": "in_doubt" if d.status == "in_flight" else d.status,
                        "provider_id": d.provider_id,
                        "code": d.code,
                        "reason": d.reason,
                    }
                    for d in shown
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return int(ExitCode.DELIVERY_FAILED if problems else ExitCode.OK)
    out = console()
    table = Table(title="Deliveries per message")
    for column in ("Message", "Channel", "Audience", "Sent", "Failed", "In doubt", "Pending"):
        table.add_column(column)
    counts: dict[tuple[int, str, str], dict[str, int]] = {}
    for d in rows:
        per = counts.setdefault((d.dispatch, d.channel, d.audience), {})
        per[d.status] = per.get(d.status, 0) + 1
    for (dispatch, channel, audience), per in counts.items():
        table.add_row(
            names.get(dispatch, str(dispatch)), channel, audience,
            str(per.get("sent", 0)), str(per.get("failed", 0)),
            str(per.get("in_flight", 0)), str(per.get("pending", 0)),
        )  # fmt: skip
    out.print(table)
    for d in rows if show_all else problems:
        state = "in doubt" if d.status == "in_flight" else d.status
        out.print(
            f"{state}: {names.get(d.dispatch)} {d.channel} {d.audience} {escape(d.address)}"
            + (f": {escape(d.code or '')} {escape(d.reason or '')}" if d.code or d.reason else "")
        )
    if problems:
        out.print("Try the failed ones again with `gonogo retry-failed`.")
    return int(ExitCode.DELIVERY_FAILED if problems else ExitCode.OK)
