"""`majal lighting import|export|programme|assign|energy`."""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from majal.kit.cli import console, fail, settings, unit_of_work
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.lighting import formats, programmes, service

app = typer.Typer(help="Public lighting: inventory, dimming programmes, energy.", no_args_is_help=True)


class LayerChoice(StrEnum):
    streetlights = "streetlights"
    cabinets = "cabinets"


class ExportFormat(StrEnum):
    csv = "csv"
    geojson = "geojson"
    ngsi_ld = "ngsi-ld"


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A CSV file, or a GeoJSON FeatureCollection of points")],
    layer: Annotated[LayerChoice, typer.Option(help="streetlights or cabinets")] = LayerChoice.streetlights,
) -> None:
    """Add or update cabinets or streetlights; the whole file is checked before anything is written."""
    if not file.is_file():
        raise fail(MajalError(N_("No such file: %(path)s"), where="FILE", path=str(file)))
    try:
        formats.check_size(file.stat().st_size)
    except MajalError as refused:
        raise fail(refused) from None
    with unit_of_work() as db:
        result = service.import_inventory(db, file.read_bytes(), layer.value, actor="cli")
    console.print(f"{result.layer}: {result.created} created, {result.updated} updated.")


@app.command("export")
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, geojson or ngsi-ld")] = ExportFormat.csv,
    layer: Annotated[LayerChoice, typer.Option(help="streetlights or cabinets (csv and geojson)")] = (
        LayerChoice.streetlights),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (stdout when unset)")] = None,
) -> None:
    """Write the inventory as CSV or GeoJSON, or both layers as NGSI-LD entities (normalized form)."""
    with unit_of_work() as db:
        if format is ExportFormat.ngsi_ld:
            text = service.ngsi_export(db)
        else:
            text = service.export_inventory(db, layer.value, format.value)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        console.print(f"Written to {output}")


@app.command("programme")
def programme(
    code: Annotated[str, typer.Argument(help="The programme's code, e.g. NIGHT50")],
    steps: Annotated[str, typer.Argument(help='Steps, e.g. "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100"')],
    name: Annotated[str, typer.Option(help="A name people recognise")] = "",
) -> None:
    """Create or change a dimming programme; it is checked on every night of the year before it is stored."""
    with unit_of_work() as db:
        saved = service.save_programme(db, code, name, programmes.parse_text(steps), actor="cli")
        console.print(f"{saved.code}: {programmes.to_text(programmes.from_json(saved.steps))}")


@app.command("assign")
def assign(
    cabinet: Annotated[str, typer.Argument(help="Cabinet code")],
    programme_code: Annotated[str, typer.Argument(metavar="PROGRAMME", help="Programme code")],
) -> None:
    """Run a dimming programme on every lamp of a cabinet."""
    with unit_of_work() as db:
        service.assign_programme(db, cabinet, programme_code, actor="cli")
    console.print(f"{cabinet} → {programme_code}")


class EnergyGroup(StrEnum):
    commune = "commune"
    district = "district"
    cabinet = "cabinet"
    lamp = "lamp"


@app.command("energy")
def energy_(
    year: Annotated[int, typer.Option(help="Calendar year", min=2000, max=2100)] = date.today().year,
    by: Annotated[EnergyGroup, typer.Option(help="commune (a table), or a CSV per district, cabinet or lamp")] = (
        EnergyGroup.commune),
    output: Annotated[Path | None, typer.Option("--output", "-o", help="CSV file (stdout when unset)")] = None,
) -> None:
    """Energy, cost and CO₂ month by month: for the whole commune, or as CSV per district, cabinet or lamp."""
    config = settings()
    with unit_of_work() as db:
        if by is not EnergyGroup.commune:
            header, rows = service.energy_table(db, year, by.value, config.lighting_tariff_mad_per_kwh)
            _write_csv(header, rows, output)
            return
        report = service.energy_report(db, year, config.lighting_tariff_mad_per_kwh, config.lighting_co2_kg_per_kwh)
    table = Table("month", "kWh", "MAD", "t CO2", title=f"Public lighting {year}: {report.lamp_count} lamps")
    for month in range(12):
        table.add_row(str(month + 1), f"{report.monthly.kwh[month]:,.0f}", f"{report.monthly.mad[month]:,.0f}",
                      f"{report.monthly.co2_t[month]:,.1f}")
    table.add_row("total", f"{report.total_kwh:,.0f}", f"{report.total_mad:,.0f}", f"{report.total_co2_t:,.1f}")
    console.print(table)


@app.command("join-reports")
def join_reports() -> None:
    """Join open citizen reports about lighting to the work order of the lamp within 25 m (opening one if needed)."""
    with unit_of_work() as db:
        result = service.join_citizen_reports(db, actor="cli")
    console.print(f"{result.joined} reports joined to open work orders, {result.opened} work orders opened.")


def _write_csv(header: list[str], rows: list[list[object]], output: Path | None) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    if output is None:
        sys.stdout.write(buffer.getvalue())
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")
        console.print(f"{len(rows)} rows written to {output}")
