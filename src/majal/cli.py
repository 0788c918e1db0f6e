"""The `majal` command: the core's verbs (db, serve, demo, worker, listen) and each domain's command groups."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from sqlalchemy import Engine

from majal import domains as installed
from majal.db import make_engine
from majal.kit.cli import console, settings
from majal.kit.mqtt import Topic
from majal.kit.worker_cli import Job, listen_command, run_worker, worker_command

db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
WORKER_INTERVAL = 5.0  # seconds between two looks at the queues: a plan queued from a page starts soon
NoWorker = Annotated[bool, typer.Option("--no-worker", help="Run no job worker here (when `majal worker` runs apart)")]


def make_app() -> typer.Typer:
    """The command line over the installed domains."""
    command = typer.Typer(help="Majal: territorial intelligence for a commune.", no_args_is_help=True)
    command.add_typer(db_cli, name="db")
    command.command()(serve)
    command.command()(demo)
    command.command("worker")(worker_command(_jobs))
    command.command("listen")(listen_command(_sensor_topics))
    for domain in installed.DOMAINS:
        for name, commands in domain.commands.items():
            command.add_typer(domain.load(commands), name=name)
    return command


def _jobs() -> list[Job]:
    """What the worker runs besides the outbox: the queue of jobs, the kit's housekeeping, each domain's own."""
    from majal.kit import idempotency, jobs

    handlers = {kind: domain.load(handler) for domain in installed.DOMAINS for kind, handler in domain.tasks.items()}
    return [partial(jobs.run_queued, handlers=handlers), jobs.purge_finished, idempotency.purge_expired,
            *(job for domain in installed.DOMAINS for job in domain.loaded(domain.jobs))]


def _sensor_topics() -> list[Topic[Any]]:
    """What `majal listen` subscribes to: each domain's sensor topics."""
    return [topic for domain in installed.DOMAINS for topic in domain.loaded(domain.topics)]


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision")] = "heads") -> None:
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


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on", min=1, max=65535)] = 8000,
    no_worker: NoWorker = False,
) -> None:
    """Serve the web application, with the job worker (outbox, queued plans and runs) in the same process."""
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
    with _worker_beside(not no_worker):
        # The app reads X-Forwarded-For itself, from MAJAL_TRUSTED_PROXIES only; Uvicorn's own trusts loopback.
        uvicorn.run("majal.app:create_app", factory=True, host=host, port=port, proxy_headers=False)


@contextmanager
def _worker_beside(wanted: bool) -> Iterator[None]:
    """The worker on a thread of the server's process, stopped when the server stops."""
    if not wanted:
        yield
        return
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(_jobs(), False, WORKER_INTERVAL, stop), name="majal-worker",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def demo(
    port: Annotated[int, typer.Option(help="Port to listen on", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    data_dir: Annotated[Path, typer.Option(help="Where the demo commune is built")] = Path("majal-data"),
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Build the demo data only")] = False,
    no_worker: NoWorker = False,
) -> None:
    """Build the demo commune (Berkane) into DATA_DIR if it is not there yet, then serve it."""
    from majal import demo as demo_data

    os.environ["MAJAL_DATA_DIR"] = str(data_dir)
    settings.cache_clear()
    logins = demo_data.build(settings())
    demo_data.print_logins(logins)
    if not no_serve:
        serve(host=host, port=port, no_worker=no_worker)


app = make_app()

if __name__ == "__main__":
    app()
