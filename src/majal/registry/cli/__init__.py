"""`majal registry …`: the registry's batch verbs.

- `targeting`   `synth`, `fit`, `score`, `evaluate`, `sql`: the targeting engines (`majal.registry.pmt`) on population
                folders in the import format (Parquet or CSV), no database
- `households`  `entitlement` (one household from a JSON file) and `import` (a population into the registry's database)
- `common`      the reference date of a command (`--as-of`, else 31 December of `--year`, else the survey's manifest,
                else today), model and rules files, refusals, progress

Entity resolution adds `dedup`, `synth-persons`, `lists import` and `match` (`majal.registry.matching.cli`).
"""

from __future__ import annotations

import typer

from majal.registry.cli import households, targeting
from majal.registry.matching import cli as matching_cli

app = typer.Typer(
    help="Social registry: synthetic populations, the socio-economic index (PMT), eligibility and ASD amounts.",
    no_args_is_help=True,
)

app.command("synth")(targeting.synth_command)
app.command("fit")(targeting.fit_command)
app.command("score")(targeting.score_command)
app.command("evaluate")(targeting.evaluate_command)
app.command("entitlement")(households.entitlement_command)
app.command("import")(households.import_command)
app.add_typer(households.survey_app, name="survey")
app.command("sql")(targeting.sql_command)
app.command("dedup")(matching_cli.dedup_command)
app.command("synth-persons")(matching_cli.synth_persons_command)
app.add_typer(matching_cli.lists_app, name="lists")
app.command("match")(matching_cli.match_command)
