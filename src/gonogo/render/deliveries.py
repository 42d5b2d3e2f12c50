"""`gonogo deliveries`: counts per message, and every delivery not sent with its reason."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.markup import escape
from rich.table import Table

from gonogo.errors import ExitCode
from gonogo.night.journal import Delivery, Status
from gonogo.night.receipts import UNDELIVERED, Receipt
from gonogo.night.view import NightView
from gonogo.render.console import console
from gonogo.render.json_head import dumps, head, run_fields
from gonogo.render.reading_words import language_of, read

_SHOWN = {Status.IN_FLIGHT: "in_doubt", Status.IN_DOUBT: "in_doubt"}


def print_deliveries(view: NightView, *, show_all: bool, as_json: bool) -> int:
    night = view.night
    names = {d.seq: d.label for d in night.dispatches}
    problems = list(night.problems)
    shown = view.run.journal.deliveries() if show_all else problems
    code = ExitCode.DELIVERY_FAILED if problems else ExitCode.OK
    if as_json:
        document = deliveries_json(view, shown, show_all=show_all)
        print(dumps(document))  # noqa: T201  # JSON for scripts goes to stdout as is
        return int(code)
    out = console()
    lang = language_of(view.run.runbook.release.language)
    receipts = view.receipt_counts() if night.receipts else None
    table = Table(title=read(lang, "deliveries per message"))
    columns = ["message", "channel", "audience", "sent column", "failed column",
               "in doubt column", "pending column"]  # fmt: skip
    phone = ["to the phone", "never arrived column"] if receipts is not None else []
    # The message's label whole, never "part_complet…": part 1's and part 5's must differ
    # at 80 columns; the counts' headings wrap instead.
    widest = max((len(d.label) for d in night.dispatches), default=0)
    table.add_column(read(lang, columns[0]), min_width=widest, no_wrap=True)
    for column in columns[1:] + phone:
        table.add_column(read(lang, column), overflow="fold")
    for dispatch in night.dispatches:
        for (channel, audience), n in dispatch.counts_by().items():
            row = [dispatch.label, read(lang, channel), audience, str(n.sent), str(n.failed),
                   str(n.in_doubt), str(n.pending)]  # fmt: skip
            if receipts is not None:
                got = receipts.get((dispatch.seq, channel, audience), (0, 0))
                row += [str(got[0]), str(got[1])] if channel == "sms" else ["", ""]
            table.add_row(*row)
    out.print(table)
    if receipts is not None:
        out.print(read(lang, "sent note"))
        for d, receipt in view.receipted():
            if receipt.status == UNDELIVERED:
                error = read(lang, "twilio error", code=escape(receipt.code or ""))
                never = read(lang, "never arrived problem")
                out.print(
                    f"{never}: {names.get(d.dispatch)} sms {d.audience} {escape(d.address)}"
                    + (f": {error}" if receipt.code else "")
                )
    for d in shown:
        state = read(lang, f"delivery {_SHOWN.get(d.status, d.status.value)}")
        out.print(
            f"{state}: {names.get(d.dispatch)} {read(lang, d.channel)} {d.audience} "
            f"{escape(d.address)}"
            + (f": {escape(d.code or '')} {escape(d.reason or '')}" if d.code or d.reason else "")
        )
    if any(d.status == Status.FAILED for d in problems):
        out.print(read(lang, "retry hint"))
    if any(d.status in (Status.PENDING, Status.IN_FLIGHT) for d in problems):
        out.print(read(lang, "resume hint"))
    settled = sum(1 for d in problems if d.status == Status.IN_DOUBT)
    if settled:
        out.print(escape(read(lang, "settle hint", n=settled)))
    return int(code)


def deliveries_json(
    view: NightView, shown: Iterable[Delivery], *, show_all: bool
) -> dict[str, Any]:
    """The `deliveries --json` document (docs/json/deliveries.schema.json)."""
    names = {d.seq: d.label for d in view.night.dispatches}
    return {
        **head("deliveries"),
        **run_fields(view),
        "all": show_all,
        "deliveries": [
            {
                "dispatch": d.dispatch,
                "message": names.get(d.dispatch),
                "channel": d.channel,
                "audience": d.audience,
                "address": d.address,
                "status": _SHOWN.get(d.status, d.status.value),
                "provider_id": d.provider_id,
                "code": d.code,
                "reason": d.reason,
                "receipt": _receipt(view.night.receipts.get(d.id)),
            }
            for d in shown
        ],
    }


def _receipt(receipt: Receipt | None) -> dict[str, Any] | None:
    if receipt is None:
        return None
    return {"status": receipt.status, "code": receipt.code or None}
