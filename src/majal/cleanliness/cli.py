"""`majal cleanliness solve-vrplib`: the routing engine on a CVRPLIB benchmark instance."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from majal.cleanliness import routing
from majal.kit import i18n
from majal.kit.cli import cli_language, console, errors, fail
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext

app = typer.Typer(help="Cleanliness: waste-collection routes.", no_args_is_help=True)


@app.command("solve-vrplib")
def solve_vrplib(
    instance: Annotated[Path, typer.Argument(help="A CVRPLIB instance file (.vrp), e.g. one of the X set")],
    seconds: Annotated[float, typer.Option(help="How long to search, in seconds (more than 0)")] = 10.0,
    seed: Annotated[
        int, typer.Option(help="Seed of the randomised search", min=0, max=routing.MAX_SEED)
    ] = routing.DEFAULT_SEED,
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

        result = routing.solve(problem, seconds=seconds, seed=seed, on_progress=report)

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
