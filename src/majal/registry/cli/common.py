"""What the registry's commands share: the reference date of a command, model and rules files, refusals in the
terminal's language, progress bars."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from majal.kit import i18n
from majal.kit.cli import cli_language, console, errors, fail
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.registry.pmt import model_file, programmes

MAX_SYNTH_HOUSEHOLDS = 20_000_000
MILIEU_LABELS = {"urban": N_("urban"), "rural": N_("rural")}


class FileFormat(StrEnum):
    both = "both"
    parquet = "parquet"
    csv = "csv"


ModelOption = Annotated[Path | None, typer.Option("--model", help="A PMT model file (default: the shipped model)")]
RulesOption = Annotated[
    Path | None, typer.Option("--rules", help="A programme rules file (default: the shipped AMO Tadamon/ASD rules)")
]
YearOption = Annotated[int | None, typer.Option("--year", help="Use the rules of this year (reference date 31 Dec)",
                                                min=2000, max=2100)]
AsOfOption = Annotated[str | None, typer.Option("--as-of", help="Reference date YYYY-MM-DD (overrides --year)")]


@contextmanager
def refusals() -> Iterator[None]:
    """Engine refusals become a message in the terminal's language and exit status 1."""
    try:
        with i18n.language(cli_language()):
            yield
    except MajalError as refused:
        raise fail(refused) from None


def progress_bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=errors, transient=True, disable=not errors.is_terminal)


def day_of(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MajalError(N_("Expected a date written YYYY-MM-DD."), where=option) from None


def reference_date(year: int | None, as_of: str | None, default: date | None = None) -> date:
    if as_of is not None:
        return day_of(as_of, "--as-of")
    if year is not None:
        return programmes.year_reference_date(year)
    return default or date.today()


def survey_date(path: Path) -> date | None:
    """The reference date written by `majal registry synth` in the survey's manifest, if any."""
    manifest = (path.parent if path.is_file() else path) / "manifest.json"
    try:
        return date.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["reference_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def model_or_default(path: Path | None) -> model_file.Model:
    return model_file.load_model(path) if path else model_file.default_model()


def rules_or_default(path: Path | None) -> programmes.Rules:
    return programmes.load_rules(path) if path else programmes.default_rules()


def say(text: str) -> None:
    console.print(text, highlight=False, markup=False)
