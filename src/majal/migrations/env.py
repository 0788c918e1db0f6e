"""Alembic environment: migrates the database named by the Majal settings (or the URL the caller passes)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from majal.config import Settings
from majal.db import make_engine
from majal.models import metadata

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    url = config.attributes.get("url") or Settings().resolved_database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported: run `majal db upgrade`.")
main()
