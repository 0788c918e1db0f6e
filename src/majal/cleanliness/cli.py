"""`majal cleanliness`: the inventory (import, export), containers due, the daily plan, and `solve-vrplib`, the
routing engine on a CVRPLIB benchmark instance."""

from __future__ import annotations

import json
import math
import sys
from contextlib import suppress
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from majal.cleanliness import inventory, routing, service
from majal.cleanliness.models import CollectionPlan
from majal.db import make_engine, make_sessionmaker
from majal.kit import i18n
from majal.kit.audit import utcnow
from majal.kit.cli import cli_language, console, errors, fail, settings, unit_of_work
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext

app = typer.Typer(help="Cleanliness: containers, fleet, fill levels and daily collection routes.",
                  no_args_is_help=True)



class Kind(StrEnum):
    containers = "containers"
    trucks = "trucks"
    sites = "sites"
    roads = "roads"


class FileFormat(StrEnum):
    csv = "csv"
    geojson = "geojson"


@app.command("import")
def import_(
    kind: Annotated[Kind, typer.Argument(help="containers, trucks, sites (CSV or GeoJSON points) or roads "
                                              "(GeoJSON lines)")],
    file: Annotated[Path, typer.Argument(help="The file to import")],
) -> None:
    """Add or update inventory rows by code (roads replace the road graph); the whole file is checked first, and a
    bad row exits 1 naming its line and field, with nothing written."""
    if not file.is_file():
        raise fail(MajalError(N_("No such file: %(path)s"), where="FILE", path=str(file)))
    if file.stat().st_size > inventory.MAX_FILE_BYTES:
        raise fail(MajalError(N_("The file is larger than the %(limit_mb)s MB allowed."), where=file.name,
                              limit_mb=inventory.MAX_FILE_BYTES // 1024 // 1024))
    with unit_of_work() as db:
        result = service.import_inventory(db, kind.value, file.read_bytes(), file.name, actor="cli")
    with i18n.language(cli_language()):
        console.print(gettext("%(kind)s: %(created)s created, %(updated)s updated.", kind=kind.value,
                              created=result.created, updated=result.updated), highlight=False)


@app.command("export")
def export(
    kind: Annotated[Kind, typer.Argument(help="containers, trucks, sites or roads")],
    file_format: Annotated[FileFormat, typer.Option("--format", "-f", help="csv or geojson")] = FileFormat.csv,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (stdout when unset)")] = None,
) -> None:
    """Write the inventory as CSV or GeoJSON (trucks: CSV only; roads: GeoJSON only)."""
    with unit_of_work() as db:
        data = service.export_inventory(db, kind.value, file_format.value)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        output.write_bytes(data)


@app.command("plan")
def plan(
    day: Annotated[str, typer.Option("--date", help="Collection day, YYYY-MM-DD (today when unset)")] = "",
    seconds: Annotated[float, typer.Option(help="Search time in seconds", min=1, max=service.MAX_SECONDS)] = (
        service.DEFAULT_SECONDS),
    threshold: Annotated[float, typer.Option(help="Forecast fill from which a container is due", min=0.05,
                                             max=1.0)] = service.DEFAULT_THRESHOLD,
    queue: Annotated[bool, typer.Option("--queue", help="Leave it to `majal worker` instead of computing now")
                     ] = False,
) -> None:
    """Plan a day's collection: the containers due, routed with PyVRP over the fleet; prints routes and the
    containers that could not be served, with why."""
    try:
        chosen = date.fromisoformat(day) if day else utcnow().date()
    except ValueError:
        raise fail(MajalError(N_("Enter a date as YYYY-MM-DD."), where="--date")) from None
    with unit_of_work() as db:
        plan_id = (service.queue_plan if queue else service.new_plan)(db, chosen, seconds, threshold, actor="cli").id
    with i18n.language(cli_language()):
        console.print(gettext("Collection plan %(id)s queued for %(day)s.", id=plan_id, day=chosen.isoformat()),
                      highlight=False)
        if queue:
            return
        engine = make_engine(settings().resolved_database_url)
        sessions = make_sessionmaker(engine)
        try:
            with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                          transient=True, disable=not console.is_terminal) as progress:
                task = progress.add_task(gettext("Searching routes"), total=1.0)
                with suppress(Exception):  # a failure is kept on the plan, and said below
                    service.run_plan(sessions, plan_id, lambda share: progress.update(task, completed=share))
            with sessions.begin() as db:
                _print_plan(service.plan(db, plan_id))
        finally:
            engine.dispose()


def _print_plan(found: CollectionPlan) -> None:
    if found.status != "done":
        raise fail(MajalError(N_("The plan failed: %(error)s"), error=found.error or found.status))
    console.print(gettext(
        "%(served)s of %(due)s containers due, %(km)s km, %(tonnes)s t, %(trucks)s trucks (distances: %(source)s).",
        served=found.served, due=found.due, km=format_number(found.distance_m / 1000, 1),
        tonnes=format_number(found.weight_kg / 1000, 1), trucks=found.trucks_used, source=found.distance_source,
    ), highlight=False)
    table = Table(show_edge=False)
    for heading in (gettext("Truck"), gettext("Containers"), gettext("Trips"), gettext("Distance"),
                    gettext("Load"), gettext("Duration")):
        table.add_column(heading, justify="right")
    for route in found.routes:
        containers = sum(1 for stop in route.stops if stop["kind"] == "container")
        table.add_row(route.truck.code, str(containers), str(route.trips),
                      f"{format_number(route.distance_m / 1000, 1)} km", f"{format_number(route.weight_kg)} kg",
                      f"{route.duration_s // 3600} h {route.duration_s % 3600 // 60:02d}")
    console.print(table)
    for entry in found.unserved:
        message, params = service.unserved_message(entry)
        console.print(f"{entry['code']}: {gettext(message, **params)}", style="yellow", highlight=False,
                      markup=False)


@app.command("solve-vrplib")
def solve_vrplib(
    instance: Annotated[Path, typer.Argument(help="A CVRPLIB instance file (.vrp), e.g. one of the X set")],
    seconds: Annotated[float, typer.Option(help="How long to search, in seconds (more than 0)")] = 10.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the randomised search", min=0, max=routing.MAX_SEED)
    ] = routing.DEFAULT_SEED,
    iterations: Annotated[
        int | None,
        typer.Option(help="Stop after this many iterations, unless --seconds run out first: the same plan on any "
                          "machine for a given seed", min=1),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help='Print {"cost", "routes", "feasible"} as JSON, clients numbered as in .sol')
    ] = False,
) -> None:
    """Plan capacitated routes for a CVRPLIB instance; print their cost (the instance's own rounding) and routes.

    A file that is not a usable CVRP instance exits 1 with a message naming the problem.

    When no feasible plan is found in time, the answer says "feasible": false.
    """
    if not (math.isfinite(seconds) and seconds > 0):
        raise fail(MajalError(N_("Must be more than %(limit)s."), where="--seconds", limit=0))
    try:
        problem = routing.read_vrplib(instance)
    except MajalError as refused:
        raise fail(refused) from None

    shown_on = errors if json_output else console
    with i18n.language(cli_language()), Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[best]}"), TimeElapsedColumn(),
        console=shown_on, transient=True, disable=not shown_on.is_terminal,
    ) as progress:
        task = progress.add_task(gettext("Searching routes"), total=seconds, best="")

        def report(elapsed: float, best: int | None) -> None:
            progress.update(task, completed=min(elapsed, seconds), best=format_number(best) if best is not None else "")

        result = routing.solve(problem, seconds=seconds, iterations=iterations, seed=seed, on_progress=report)

    if json_output:
        sys.stdout.write(json.dumps({"cost": result.cost, "routes": result.routes, "feasible": result.feasible}) + "\n")
        return
    with i18n.language(cli_language()):
        _print_summary(problem, result, seed)


def _print_summary(problem: routing.RoutingProblem, result: routing.RoutingResult, seed: int) -> None:
    console.print(
        gettext(
            "%(name)s: cost %(cost)s, %(routes)s routes for %(clients)s clients.",
            name=problem.name, cost=format_number(result.cost), routes=len(result.routes),
            clients=format_number(problem.num_clients),
        ),
        highlight=False, markup=False,
    )
    if result.feasible:
        console.print(
            gettext(
                "Every client is visited once and no truck carries more than its capacity of %(capacity)s.",
                capacity=format_number(problem.capacity),
            ),
            highlight=False, markup=False,
        )
    else:
        console.print(
            gettext("No feasible plan was found in the time given: search longer with --seconds."),
            style="yellow", highlight=False, markup=False,
        )
    table = Table(show_edge=False)
    for heading in (gettext("Collection route"), gettext("Clients"), gettext("Truck load"), gettext("Distance")):
        table.add_column(heading, justify="right")
    table.add_column(gettext("Visiting order"))
    for number, (route, load) in enumerate(zip(result.routes, result.loads, strict=True), start=1):
        table.add_row(
            str(number), str(len(route)), format_number(load),
            format_number(routing.route_cost(problem.distances, [route])), " ".join(map(str, route)),
        )
    console.print(table)
    console.print(
        gettext(
            "Search: %(seconds)s s, %(iterations)s iterations, seed %(seed)s.",
            seconds=format_number(result.runtime, 1), iterations=format_number(result.iterations), seed=seed,
        ),
        highlight=False, markup=False,
    )
