"""What every CLI verb shares: settings, one transaction per command, translated errors, exit codes."""

from __future__ import annotations

import locale
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit import i18n, security
from majal.kit.errors import MajalError

console = Console()
errors = Console(stderr=True)


def cli_language() -> str:
    """The terminal's language from the POSIX locale variables (fr_MA.UTF-8 → fr); English otherwise."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            code = value.split("_")[0].split(".")[0].lower()
            return code if code in i18n.LANGUAGES else "en"
    code = (locale.getlocale()[0] or "en").split("_")[0]
    return code if code in i18n.LANGUAGES else "en"


@cache
def settings() -> Settings:
    found = Settings()
    security.use_hash_cost(found.password_hash_cost)
    return found


def fail(error: MajalError) -> typer.Exit:
    """Print a refusal in the terminal's language and return the exit to raise."""
    with i18n.language(cli_language()):
        errors.print(i18n.gettext("Error: %(detail)s", detail=error.translated()), style="red", highlight=False,
                     markup=False)
    return typer.Exit(code=1)


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for the whole command; a refusal prints its message and exits 1 with nothing written."""
    engine = make_engine(settings().resolved_database_url)
    try:
        with make_sessionmaker(engine).begin() as session:
            yield session
    except MajalError as error:
        raise fail(error) from None
    finally:
        engine.dispose()
