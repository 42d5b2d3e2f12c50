"""What is due now, from Night values alone: no journal, no server, no clock."""

from __future__ import annotations

from gonogo.night.decisions.due import due_now, next_command

from ..entries import entry
from .nights import context, in_part, night


def _commands(minute: float, n: object) -> list[str]:
    return [d.command for d in due_now(context(minute), n)]  # type: ignore[arg-type]


def test_before_the_window_opening_it_is_due() -> None:
    assert _commands(-30, night()) == ["gonogo start RUNBOOK"]
    assert next_command(context(-30), night()) == "`gonogo start RUNBOOK`"


def test_the_status_message_of_part_1_is_due_until_it_goes_out() -> None:
    assert _commands(5, in_part(1)) == ["gonogo progress", "gonogo go 1"]
    assert _commands(35, in_part(1, entry("progress", 30))) == ["gonogo go 1"]
    # Part 2 has no status message in the plan: nothing to remind.
    assert _commands(65, in_part(2)) == ["gonogo go 2"]


def test_next_never_suggests_go_while_verification_blocks_it() -> None:
    part5 = in_part(5)
    assert _commands(50, part5)[:2] == ["gonogo verify start", "gonogo nogo 5 --reason TEXT"]
    assert "gonogo go" not in next_command(context(50), part5)
    started = in_part(5, entry("verification_started", 51))
    due = due_now(context(52), started)
    assert due[0].what.startswith("reports still to come (7): Apoteket AB/Rex")
    assert "gonogo go" not in next_command(context(52), started)


def test_a_go_is_due_once_every_participant_reported() -> None:
    reports = [
        entry("verification_report", 52, {"participant": p, "result": "ok"})
        for p in ("apoteket-ab", "dalarna", "stockholm", "kalmar", "jonkoping", "norrbotten",
                  "orebro")
    ]  # fmt: skip
    done = in_part(5, entry("verification_started", 51), *reports)
    assert _commands(53, done) == ["gonogo go 5"]
    assert next_command(context(53), done).startswith("`gonogo go 5`")


def test_after_nogo_the_rollback_end_is_due_at_nogo_plus_its_duration() -> None:
    rolling = in_part(2, entry("nogo", 30, part=2, reason="fel"))
    (due,) = due_now(context(31), rolling)
    assert due.command == "gonogo rollback-done"
    assert due.at == context(30).now + context().plan.rollback
    assert not due.overdue
    assert due_now(context(500), rolling)[0].overdue


def test_after_the_last_go_end_is_due_and_after_end_nothing() -> None:
    gos = [entry("go", 10 * n, part=n) for n in range(1, 6)]
    done = night(entry("start", 0), *gos)
    assert _commands(60, done) == ["gonogo end"]
    over = night(entry("start", 0), *gos, entry("end", 70))
    assert _commands(80, over) == []
    assert next_command(context(80), over).startswith("nothing more to do")


def test_a_major_incident_update_is_due_and_then_overdue() -> None:
    opened = entry(
        "incident_opened", 5,
        {"id": "INC-1", "priority": 1, "summary": "långsamt", "services": [], "audiences": [],
         "light": "red"},
    )  # fmt: skip
    n = in_part(1, entry("progress", 1), opened)
    due = [d for d in due_now(context(20), n) if d.command.startswith("gonogo incident")]
    assert [(d.command, d.overdue) for d in due] == [
        ("gonogo incident update INC-1 --summary TEXT", False)
    ]
    late = [d for d in due_now(context(40), n) if d.command.startswith("gonogo incident")]
    assert late[0].overdue
    # The window's step is still what Next suggests.
    assert next_command(context(40), n).startswith("`gonogo go 1`")


def test_durations_read_in_hours_and_minutes() -> None:
    import datetime as dt  # noqa: PLC0415

    from gonogo.night.decisions.window import decide_start  # noqa: PLC0415
    from gonogo.night.wording import duration  # noqa: PLC0415

    assert duration(dt.timedelta(minutes=45)) == "45 min"
    assert duration(dt.timedelta(minutes=125)) == "2 h 05 min"
    assert duration(dt.timedelta(minutes=-125)) == "2 h 05 min"
    assert duration(dt.timedelta(minutes=2633871)) == "1829 days 1 h"
    (caution,) = decide_start(context(2633871), dry_run=False).cautions
    assert "1829 dagar 1 h efter planerad start" in caution.warning
    assert "minuter" not in caution.warning


def test_after_the_night_next_names_what_is_still_due_not_nothing() -> None:
    """An incident opened after the window closed: Due lists its update, and Next must
    not say "nothing more to do" beneath it."""
    gos = [entry("go", 10 * n, part=n) for n in range(1, 6)]
    opened = entry(
        "incident_opened", 75,
        {"id": "INC-1", "priority": 1, "summary": "långsamt", "services": [], "audiences": [],
         "light": "red"},
    )  # fmt: skip
    over = night(entry("start", 0), *gos, entry("end", 70), opened)
    assert _commands(80, over) == ["gonogo incident update INC-1 --summary TEXT"]
    assert next_command(context(80), over) == (
        "`gonogo incident update INC-1 --summary TEXT` (update on incident INC-1 (P1))"
    )
