"""`majal registry entitlement` (one household from a JSON file, nothing stored) and `majal registry import` (a
population added to the registry's database)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from majal.kit.cli import console
from majal.kit.i18n import N_, format_number, gettext
from majal.registry.cli.common import (
    AsOfOption,
    ModelOption,
    RulesOption,
    YearOption,
    model_or_default,
    progress_bar,
    reference_date,
    refusals,
    rules_or_default,
    say,
    survey_date,
)
from majal.registry.labels import CATEGORY_LABELS, PROGRAMME_NAMES
from majal.registry.pmt import data, programmes, scoring

# --- entitlement ---------------------------------------------------------------------------------------------------


def _read_household_json(file: Path) -> tuple[dict[str, Any], list[dict[str, Any]], data.Sources]:
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise data.RegistryFileError(N_("No such file."), where=str(file)) from None
    except json.JSONDecodeError as error:
        raise data.RegistryFileError(N_("Malformed JSON at line %(line)s, column %(column)s."), where=str(file),
                                     line=error.lineno, column=error.colno) from None
    except (OSError, UnicodeDecodeError) as error:
        raise data.RegistryFileError(N_("This file cannot be read: %(reason)s"), where=str(file),
                                     reason=str(error)) from None
    household = document.get("household") if isinstance(document, dict) else None
    members = document.get("members") if isinstance(document, dict) else None
    if not isinstance(household, dict) or not isinstance(members, list) or not all(
            isinstance(member, dict) for member in members):
        raise data.RegistryFileError(
            N_("Expected {\"household\": {…}, \"members\": [{…}, …]} with the fields of the import format."),
            where=str(file))
    sources = data.Sources(households=f"{file.name} household", members=f"{file.name} members")
    return household, members, sources


def entitlement_command(
    file: Annotated[Path, typer.Argument(help="One household as JSON: {\"household\": {…}, \"members\": [{…}]}")],
    year: YearOption = None,
    as_of: AsOfOption = None,
    model: ModelOption = None,
    rules: RulesOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the breakdown as JSON")] = False,
) -> None:
    """Score one household, decide each programme and show how its ASD amount is made, line by line."""
    from majal.registry import service

    with refusals():
        day = reference_date(year, as_of)
        the_model, the_rules = model_or_default(model), rules_or_default(rules)
        household, members, sources = _read_household_json(file)
        row, detail = service.entitlement(household, members, day, model=the_model, rules=the_rules,
                                          sources=sources)
        if json_output:
            sys.stdout.write(json.dumps(service.entitlement_json(row, detail, day), ensure_ascii=False, indent=2)
                             + "\n")
            return
        _print_breakdown(row, detail, day, the_rules.table_at(day).max_children)


def _yes(value: bool) -> str:
    return gettext("eligible") if value else gettext("not eligible")


def _print_breakdown(row: dict[str, Any], detail: programmes.AsdBreakdown, day: date, max_children: int) -> None:
    say(gettext("Household %(household)s on %(date)s: score %(score)s (model %(model)s).",
                 household=row["household_id"], date=day.isoformat(), score=f"{row['score']:.7f}",
                 model=row["model_version"]))
    drivers = [row[f"driver_{k}"] for k in range(1, 4) if row.get(f"driver_{k}")]
    if drivers:
        words = ", ".join(
            f"{gettext(scoring.GROUP_LABELS.get(name, name))} ({row[f'driver_{k}_effect']:+.3f})"
            for k, name in enumerate(drivers, start=1))
        say(gettext("What moves the score most: %(drivers)s.", drivers=words))
    for programme in programmes.PROGRAMMES:
        say(gettext("%(programme)s: %(decision)s (%(rule)s).", programme=gettext(PROGRAMME_NAMES[programme]),
             decision=_yes(bool(row[f"{programme}_eligible"])), rule=row[f"{programme}_rule"]))
    table = Table(title=gettext("ASD amount, table %(table)s", table=detail.table), show_edge=False)
    for heading in (gettext("Child rank"), gettext("Age"), gettext("Category"), gettext("Monthly amount"),
                    gettext("Disability supplement"), gettext("Birth grant")):
        table.add_column(heading, justify="right")
    for line in detail.children:
        category = gettext(CATEGORY_LABELS[line.category]) if line.counted else gettext(
            "not counted: at most %(count)s children", count=max_children)
        table.add_row(str(line.rank), str(line.age), category, format_number(line.base),
                      format_number(line.disability_supplement), format_number(line.birth_grant))
    if detail.children:
        console.print(table)
    else:
        say(gettext("No child under the age limit: the flat amount applies."))
    if detail.floor_applied:
        say(gettext("The children's amounts (%(total)s MAD) are below the household floor.",
             total=format_number(detail.children_total)))
    if detail.eligible:
        say(gettext("ASD: %(monthly)s MAD a month; birth grant %(grant)s MAD.", monthly=format_number(detail.monthly),
             grant=format_number(detail.birth_grant)))
    else:
        say(gettext("Not eligible for ASD: no amount is paid."))


# --- import into the database --------------------------------------------------------------------------------------


def import_command(
    folder: Annotated[Path, typer.Argument(help="A population folder in the import format (households, members)")],
    as_of: AsOfOption = None,
    commune: Annotated[str | None, typer.Option("--commune", help="Commune code for households that name none")] = None,
) -> None:
    """Add a population to the registry database: checked whole first (a bad row refuses everything, naming the
    file, row and field), then written with each household's computed score and decisions."""
    import time

    from majal.kit.cli import settings, unit_of_work
    from majal.registry import service

    started = time.perf_counter()
    with refusals():
        day = reference_date(None, as_of)
        files = data.read_population(folder)
    with progress_bar() as progress, unit_of_work() as db:
        task = progress.add_task(gettext("Importing"), total=4)
        result = service.import_population(db, files, secret=settings().resolved_secret_key, actor="cli", as_of=day,
                                           commune=commune, on_step=lambda _step: progress.advance(task))
    say(gettext("%(households)s households and %(members)s members imported and scored in %(seconds)s s.",
                 households=format_number(result.households), members=format_number(result.members),
                 seconds=f"{time.perf_counter() - started:.1f}"))


# --- a survey for the targeting dashboard -------------------------------------------------------------------------

survey_app = typer.Typer(help="Household surveys with measured consumption, for the targeting dashboard.",
                         no_args_is_help=True)


@survey_app.command("import")
def survey_import_command(
    folder: Annotated[Path, typer.Argument(help="A survey folder: households, members and consumption files")],
    name: Annotated[str, typer.Option("--name", help="How the dashboard names it (default: its date)")] = "",
    as_of: AsOfOption = None,
) -> None:
    """Load a survey for the programme officer's targeting dashboard: checked whole, scored with the model in force
    on its date (its manifest's, or --as-of), and kept; the latest survey is the one the dashboard evaluates."""
    from majal.kit.cli import unit_of_work
    from majal.registry import service

    with refusals():
        day = reference_date(None, as_of, survey_date(folder))
        files = data.read_population(folder, consumption=True)
    with unit_of_work() as db:
        survey = service.import_survey(db, files, name, day, actor="cli")
        say(gettext("Survey %(name)s loaded: %(households)s households, scored with %(model)s.", name=survey.name,
                    households=format_number(survey.households), model=survey.model_version))
