"""Commands beside the Go/NoGo steps: incident, disruption, lights, verify."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from gonogo.cli.app import app
from gonogo.cli.json_output import AsJson, echo_json
from gonogo.cli.night_commands import _finish
from gonogo.cli.options import acting, view_of, viewing

if TYPE_CHECKING:
    from gonogo.night.session import Session
    from gonogo.night.view import NightView

incident_app = typer.Typer(help="Open, update, resolve and list incidents.", no_args_is_help=True)
app.add_typer(incident_app, name="incident")

Summary = Annotated[str, typer.Option("--summary", help="What is happening, in plain words.")]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


@incident_app.command("open")
@acting
def incident_open(
    session: Session,
    priority: Annotated[int, typer.Option("--priority", help="ITIL priority 1-5.", min=1, max=5)],
    summary: Summary,
    services: Annotated[
        str | None, typer.Option(help="Affected services, comma separated.")
    ] = None,
    audiences: Annotated[
        str | None, typer.Option(help="Only these audiences, e.g. vard,apotek.")
    ] = None,
    light: Annotated[
        str | None, typer.Option(help="yellow or red (default: red if major, else yellow).")
    ] = None,
) -> int:
    """Open an incident: its message goes out; prints the new incident's id."""
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.night.lights import colour_named  # noqa: PLC0415

    colour = colour_named(light) if light else None  # as `lights set` takes RED or röd
    return _finish(
        actions.open_incident(
            session, priority, summary, _split(services), _split(audiences) or None, colour
        )
    )


@incident_app.command("update")
@acting
def incident_update(
    session: Session, incident_id: Annotated[str, typer.Argument(metavar="ID")], summary: Summary
) -> int:
    """Send an update on an open incident (resets a major incident's update clock)."""
    from gonogo.night import actions  # noqa: PLC0415

    return _finish(actions.update_incident(session, incident_id, summary))


@incident_app.command("resolve")
@acting
def incident_resolve(
    session: Session,
    incident_id: Annotated[str, typer.Argument(metavar="ID")],
    summary: Annotated[
        str | None,
        typer.Option("--summary", help="How it was resolved (default: the opening summary)."),
    ] = None,
) -> int:
    """Resolve an incident: its message goes out and its services' lights are restored."""
    from gonogo.night import actions  # noqa: PLC0415

    return _finish(actions.resolve_incident(session, incident_id, summary))


@incident_app.command("list")
@viewing
def incident_list(view: NightView, as_json: AsJson = False) -> int:
    """Every incident of the run, with when the next update is due."""
    from gonogo.render.incidents import incidents_json, print_incidents  # noqa: PLC0415

    if as_json:
        echo_json(incidents_json(view))
    else:
        print_incidents(view)
    return 0


@app.command()
@acting
def disruption(
    session: Session,
    summary: Summary,
    services: Annotated[
        str | None, typer.Option(help="Affected services, comma separated.")
    ] = None,
) -> int:
    """Send the short-interruption notice (e.g. something is slow), without an incident."""
    from gonogo.night import actions  # noqa: PLC0415

    return _finish(actions.disruption(session, summary, _split(services)))


@app.command()
@acting
def lights(
    session: Session,
    action: Annotated[str | None, typer.Argument(help="`set` to change a light by hand.")] = None,
    service: Annotated[str | None, typer.Argument()] = None,
    colour: Annotated[str | None, typer.Argument(metavar="COLOR")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (journaled).")] = None,
    as_json: AsJson = False,
) -> int:
    """Show the traffic lights, or `lights set SERVICE COLOR --reason TEXT`."""
    if action is None and as_json:
        from gonogo.render.json_views import lights_json  # noqa: PLC0415

        echo_json(lights_json(view_of(session)))
        return 0
    if as_json:
        raise typer.BadParameter("--json shows the lights; it does not go with `set`")
    if action is None:
        from gonogo.render.incidents import print_lights  # noqa: PLC0415

        print_lights(view_of(session))
        return 0
    if action != "set" or not service or not colour:
        raise typer.BadParameter("use `gonogo lights` or `gonogo lights set SERVICE COLOR`")
    if reason is None:  # a blank one is refused like NoGo's
        raise typer.BadParameter("`lights set` needs --reason TEXT")
    from gonogo.night import actions  # noqa: PLC0415
    from gonogo.night.lights import colour_named  # noqa: PLC0415

    return _finish(actions.set_light(session, service, colour_named(colour), reason))


@app.command()
@acting
def verify(
    session: Session,
    who: Annotated[
        str | None, typer.Argument(metavar="[start | PARTICIPANT]", help="start, or who reports.")
    ] = None,
    result: Annotated[str | None, typer.Argument(metavar="[ok|fail|skip]")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note (needed for skip).")] = None,
    as_json: AsJson = False,
) -> int:
    """Production verification: the table, `verify start`, or `verify PARTICIPANT ok|fail|skip`."""
    from gonogo.night import actions  # noqa: PLC0415

    if as_json:
        if who is not None:
            raise typer.BadParameter("--json shows the table; it does not go with a report")
        from gonogo.render.json_views import verification_json  # noqa: PLC0415

        echo_json(verification_json(view_of(session)))
        return 0
    if who is None:
        from gonogo.render.incidents import print_verification  # noqa: PLC0415

        print_verification(view_of(session))
        return 0
    if who == "start":
        return _finish(actions.verify_start(session))
    if result is None:
        raise typer.BadParameter("say ok, fail or skip after the participant")
    return _finish(actions.verify_report(session, who, result.lower(), note))
