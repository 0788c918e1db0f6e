"""The `majal` command."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from sqlalchemy import Engine

from majal.accounts.cli import apikeys, users
from majal.cleanliness.cli import app as cleanliness_cli
from majal.db import make_engine
from majal.kit.cli import console, settings
from majal.kit.mqtt import Topic
from majal.kit.worker_cli import listen_command, worker
from majal.lighting.cli import app as lighting_cli
from majal.registry.cli import app as registry_cli
from majal.registry.matching.cli import names_app
from majal.territory.cli import app as territory_cli

app = typer.Typer(help="Majal: territorial intelligence for a commune.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_cli, name="db")
app.add_typer(users, name="users")
app.add_typer(apikeys, name="apikeys")
app.add_typer(territory_cli, name="territory")
app.add_typer(cleanliness_cli, name="cleanliness")
app.add_typer(registry_cli, name="registry")
app.add_typer(names_app, name="names")
app.add_typer(lighting_cli, name="lighting")
app.command("worker")(worker)


def _sensor_topics() -> list[Topic[Any]]:
    """What `majal listen` subscribes to: each domain's sensor topics."""
    from majal.cleanliness.service import FILL_TOPIC
    from majal.lighting.telemetry import LAMP_STATE

    return [FILL_TOPIC, LAMP_STATE]


app.command("listen")(listen_command(_sensor_topics))


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "head") -> None:
    """Bring the database schema up to date (Alembic)."""
    from majal.migrate import upgrade

    _migrate(upgrade, revision)


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base")]) -> None:
    """Undo migrations down to REVISION (Alembic)."""
    from majal.migrate import downgrade

    _migrate(downgrade, revision)


def _migrate(action: Callable[[Engine, str], None], revision: str) -> None:
    engine = make_engine(settings().resolved_database_url)
    try:
        action(engine, revision)
    finally:
        engine.dispose()
    console.print(f"Database at {revision}.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=1, max=65535)] = 8000,
) -> None:
    """Serve the web application."""
    from majal.kit.cli import fail
    from majal.kit.errors import MajalError
    from majal.kit.i18n import N_
    from majal.migrate import pending

    engine = make_engine(settings().resolved_database_url)
    behind = pending(engine)
    engine.dispose()
    if behind:
        raise fail(MajalError(N_("The database schema is not up to date: run `majal db upgrade` first.")))
    console.print(f"Majal on http://{host}:{port}")
    # The app reads X-Forwarded-For itself, from MAJAL_TRUSTED_PROXIES only; Uvicorn's own reading trusts loopback.
    uvicorn.run("majal.app:create_app", factory=True, host=host, port=port, proxy_headers=False)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    data_dir: Annotated[Path, typer.Option(help="Where the demo commune is built")] = Path("majal-data"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo data only")] = False,
) -> None:
    """Build the demo commune (Berkane) into DATA_DIR if it is not there yet, then serve it."""
    from majal import demo as demo_data

    os.environ["MAJAL_DATA_DIR"] = str(data_dir)
    settings.cache_clear()
    logins = demo_data.build(settings())
    demo_data.print_logins(logins)
    if not no_serve:
        serve(host=host, port=port)



if __name__ == "__main__":
    app()
