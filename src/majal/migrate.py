"""Schema upgrades through Alembic, callable from the CLI, the demo builder and the tests.

The core's revisions are in `migrations/versions`; a domain may keep its own (`Domain.migrations`), as a branch of
its own: "heads" is every branch's head."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from majal import domains as installed

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    folders = [MIGRATIONS / "versions", *(domain.migrations_dir for domain in installed.DOMAINS if domain.migrations)]
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(folder) for folder in folders))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    _run(command.upgrade, engine, revision)


def downgrade(engine: Engine, revision: str) -> None:
    _run(command.downgrade, engine, revision)


def _run(action: Callable[[Config, str], None], engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def pending(engine: Engine) -> bool:
    """True when the database is behind the code's migrations (or empty)."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    return set(current) != set(script.get_heads())
