"""`majal registry lists import` and `majal registry match`: person lists and matching runs in the database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from majal.kit import i18n
from majal.kit.cli import cli_language, console, errors, fail, settings, unit_of_work
from majal.kit.errors import MajalError
from majal.kit.i18n import N_, format_number, gettext
from majal.registry import matching
from majal.registry.dedup_cli import Encoding

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
