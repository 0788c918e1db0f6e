"""`majal territory import|export`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from majal.kit.cli import console, fail, unit_of_work
from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.territory import service
from majal.territory.formats import check_size

app = typer.Typer(help="The commune's territory: districts as GeoJSON or GeoPackage.", no_args_is_help=True)


class ExportFormat(StrEnum):
    geojson = "geojson"
    gpkg = "gpkg"


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="An RFC 7946 GeoJSON FeatureCollection of districts")],
) -> None:
    """Add or update districts from a GeoJSON file; the whole file is checked before anything is written."""
    data = _read_limited(file)
    with unit_of_work() as db:
        result = service.import_territory(db, data, actor="cli")
    console.print(f"{result.commune_code}: {result.created} districts created, {result.updated} updated.")


@app.command("export")
def export(
    format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="geojson or gpkg")
    ] = ExportFormat.geojson,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (GeoJSON: stdout when unset)")
    ] = None,
) -> None:
    """Write the commune's districts as GeoJSON (WGS84) or as a GeoPackage layer."""
    with unit_of_work() as db:
        if format is ExportFormat.gpkg:
            target = output or Path("territory.gpkg")
            count = service.export_geopackage(db, target)
            console.print(f"{count} districts written to {target}")
            return
        text = json.dumps(service.export_geojson(db), ensure_ascii=False)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


def _read_limited(file: Path) -> bytes:
    """Refuse missing and oversized files before reading them into memory."""
    if not file.is_file():
        raise fail(MajalError(N_("No such file: %(path)s"), where="FILE", path=str(file)))
    try:
        check_size(file.stat().st_size)
    except MajalError as refused:
        raise fail(refused) from None
    return file.read_bytes()
