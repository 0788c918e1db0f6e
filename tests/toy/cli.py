import typer

from majal.kit.cli import console, unit_of_work
from tests.toy import service

app = typer.Typer(help="The toy domain.", no_args_is_help=True)


@app.command("count")
def count() -> None:
    """How many notes there are."""
    with unit_of_work() as db:
        console.print(f"{service.count(db)} notes")
