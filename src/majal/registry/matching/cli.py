"""Entity resolution on the command line: `majal names key`, `majal registry dedup` and `synth-persons` (files in,
files out), and `majal registry lists import` and `majal registry match` (person lists and matching runs in the
database).

`dedup` reads a persons CSV (id, first_name, last_name, birth_date, sex, commune, national_id; optional phone and
household_id; names in either script), checks every cell first, and writes `id,cluster_id` for every record plus two
sibling files: the scored pairs (`<output>.pairs.csv`) and the review queue (`<output>.review.csv`).  A bad file is
refused with its row and column, and nothing is written.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import pyarrow.csv as pacsv
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from majal.kit import i18n
from majal.kit.cli import cli_language, console, errors, fail, settings, unit_of_work
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext
from majal.registry.matching import dedup, names, persons
from majal.registry.matching import service as matching

names_app = typer.Typer(help="Moroccan name keys: one phonetic key for Arabic-script and Latin spellings.",
                        no_args_is_help=True)

MAX_SYNTH_PERSONS = 20_000_000
STEP_LABELS = {
    "read": N_("Reading and checking the records"),
    "prepare": N_("Computing name keys"),
    "train": N_("Training the matching model"),
    "score": N_("Scoring candidate pairs"),
    "cluster": N_("Forming clusters"),
    "write": N_("Writing the results"),
}
STEPS = tuple(STEP_LABELS)


class Encoding(StrEnum):
    utf8 = "utf-8"
    windows_1256 = "windows-1256"


@names_app.command("key")
def key_command(
    text: Annotated[str, typer.Argument(help="A name in Arabic script or a Latin spelling, e.g. 'Abderrahmane'")],
    family: Annotated[
        str | None, typer.Option("--family", help="A family name: print the order-insensitive key of the full name")
    ] = None,
) -> None:
    """Print the phonetic key of a name: Mohammed, Mhamed and محمد all give "mhmd"."""
    key = names.full_name_key(text, family) if family is not None else names.name_key(text)
    console.print(key, highlight=False, markup=False)


def sibling(path: Path, kind: str) -> Path:
    """clusters.csv → clusters.pairs.csv; persons.csv → persons.truth.csv."""
    suffix = path.suffix or ".csv"
    return path.with_name(f"{path.stem}.{kind}{suffix}")


@dataclass(frozen=True)
class Summary:
    records: int
    clusters: int
    merged: int
    compared: int
    review: int
    seconds: float
    timings: dict[str, float]


def run_dedup(
    input_path: Path,
    output: Path,
    *,
    encoding: str = "utf-8",
    threshold: float | None = None,
    seed: int = 0,
    on_step: Callable[[str], None] | None = None,
) -> Summary:
    """Read, resolve and write; a refusal (`MajalError`) leaves every output file as it was."""
    started = time.perf_counter()
    step = on_step or (lambda _name: None)
    if not input_path.is_file():
        raise MajalError(N_("No such file: %(path)s"), where="--input", path=str(input_path))
    if output.resolve() in {input_path.resolve(), sibling(input_path, "truth").resolve()}:
        raise MajalError(N_("The output would overwrite the input: choose another file."), where="--output")
    if not output.parent.is_dir():
        raise MajalError(N_("No such folder: %(path)s"), where="--output", path=str(output.parent))
    step("read")
    try:
        records = dedup.parse_persons_csv(input_path.read_bytes(), encoding)
    except MajalError as refused:
        refused.where = input_path.name
        raise
    model = dedup.PERSON_MODEL if threshold is None else replace(
        dedup.PERSON_MODEL, threshold=threshold, review_from=min(dedup.PERSON_MODEL.review_from, threshold))
    resolution = dedup.resolve(records, model, seed=seed, on_step=step)
    step("write")
    outputs = {
        output: resolution.clusters.select(["id", "cluster_id"]),
        sibling(output, "pairs"): resolution.pairs,
        sibling(output, "review"): resolution.review,
    }
    _write_all(outputs)
    clusters = resolution.clusters.column("cluster_id")
    distinct = len(set(clusters.to_pylist()))
    return Summary(
        records=records.num_rows,
        clusters=distinct,
        merged=records.num_rows - distinct,
        compared=resolution.compared,
        review=resolution.review.num_rows,
        seconds=time.perf_counter() - started,
        timings=resolution.timings,
    )


def _write_all(tables: dict[Path, pa.Table]) -> None:
    """Write every file next to its target, then move them all into place: no half-written results."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, table in tables.items():
            handle, name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
            os.close(handle)
            written.append((Path(name), target))
            pacsv.write_csv(_rounded(table), name, write_options=pacsv.WriteOptions(quoting_style="needed"))
        for temporary, target in written:
            os.replace(temporary, target)
    finally:
        for temporary, _target in written:
            temporary.unlink(missing_ok=True)


def _rounded(table: pa.Table) -> pa.Table:
    import pyarrow.compute as pc

    for index, column in enumerate(table.schema):
        if pa.types.is_floating(column.type):
            table = table.set_column(index, column.name, pc.round(table.column(index), 6))
    return table


@contextmanager
def _steps(shown: bool) -> Iterator[Callable[[str], None]]:
    with i18n.language(cli_language()), Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=errors, transient=True,
        disable=not shown,
    ) as progress:
        first = STEP_LABELS[STEPS[0]]
        task = progress.add_task(gettext(first), total=len(STEPS))

        def report(name: str) -> None:
            if name in STEP_LABELS:
                progress.update(task, description=gettext(STEP_LABELS[name]), completed=STEPS.index(name))

        yield report


def dedup_command(
    input: Annotated[Path, typer.Option("--input", "-i", help="Persons CSV: id, first_name, last_name, birth_date, "
                                        "sex, commune, national_id (optional: phone, household_id)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write id,cluster_id (pairs and review "
                                         "queue go next to it)")],
    encoding: Annotated[Encoding, typer.Option("--encoding", help="The file's encoding")] = Encoding.utf8,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.01, max=0.9999, help="Match probability from which two records are merged")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the model's random sampling")] = 0,
) -> None:
    """Cluster person records that are the same person, across Arabic and Latin spellings.

    Same IDCS or CNIE → same person; everything else by a probabilistic model (names, birth date, sex, commune,
    phone).  Writes OUTPUT (id,cluster_id for every record), OUTPUT.pairs.csv (scored pairs) and OUTPUT.review.csv
    (uncertain pairs, conflicting identifiers, one person in two households).
    """
    with _steps(errors.is_terminal) as report:
        try:
            summary = run_dedup(input, output, encoding=encoding.value, threshold=threshold, seed=seed,
                                on_step=report)
        except MajalError as refused:
            raise fail(refused) from None
    with i18n.language(cli_language()):
        console.print(
            gettext("%(records)s records, %(clusters)s persons: %(merged)s records merged into another; "
                    "%(compared)s pairs compared; %(review)s items to review.",
                    records=format_number(summary.records), clusters=format_number(summary.clusters),
                    merged=format_number(summary.merged), compared=format_number(summary.compared),
                    review=format_number(summary.review)),
            highlight=False, markup=False, soft_wrap=True)
        console.print(
            gettext("Written: %(clusters)s, %(pairs)s, %(review)s (%(seconds)s s).", clusters=str(output),
                    pairs=str(sibling(output, "pairs")), review=str(sibling(output, "review")),
                    seconds=format_number(summary.seconds, 1)),
            highlight=False, markup=False, soft_wrap=True)


def synth_persons_command(
    n: Annotated[int, typer.Option("--n", min=1, max=MAX_SYNTH_PERSONS, help="How many records")] = 10_000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed: the same seed gives the same records")] = 0,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the records")] = Path("persons.csv"),
) -> None:
    """Write synthetic Moroccan person records with known truth (OUTPUT.truth.csv: id, person_id).

    Names in both scripts with realistic frequencies, transliteration variants, typing errors, swapped names,
    missing fields and wrong dates; each person appears in one to five records.
    """
    if not output.parent.is_dir():
        raise fail(MajalError(N_("No such folder: %(path)s"), where="--output", path=str(output.parent)))
    with i18n.language(cli_language()), errors.status(gettext("Generating %(n)s records", n=format_number(n))):
        table = persons.synthesize(n, seed)
        truth_path = sibling(output, "truth")
        _write_all({output: table.drop_columns(["person_id"]), truth_path: table.select(["id", "person_id"])})
    with i18n.language(cli_language()):
        console.print(
            gettext("%(n)s records of %(persons)s persons written to %(path)s; the truth is in %(truth)s.",
                    n=format_number(table.num_rows), persons=format_number(len(set(table.column("person_id")
                                                                                  .to_pylist()))),
                    path=str(output), truth=str(truth_path)),
            highlight=False, markup=False, soft_wrap=True)


# --- person lists and matching runs in the database ------------------------------------------------------------

lists_app = typer.Typer(help="Person lists without registry identifiers (Jisr referrals, training sign-ups, "
                             "municipal and NGO lists), matched against the registry.", no_args_is_help=True)


def _say(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)


@lists_app.command("import")
def import_list_command(
    file: Annotated[Path, typer.Argument(help="Persons CSV: id, first_name, last_name, birth_date, sex, commune, "
                                              "national_id (names in either script)")],
    name: Annotated[str, typer.Option("--name", help="The list's name, e.g. 'Jisr referrals 2026'")],
    commune: Annotated[str, typer.Option("--commune", help="Code of the commune the list belongs to")],
    encoding: Annotated[Encoding, typer.Option("--encoding", help="The file's encoding")] = Encoding.utf8,
) -> None:
    """Store a person list: every row checked first (a bad row refuses the whole file, naming its row and column),
    national ids sealed with a keyed digest, like members'."""
    if not file.is_file():
        raise fail(MajalError(N_("No such file: %(path)s"), path=str(file)))
    with unit_of_work() as db, i18n.language(cli_language()):
        try:
            found = matching.import_list(db, file.read_bytes(), name=name, commune=commune, source=file.name,
                                         secret=settings().resolved_secret_key, actor="cli", encoding=encoding.value)
        except MajalError as refused:
            if refused.where is None:
                refused.where = file.name
            raise
        list_id, persons = found.id, found.persons
    with i18n.language(cli_language()):
        _say(gettext("List %(id)s “%(name)s”: %(persons)s persons stored. Match them with `majal registry match "
                     "--commune %(commune)s`.", id=list_id, name=name.strip(), persons=format_number(persons),
                     commune=commune.strip()))


def match_command(
    commune: Annotated[str, typer.Option("--commune", help="Code of the commune whose lists and members to match")],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the model's random sampling")] = 0,
) -> None:
    """Match a commune's list persons against its registry members and each other: the same IDCS or CNIE first,
    then the probabilistic model; certain pairs are linked, uncertain ones go to the review queue."""
    with i18n.language(cli_language()), errors.status(gettext("Matching")), unit_of_work() as db:
        result = matching.run_matching(db, commune.strip(), actor="cli", seed=seed)
        run = result.run
        figures = {"records": format_number(run.records), "compared": format_number(run.compared),
                   "linked": format_number(run.linked), "merged": format_number(result.merged),
                   "queued": format_number(run.queued), "seconds": format_number(run.seconds, 1)}
    with i18n.language(cli_language()):
        _say(gettext("%(records)s records, %(compared)s pairs compared: %(linked)s pairs linked (%(merged)s merges), "
                     "%(queued)s pairs to review (%(seconds)s s).", **figures))
