"""`majal registry synth|fit|score|evaluate|sql`: the targeting engines (`majal.registry.pmt`) on population
folders, from the command line."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from majal.kit.cli import console, errors
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext
from majal.registry.cli.common import (
    MAX_SYNTH_HOUSEHOLDS,
    MILIEU_LABELS,
    AsOfOption,
    FileFormat,
    ModelOption,
    RulesOption,
    YearOption,
    day_of,
    model_or_default,
    progress_bar,
    reference_date,
    refusals,
    rules_or_default,
    say,
    survey_date,
)
from majal.registry.labels import PROGRAMME_NAMES
from majal.registry.pmt import batch, data, evaluation, fitting, model_file, programmes, scoring, synth
from majal.registry.pmt import sql as sql_engine

# --- synth ---------------------------------------------------------------------------------------------------------


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
    with refusals():
        reference = day_of(reference_date, "--reference-date")
        if output.exists() and not output.is_dir():
            raise MajalError(N_("This is a file, not a folder."), where=str(output))
        with progress_bar() as progress:
            task = progress.add_task(gettext("Generating households"), total=households)
            survey = synth.generate(households, seed, reference=reference,
                                    on_progress=lambda count: progress.advance(task, count))
            progress.add_task(gettext("Writing files"), total=None)
            formats = ("parquet", "csv") if file_format is FileFormat.both else (file_format.value,)
            synth.write(survey, output, formats=formats, seed=seed, reference=reference)
        say(gettext("%(households)s households and %(members)s members written to %(folder)s.",
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
    with refusals():
        day = reference_date(None, as_of, survey_date(survey))
        template_version = model_or_default(template).at(day)
        constants = _fixed_constants(fix_constant or [])
        start = day_of(effective_from, "--effective-from") if effective_from else day
        with progress_bar() as progress:
            task = progress.add_task(gettext("Fitting the model"), total=3)
            files = data.read_population(survey, consumption=True)
            progress.advance(task)
            population = data.prepare(files.households, files.members, as_of=day, sources=files.sources)
            assert files.consumption is not None
            consumption = data.align_consumption(population, files.consumption, files.sources.consumption)
            progress.advance(task)
            result = fitting.fit(population, consumption, template_version, version=version or f"PMT-FIT-{start}",
                                 effective_from=start, fixed_constants=constants,
                                 description=f"Fitted on {survey.name} (reference date {day.isoformat()}).")
            progress.advance(task)
        text = model_file.model_to_json([result.version])
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
            say(gettext("Model written to %(path)s.", path=str(output)))


# --- score ---------------------------------------------------------------------------------------------------------


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
    with refusals():
        if output.suffix not in (".csv", ".parquet"):
            raise MajalError(N_("The output file must end in .csv or .parquet."), where="--output")
        day = reference_date(year, as_of)
        the_model, the_rules = model_or_default(model), rules_or_default(rules)
        labels = {"check": gettext("Checking households and members"), "score": gettext("Scoring"),
                  "decide": gettext("Deciding eligibility and amounts")}
        with progress_bar() as progress:
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
        say(gettext("%(households)s households scored with model %(model)s on %(date)s: %(amo)s eligible for "
                     "AMO Tadamon, %(asd)s for ASD (%(amount)s MAD a month in all).",
             households=format_number(result.height), model=the_model.at(day).version, date=day.isoformat(),
             amo=format_number(totals[0]), asd=format_number(totals[1]), amount=format_number(totals[2])))
        say(gettext("Written to %(path)s.", path=str(output)))


# --- evaluate ------------------------------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "—" if value is None else format_number(100 * value, 1) + " %"


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
    with refusals():
        day = reference_date(year, as_of, survey_date(survey))
        the_model, the_rules = model_or_default(model), rules_or_default(rules)
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
    say(gettext("%(households)s surveyed households, scored with model %(model)s on %(date)s.",
         households=format_number(len(population)), model=version, date=day.isoformat()))
    if poor_share is None:
        say(gettext("Poor: the households whose measured ln(consumption per person) is on the eligible side of the "
             "threshold."))
    else:
        say(gettext("Poor: the poorest %(share)s of households by measured consumption per person.",
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


# --- sql -----------------------------------------------------------------------------------------------------------


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
    with refusals():
        for name, option in ((households_table, "--households-table"), (members_table, "--members-table")):
            try:
                sql_engine.table_name(name)
            except ValueError:
                raise MajalError(N_("Expected a table name (letters, digits, _ and dots)."), where=option) from None
        day = reference_date(year, as_of)
        if checks:
            text = sql_engine.checks_sql(day, households=households_table, members=members_table)
        else:
            text = sql_engine.batch_sql(model_or_default(model).at(day), rules_or_default(rules), day,
                                        households=households_table, members=members_table)
    sys.stdout.write(text)
