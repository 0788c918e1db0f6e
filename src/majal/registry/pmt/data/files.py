"""Population folders: tables read from Parquet or CSV files, written back, or built from JSON records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from majal.kit.i18n import N_
from majal.registry.pmt.data.checks import coerce, first_true, shown
from majal.registry.pmt.data.columns import CONSUMPTION_COLUMNS, Column
from majal.registry.pmt.data.errors import DuplicateHousehold, InvalidValue, RegistryFileError
from majal.registry.pmt.data.population import Population, Sources


def find_table(directory: Path, name: str, *, required: bool = True) -> Path | None:
    """`<name>.parquet`, else `<name>.csv`, in `directory`."""
    for suffix in (".parquet", ".csv"):
        path = directory / f"{name}{suffix}"
        if path.is_file():
            return path
    if required:
        raise RegistryFileError(N_("Neither %(name)s.parquet nor %(name)s.csv is in this folder."),
                                where=str(directory), name=name)
    return None


def read_table(path: Path) -> pl.DataFrame:
    """A Parquet file as typed, a CSV file as text (the coercion then says which value is wrong, and where)."""
    try:
        if path.suffix == ".parquet":
            return pl.read_parquet(path)
        if path.suffix == ".csv":
            return pl.read_csv(path, infer_schema=False, encoding="utf8")
    except (OSError, pl.exceptions.PolarsError) as error:
        raise RegistryFileError(N_("This file cannot be read: %(reason)s"), where=str(path),
                                reason=shown(str(error).splitlines()[0] if str(error) else type(error).__name__)
                                ) from None
    raise RegistryFileError(N_("Expected a .parquet or .csv file."), where=str(path))


@dataclass(frozen=True)
class PopulationFiles:
    households: pl.DataFrame
    members: pl.DataFrame
    consumption: pl.DataFrame | None
    sources: Sources


def read_population(directory: Path, *, consumption: bool = False) -> PopulationFiles:
    """The households and members tables of a folder (and its consumption table, required when `consumption`)."""
    if directory.is_file():  # the households file of a population was named: read its folder
        directory = directory.parent
    if not directory.is_dir():
        raise RegistryFileError(N_("No such folder."), where=str(directory))
    hh_path = find_table(directory, "households")
    m_path = find_table(directory, "members")
    c_path = find_table(directory, "consumption", required=consumption)
    assert hh_path is not None and m_path is not None
    survey = None
    if c_path is not None:
        survey = coerce(read_table(c_path), CONSUMPTION_COLUMNS, c_path.name)
        low = first_true(survey.get_column("consumption_pc") <= 0)
        if low is not None:
            raise InvalidValue(N_("Consumption must be more than 0."), source=c_path.name, row=low + 1,
                               field="consumption_pc")
    sources = Sources(hh_path.name, m_path.name, c_path.name if c_path else "consumption")
    return PopulationFiles(read_table(hh_path), read_table(m_path), survey, sources)


def align_consumption(population: Population, consumption: pl.DataFrame, source: str = "consumption") -> np.ndarray:
    """Consumption per person for each household of the population, in its order; every household must have one."""
    ids = consumption.get_column("household_id").to_numpy()
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    repeated = np.flatnonzero(ids[1:] == ids[:-1])
    if len(repeated):
        raise DuplicateHousehold(N_("Household %(household)s is already listed at row %(other_row)s."),
                                 source=source, row=int(max(order[repeated[0]], order[repeated[0] + 1])) + 1,
                                 field="household_id", household=int(ids[repeated[0]]),
                                 other_row=int(min(order[repeated[0]], order[repeated[0] + 1])) + 1)
    wanted = population.households.get_column("household_id").to_numpy()
    position = np.minimum(np.searchsorted(ids, wanted), max(len(ids) - 1, 0))
    missing = np.flatnonzero((ids[position] != wanted) if len(ids) else np.ones(len(wanted), bool))
    if len(missing):
        raise InvalidValue(N_("Household %(household)s has no consumption figure."), source=source, row=None,
                           field="household_id", household=int(wanted[missing[0]]))
    values: np.ndarray = consumption.get_column("consumption_pc").to_numpy()[order][position]
    return values


def write_table(frame: pl.DataFrame, directory: Path, name: str, formats: Sequence[str]) -> list[Path]:
    written = []
    for fmt in formats:
        path = directory / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path, compression="zstd", statistics=True)
        else:
            frame.write_csv(path, date_format="%Y-%m-%d")
        written.append(path)
    return written


def records_frame(records: Sequence[dict[str, Any]], columns: Sequence[Column]) -> pl.DataFrame:
    """JSON records (one dict per row) as an all-text table, coerced later like a CSV file."""

    def text(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    names = [column.name for column in columns if any(column.name in record for record in records)]
    return pl.DataFrame(
        {name: pl.Series(name, [text(record.get(name)) for record in records], dtype=pl.String) for name in names}
    )
