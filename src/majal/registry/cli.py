"""`majal registry synth|fit|score|evaluate|entitlement|sql`: the targeting engine from the command line.

Population folders are in the import format of `majal.registry.data` (households, members and, for a survey,
consumption; Parquet or CSV). The reference date of a command — ages, the model version and the rules in force — is
`--as-of`, else 31 December of `--year`, else (for surveys) the date in the folder's manifest, else today.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from majal.kit import i18n
from majal.kit.cli import cli_language, console, errors, fail
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext
from majal.registry import batch, data, evaluation, programmes, scoring, synth
from majal.registry import sql as sql_engine
from majal.registry.labels import CATEGORY_LABELS, PROGRAMME_NAMES

app = typer.Typer(
    help="Social registry: synthetic populations, the socio-economic index (PMT), eligibility and ASD amounts.",
    no_args_is_help=True,
)

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
def _refusals() -> Iterator[None]:
    """Engine refusals become a message in the terminal's language and exit status 1."""
    try:
        with i18n.language(cli_language()):
            yield
    except MajalError as refused:
        raise fail(refused) from None


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=errors, transient=True, disable=not errors.is_terminal)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise MajalError(N_("Expected a date written YYYY-MM-DD."), where=option) from None


def _reference(year: int | None, as_of: str | None, default: date | None = None) -> date:
    if as_of is not None:
        return _day(as_of, "--as-of")
    if year is not None:
        return programmes.year_reference_date(year)
    return default or date.today()


def _survey_date(path: Path) -> date | None:
    """The reference date written by `majal registry synth` in the survey's manifest, if any."""
    manifest = (path.parent if path.is_file() else path) / "manifest.json"
    try:
        return date.fromisoformat(json.loads(manifest.read_text(encoding="utf-8"))["reference_date"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _model(path: Path | None) -> scoring.Model:
    return scoring.load_model(path) if path else scoring.default_model()


def _rules(path: Path | None) -> programmes.Rules:
    return programmes.load_rules(path) if path else programmes.default_rules()


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False)


# --- synth ---------------------------------------------------------------------------------------------------------


@app.command("synth")
def synth_command(
    households: Annotated[int, typer.Option("--households", help="How many households", min=1,
                                            max=MAX_SYNTH_HOUSEHOLDS)],
    output: Annotated[Path, typer.Option("--output", help="Folder to write (created if needed)")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same population", min=0)] = 1,
    file_format: Annotated[FileFormat, typer.Option("--format", help="parquet, csv or both")] = FileFormat.both,
    reference_date: Annotated[str, typer.Option("--reference-date", help="Date the ages are drawn at")] = (
        synth.REFERENCE_DATE.isoformat()),
) -> None:
    """Write a deterministic synthetic population (households, members, hidden consumption) in the import format."""
    with _refusals():
        reference = _day(reference_date, "--reference-date")
        if output.exists() and not output.is_dir():
            raise MajalError(N_("This is a file, not a folder."), where=str(output))
        with _progress() as progress:
            task = progress.add_task(gettext("Generating households"), total=households)
            survey = synth.generate(households, seed, reference=reference,
                                    on_progress=lambda count: progress.advance(task, count))
            progress.add_task(gettext("Writing files"), total=None)
            formats = ("parquet", "csv") if file_format is FileFormat.both else (file_format.value,)
            synth.write(survey, output, formats=formats, seed=seed, reference=reference)
        _say(gettext("%(households)s households and %(members)s members written to %(folder)s.",
             households=format_number(survey.households.height), members=format_number(survey.members.height),
             folder=str(output)))


# --- fit -----------------------------------------------------------------------------------------------------------


def _fixed_constants(values: list[str]) -> dict[str, float]:
    constants = {}
    for value in values:
        milieu, _, number = value.partition("=")
        try:
            constants[milieu.strip()] = float(number)
        except ValueError:
            raise MajalError(N_("Expected MILIEU=NUMBER, e.g. urban=9.825."), where="--fix-constant") from None
        if milieu.strip() not in data.MILIEUX:
            raise MajalError(N_("Expected MILIEU=NUMBER, e.g. urban=9.825."), where="--fix-constant")
    return constants


@app.command("fit")
def fit_command(
    survey: Annotated[Path, typer.Option("--survey", help="Survey folder: households, members and consumption")],
    output: Annotated[Path | None, typer.Option("--output", help="Model file to write (default: standard output)")
                      ] = None,
    template: Annotated[Path | None, typer.Option(
        "--template", help="Model file whose variables are fitted (default: the shipped model)")] = None,
    version: Annotated[str | None, typer.Option("--version", help="Name of the new model version")] = None,
    effective_from: Annotated[str | None, typer.Option("--effective-from", help="First day the model applies")
                              ] = None,
    fix_constant: Annotated[list[str] | None, typer.Option(
        "--fix-constant", help="Hold a milieu's constant, e.g. urban=9.825 (repeatable)")] = None,
    as_of: AsOfOption = None,
) -> None:
    """Estimate the model's coefficients by least squares of ln(consumption per person), urban and rural apart."""
    with _refusals():
        day = _reference(None, as_of, _survey_date(survey))
        template_version = _model(template).at(day)
        constants = _fixed_constants(fix_constant or [])
        start = _day(effective_from, "--effective-from") if effective_from else day
        with _progress() as progress:
            task = progress.add_task(gettext("Fitting the model"), total=3)
            files = data.read_population(survey, consumption=True)
            progress.advance(task)
            population = data.prepare(files.households, files.members, as_of=day, sources=files.sources)
            assert files.consumption is not None
            consumption = data.align_consumption(population, files.consumption, files.sources.consumption)
            progress.advance(task)
            result = scoring.fit(population, consumption, template_version, version=version or f"PMT-FIT-{start}",
                                 effective_from=start, fixed_constants=constants,
                                 description=f"Fitted on {survey.name} (reference date {day.isoformat()}).")
            progress.advance(task)
        text = scoring.model_to_json([result.version])
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, encoding="utf-8")
        table = Table(title=gettext("Fit of %(version)s", version=result.version.version), show_edge=False)
        for heading in (gettext("Milieu"), gettext("Households"), gettext("Parameters"), "R²",
                        gettext("Residual standard error"), gettext("Constant")):
            table.add_column(heading, justify="right")
        for milieu, stats in result.stats.items():
            constant = format_number(result.version.milieux[milieu].constant, 4)
            table.add_row(gettext(MILIEU_LABELS[milieu]), format_number(stats["n"]), str(stats["parameters"]),
                          format_number(stats["r2"], 3), format_number(stats["residual_se"], 3),
                          constant + (" " + gettext("(held)") if stats["constant_fixed"] else ""))
        (errors if output is None else console).print(table)
        if output is not None:
            _say(gettext("Model written to %(path)s.", path=str(output)))


# --- score ---------------------------------------------------------------------------------------------------------


@app.command("score")
def score_command(
    input_dir: Annotated[Path, typer.Option("--input", help="Folder with households and members (Parquet or CSV)")],
    output: Annotated[Path, typer.Option("--output", help="FILE.csv or FILE.parquet: one row per household")],
    model: ModelOption = None,
    rules: RulesOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    explain: Annotated[int, typer.Option("--explain", help="How many drivers of each score to list (0: none)",
                                         min=0, max=10)] = 3,
) -> None:
    """Check, score and decide every household: score, model version, and per programme the decision and amount."""
    with _refusals():
        if output.suffix not in (".csv", ".parquet"):
            raise MajalError(N_("The output file must end in .csv or .parquet."), where="--output")
        day = _reference(year, as_of)
        the_model, the_rules = _model(model), _rules(rules)
        labels = {"check": gettext("Checking households and members"), "score": gettext("Scoring"),
                  "decide": gettext("Deciding eligibility and amounts")}
        with _progress() as progress:
            task = progress.add_task(gettext("Reading files"), total=len(batch.STEPS) + 2)
            files = data.read_population(input_dir)
            progress.update(task, advance=1, description=labels["check"])

            def step(name: str) -> None:
                following = batch.STEPS.index(name) + 1
                description = labels[batch.STEPS[following]] if following < len(batch.STEPS) else gettext(
                    "Writing %(path)s", path=output.name)
                progress.update(task, advance=1, description=description)

            result = batch.run(files.households, files.members, model=the_model, rules=the_rules, as_of=day,
                               explain=explain, sources=files.sources, on_step=step)
            if output.suffix == ".csv":
                result.write_csv(output)
            else:
                result.write_parquet(output)
            progress.advance(task)
        totals = result.select(pl.col("amo_tadamon_eligible").sum(), pl.col("asd_eligible").sum(),
                               pl.col("asd_monthly").sum()).row(0)
        _say(gettext("%(households)s households scored with model %(model)s on %(date)s: %(amo)s eligible for "
                     "AMO Tadamon, %(asd)s for ASD (%(amount)s MAD a month in all).",
             households=format_number(result.height), model=the_model.at(day).version, date=day.isoformat(),
             amo=format_number(totals[0]), asd=format_number(totals[1]), amount=format_number(totals[2])))
        _say(gettext("Written to %(path)s.", path=str(output)))


# --- evaluate ------------------------------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "—" if value is None else format_number(100 * value, 1) + " %"


@app.command("evaluate")
def evaluate_command(
    survey: Annotated[Path, typer.Option("--survey", help="Survey folder: households, members and consumption")],
    model: ModelOption = None,
    rules: RulesOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    threshold: Annotated[list[float] | None, typer.Option(
        "--threshold", help="Also evaluate `score <= X` (repeatable): what a new threshold would do")] = None,
    poor_share: Annotated[float | None, typer.Option(
        "--poor-share", help="Call poor the poorest share of households (e.g. 0.2) instead of those below the "
                             "programme's own line", min=0.0, max=1.0)] = None,
) -> None:
    """Targeting errors of each programme's threshold against the survey's measured consumption."""
    with _refusals():
        day = _reference(year, as_of, _survey_date(survey))
        the_model, the_rules = _model(model), _rules(rules)
        version = the_model.at(day)
        files = data.read_population(survey, consumption=True)
        population = data.prepare(files.households, files.members, as_of=day, sources=files.sources)
        assert files.consumption is not None
        consumption = data.align_consumption(population, files.consumption, files.sources.consumption)
        scores = scoring.score_population(population, version, explain=0).get_column("score").to_numpy()
        reports = []
        for programme in programmes.PROGRAMMES:
            rule = the_rules.rule_at(programme, day)
            reports.append(evaluation.evaluate(scores, consumption, threshold=rule.threshold,
                                               comparator=rule.comparator, label=gettext(PROGRAMME_NAMES[programme]),
                                               poor_share=poor_share))
        for value in threshold or []:
            reports.append(evaluation.evaluate(scores, consumption, threshold=value, comparator="<=",
                                               label=gettext("Threshold %(value)s", value=value),
                                               poor_share=poor_share))
        _print_evaluation(reports, version.version, day, population, poor_share)


def _print_evaluation(reports: list[evaluation.TargetingReport], version: str, day: date,
                      population: data.Population, poor_share: float | None) -> None:
    _say(gettext("%(households)s surveyed households, scored with model %(model)s on %(date)s.",
         households=format_number(len(population)), model=version, date=day.isoformat()))
    if poor_share is None:
        _say(gettext("Poor: the households whose measured ln(consumption per person) is on the eligible side of the "
             "threshold."))
    else:
        _say(gettext("Poor: the poorest %(share)s of households by measured consumption per person.",
             share=_percent(poor_share)))
    table = Table(show_edge=False)
    for heading in (gettext("Threshold"), gettext("Selected"), gettext("Poor"), gettext("Exclusion error"),
                    gettext("Inclusion error"), gettext("Bottom quintile covered"), "AUC"):
        table.add_column(heading, justify="right")
    for report in reports:
        table.add_row(gettext("%(label)s: score %(comparator)s %(threshold)s", label=report.label,
                              comparator=report.comparator, threshold=report.threshold),
                      format_number(report.selected), format_number(report.poor), _percent(report.exclusion_error),
                      _percent(report.inclusion_error), _percent(report.coverage_bottom_quintile),
                      "—" if report.auc is None else format_number(report.auc, 3))
    console.print(table)
    deciles = Table(title=gettext("Share selected in each decile of measured consumption (1 = poorest)"),
                    show_edge=False)
    deciles.add_column(gettext("Threshold"))
    for d in range(1, 11):
        deciles.add_column(str(d), justify="right")
    for report in reports:
        deciles.add_row(report.label, *[format_number(100 * share, 0) for share in report.coverage_by_decile])
    console.print(deciles)


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


@app.command("entitlement")
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

    with _refusals():
        day = _reference(year, as_of)
        the_model, the_rules = _model(model), _rules(rules)
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
    _say(gettext("Household %(household)s on %(date)s: score %(score)s (model %(model)s).",
                 household=row["household_id"], date=day.isoformat(), score=f"{row['score']:.7f}",
                 model=row["model_version"]))
    drivers = [row[f"driver_{k}"] for k in range(1, 4) if row.get(f"driver_{k}")]
    if drivers:
        words = ", ".join(
            f"{gettext(scoring.GROUP_LABELS.get(name, name))} ({row[f'driver_{k}_effect']:+.3f})"
            for k, name in enumerate(drivers, start=1))
        _say(gettext("What moves the score most: %(drivers)s.", drivers=words))
    for programme in programmes.PROGRAMMES:
        _say(gettext("%(programme)s: %(decision)s (%(rule)s).", programme=gettext(PROGRAMME_NAMES[programme]),
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
        _say(gettext("No child under the age limit: the flat amount applies."))
    if detail.floor_applied:
        _say(gettext("The children's amounts (%(total)s MAD) are below the household floor.",
             total=format_number(detail.children_total)))
    if detail.eligible:
        _say(gettext("ASD: %(monthly)s MAD a month; birth grant %(grant)s MAD.", monthly=format_number(detail.monthly),
             grant=format_number(detail.birth_grant)))
    else:
        _say(gettext("Not eligible for ASD: no amount is paid."))


# --- import into the database --------------------------------------------------------------------------------------


@app.command("import")
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
    with _refusals():
        day = _reference(None, as_of)
        files = data.read_population(folder)
    with _progress() as progress, unit_of_work() as db:
        task = progress.add_task(gettext("Importing"), total=4)
        result = service.import_population(db, files, secret=settings().resolved_secret_key, actor="cli", as_of=day,
                                           commune=commune, on_step=lambda _step: progress.advance(task))
    _say(gettext("%(households)s households and %(members)s members imported and scored in %(seconds)s s.",
                 households=format_number(result.households), members=format_number(result.members),
                 seconds=f"{time.perf_counter() - started:.1f}"))


# --- sql -----------------------------------------------------------------------------------------------------------


@app.command("sql")
def sql_command(
    model: ModelOption = None,
    rules: RulesOption = None,
    year: YearOption = None,
    as_of: AsOfOption = None,
    checks: Annotated[bool, typer.Option("--checks", help="Print the data checks instead of the batch")] = False,
    households_table: Annotated[str, typer.Option("--households-table", help="Table or view of households")] = (
        "households"),
    members_table: Annotated[str, typer.Option("--members-table", help="Table or view of members")] = "members",
) -> None:
    """Print the batch (score, eligibility, ASD amounts) as one Spark SQL query, from the same model and rules."""
    with _refusals():
        for name, option in ((households_table, "--households-table"), (members_table, "--members-table")):
            try:
                sql_engine.table_name(name)
            except ValueError:
                raise MajalError(N_("Expected a table name (letters, digits, _ and dots)."), where=option) from None
        day = _reference(year, as_of)
        if checks:
            text = sql_engine.checks_sql(day, households=households_table, members=members_table)
        else:
            text = sql_engine.batch_sql(_model(model).at(day), _rules(rules), day, households=households_table,
                                        members=members_table)
    sys.stdout.write(text)



# --- entity resolution: dedup, synth-persons (majal.registry.dedup_cli) -----------------------------------------------

from majal.registry.dedup_cli import dedup_command, synth_persons_command  # noqa: E402

app.command("dedup")(dedup_command)
app.command("synth-persons")(synth_persons_command)

# --- person lists and matching in the database (majal.registry.matching_cli) ------------------------------------------

from majal.registry.matching_cli import lists_app, match_command  # noqa: E402

app.add_typer(lists_app, name="lists")
app.command("match")(match_command)
