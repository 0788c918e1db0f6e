"""The registry's import format: households and members, checked and prepared for the engines.

A population is two tables, each a Parquet file or a UTF-8 CSV file with a header line (`households.parquet` or
`households.csv`, `members.parquet` or `members.csv`; when both exist the Parquet file is read). Extra columns are
ignored. A survey adds a third table, `consumption`, with the true consumption the index is fitted on and evaluated
against. `majal registry synth` writes all three in this format.

households (one row per household)

    household_id             whole number > 0, unique
    milieu                   urban | rural
    region                   MA-01 … MA-12, the ISO 3166-2:MA code of the region (see `REGIONS`)
    commune, district        text, optional
    rooms                    whole number ≥ 1: rooms used for living (kitchen and bathroom excluded)
    dwelling                 villa | apartment | modern_house | traditional_house | rudimentary | rural_house | other
    owner                    boolean: the household owns its dwelling
    electricity, piped_water, sewer, toilet, bathroom, kitchen
                             booleans: connected to the grid, tap water inside, public sewer, flush toilet, shower or
                             bath, separate kitchen
    phones, cars, motorcycles, cows
                             whole numbers ≥ 0 (mobile phones; head of cattle)
    laptop, fridge, washing_machine, internet
                             booleans (internet: a home subscription)
    land_ha                  number ≥ 0: agricultural land, hectares
    spend_butane, spend_water_electricity, spend_telecom
                             numbers ≥ 0: the household's annual spending, MAD

members (one row per person)

    household_id             the household the person lives in
    idcs                     text of exactly 10 digits: civil and social digital identifier (text: leading zeros count)
    sex                      F | M
    birth_date               date, YYYY-MM-DD
    relation                 head | spouse | child | grandchild | parent | other_relative | non_relative (to the
                             head; exactly one head per household)
    education                none | primary | secondary | higher: highest level attended
    diploma                  boolean: holds a diploma (primary certificate or above)
    schooling                none | public | private: school or university attended now
    occupation               employee | self_employed | employer | labourer | farmer | unemployed | student |
                             homemaker | retired | inactive
    disability               boolean
    marital_status           single | married | widowed | divorced
    pension                  boolean: receives a pension

consumption (surveys only): `household_id`, `consumption_pc` (annual consumption per person, MAD, > 0).

Booleans are `true`/`false` (or `1`/`0`) in CSV. Bad input is refused as a whole with the file, the row (row 1 is the
first record, line 2 of a CSV file) and the field; nothing is returned half-checked. Every check is vectorised: a
population of 5 million households is checked in seconds.

`prepare()` returns a `Population`: households sorted by `household_id`, members sorted by household (stable, so their
order within a household is kept) with their `age` at the reference date, the offset of each household's members and
the row of its head, so that the engines sum member values per household with `numpy.add.reduceat` and read the head's
with a gather, instead of a hash group-by.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_, gettext
from majal.kit.validation import NUL_REFUSED

REGIONS: dict[str, str] = {
    "MA-01": "Tanger-Tétouan-Al Hoceïma",
    "MA-02": "L'Oriental",
    "MA-03": "Fès-Meknès",
    "MA-04": "Rabat-Salé-Kénitra",
    "MA-05": "Béni Mellal-Khénifra",
    "MA-06": "Casablanca-Settat",
    "MA-07": "Marrakech-Safi",
    "MA-08": "Drâa-Tafilalet",
    "MA-09": "Souss-Massa",
    "MA-10": "Guelmim-Oued Noun",
    "MA-11": "Laâyoune-Sakia El Hamra",
    "MA-12": "Dakhla-Oued Ed-Dahab",
}
REFERENCE_REGION = "MA-08"  # Drâa-Tafilalet: its region effect is 0 by construction
MILIEUX = ("urban", "rural")
DWELLINGS = ("villa", "apartment", "modern_house", "traditional_house", "rudimentary", "rural_house", "other")
SEXES = ("F", "M")
RELATIONS = ("head", "spouse", "child", "grandchild", "parent", "other_relative", "non_relative")
EDUCATION = ("none", "primary", "secondary", "higher")
SCHOOLING = ("none", "public", "private")
OCCUPATIONS = (
    "employee", "self_employed", "employer", "labourer", "farmer", "unemployed", "student", "homemaker", "retired",
    "inactive",
)
MARITAL_STATUSES = ("single", "married", "widowed", "divorced")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # id, idcs, enum, bool, count, amount, date, text
    values: tuple[str, ...] = ()
    required: bool = True
    minimum: int = 0

    @property
    def dtype(self) -> pl.DataType:
        return {
            "id": pl.Int64(), "idcs": pl.String(), "enum": pl.Enum(list(self.values)), "bool": pl.Boolean(),
            "count": pl.Int32(), "amount": pl.Float64(), "date": pl.Date(), "text": pl.String(),
        }[self.kind]


def _flags(*names: str) -> list[Column]:
    return [Column(name, "bool") for name in names]


def _counts(*names: str) -> list[Column]:
    return [Column(name, "count") for name in names]


HOUSEHOLD_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "id"),
    Column("milieu", "enum", MILIEUX),
    Column("region", "enum", tuple(REGIONS)),
    Column("commune", "text", required=False),
    Column("district", "text", required=False),
    Column("rooms", "count", minimum=1),
    Column("dwelling", "enum", DWELLINGS),
    *_flags("owner", "electricity", "piped_water", "sewer", "toilet", "bathroom", "kitchen"),
    *_counts("phones", "cars", "motorcycles", "cows"),
    *_flags("laptop", "fridge", "washing_machine", "internet"),
    Column("land_ha", "amount"),
    Column("spend_butane", "amount"),
    Column("spend_water_electricity", "amount"),
    Column("spend_telecom", "amount"),
)
MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("household_id", "id"),
    Column("idcs", "idcs"),
    Column("sex", "enum", SEXES),
    Column("birth_date", "date"),
    Column("relation", "enum", RELATIONS),
    Column("education", "enum", EDUCATION),
    Column("diploma", "bool"),
    Column("schooling", "enum", SCHOOLING),
    Column("occupation", "enum", OCCUPATIONS),
    Column("disability", "bool"),
    Column("marital_status", "enum", MARITAL_STATUSES),
    Column("pension", "bool"),
)
CONSUMPTION_COLUMNS: tuple[Column, ...] = (Column("household_id", "id"), Column("consumption_pc", "amount"))
# What the engines may read from each table (the model file's derivations are checked against these).
HOUSEHOLD_FIELDS = {column.name: column for column in HOUSEHOLD_COLUMNS}
MEMBER_FIELDS = {column.name: column for column in MEMBER_COLUMNS} | {"age": Column("age", "count")}


class RegistryDataError(MajalError):
    """A bad household or member record: says which file, which row (1 = first record) and which field."""

    code = "invalid_registry_data"

    def __init__(self, message: str, *, source: str, row: int | None, field: str, **params: Any):
        super().__init__(message, **params)
        self.source, self.row, self.field = source, row, field

    def translated(self) -> str:
        detail = gettext(self.message, **self.params)
        if self.row is None:
            return gettext("%(source)s, field %(field)s: %(detail)s", source=self.source, field=self.field,
                           detail=detail)
        return gettext("%(source)s, row %(row)s, field %(field)s: %(detail)s", source=self.source, row=self.row,
                       field=self.field, detail=detail)

    def __str__(self) -> str:
        detail = self.message % self.params if self.params else self.message
        place = self.source if self.row is None else f"{self.source}, row {self.row}"
        return f"{place}, field {self.field}: {detail}"


class InvalidValue(RegistryDataError):
    """A value of the wrong type, outside its list, or missing."""


class UnknownRegion(InvalidValue):
    """A region code that is not one of Morocco's 12 regions."""


class NegativeAmount(InvalidValue):
    """A count or an amount of money below zero."""


class InvalidIdentifier(RegistryDataError):
    """An IDCS that is not exactly 10 digits."""


class FutureBirthDate(RegistryDataError):
    """A birth date after the reference date."""


class DuplicateHousehold(RegistryDataError):
    """The same household_id twice in the households table."""


class DuplicateMember(RegistryDataError):
    """The same IDCS twice: in two households, or twice in one."""


class UnknownHousehold(RegistryDataError):
    """A member of a household that is not in the households table."""


class HeadOfHouseholdError(RegistryDataError):
    """A household without exactly one head."""


class RegistryFileError(MajalError):
    """A population file that is missing or cannot be read."""

    code = "invalid_registry_file"


@dataclass(frozen=True)
class Sources:
    """How the tables are named in error messages (file names when read from files)."""

    households: str = "households"
    members: str = "members"
    consumption: str = "consumption"


@dataclass(frozen=True, eq=False)
class Population:
    """Checked households and members; see the module docstring."""

    households: pl.DataFrame  # HOUSEHOLD_COLUMNS, sorted by household_id
    members: pl.DataFrame  # MEMBER_COLUMNS + age (Int16), sorted by household_id
    starts: np.ndarray  # starts[i] = first member row of household i; every household has at least one member
    heads: np.ndarray  # heads[i] = member row of the head of household i
    as_of: date

    def __len__(self) -> int:
        return self.households.height

    def sum_by_household(self, values: np.ndarray) -> np.ndarray:
        """Per-household sums of a member-level numeric array (one value per member row)."""
        if values.dtype == np.bool_:
            values = values.astype(np.int32)
        return np.add.reduceat(values, self.starts) if len(values) else np.zeros(0, values.dtype)


# --- coercion ------------------------------------------------------------------------------------------------------


def _first(mask: pl.Series) -> int | None:
    """Index of the first True of a boolean series (nulls count as False)."""
    mask = mask.fill_null(value=False)
    return int(mask.arg_true()[0]) if mask.any() else None


def _shown(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _null_where(series: pl.Series, mask: pl.Series) -> pl.Series:
    """`series` with nulls where `mask` is true."""
    return series.zip_with(mask.fill_null(value=False).not_(), pl.repeat(None, len(series), dtype=series.dtype,
                                                                         eager=True))


_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


def _convert(series: pl.Series, column: Column) -> pl.Series:
    """Cast a column to its type; values that do not convert become null (and are reported by the caller)."""
    target = column.dtype
    if series.dtype == target:
        return series
    kind, dtype = column.kind, series.dtype
    if kind in ("id", "count"):
        if dtype == pl.String:
            series = series.str.strip_chars()
        if dtype.is_float():
            series = _null_where(series, series.is_finite().not_() | (series != series.round()))
        return series.cast(pl.Int64, strict=False).cast(target, strict=False)
    if kind == "amount":
        if dtype == pl.String:
            series = series.str.strip_chars()
        converted = series.cast(pl.Float64, strict=False)
        return _null_where(converted, converted.is_finite().not_())
    if kind == "bool":
        if dtype.is_integer():
            return series.cast(pl.Int64).replace_strict({1: True, 0: False}, default=None, return_dtype=pl.Boolean)
        text = series.cast(pl.String).str.strip_chars().str.to_lowercase()
        mapping = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
        return text.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    if kind == "enum":
        return series.cast(pl.String).str.strip_chars().cast(target, strict=False)
    if kind == "date":
        if dtype == pl.Datetime:
            return series.dt.date()
        return series.cast(pl.String).str.strip_chars().str.to_date("%Y-%m-%d", strict=False)
    return series.cast(pl.String)


_BAD_VALUE = {
    "id": N_("“%(value)s” is not a whole number."),
    "count": N_("“%(value)s” is not a whole number."),
    "amount": N_("“%(value)s” is not a number."),
    "bool": N_("“%(value)s” is not true or false."),
    "date": N_("“%(value)s” is not a date written YYYY-MM-DD."),
    "text": N_("“%(value)s” is not text."),
    "idcs": N_("“%(value)s” is not text."),
}


def coerce(frame: pl.DataFrame, columns: Sequence[Column], source: str) -> pl.DataFrame:
    """The table with exactly `columns`, typed; the first bad value raises a `RegistryDataError` (row and field)."""
    for column in columns:
        if column.required and column.name not in frame.columns:
            raise InvalidValue(N_("This column is missing."), source=source, row=None, field=column.name)
    out: dict[str, pl.Series] = {}
    for column in columns:
        if column.name not in frame.columns:
            out[column.name] = pl.repeat(None, frame.height, dtype=column.dtype, eager=True).alias(column.name)
            continue
        raw = frame.get_column(column.name)
        nul = _first(raw.str.contains("\x00", literal=True)) if raw.dtype == pl.String else None
        if nul is not None:
            raise InvalidValue(NUL_REFUSED, source=source, row=nul + 1, field=column.name)
        converted = _convert(raw, column)
        # null_count() is free: the value-by-value search only runs when something is wrong
        bad = _first(converted.is_null() & raw.is_not_null()) if converted.null_count() > raw.null_count() else None
        if bad is not None:
            value = _shown(raw[bad])
            if column.kind == "enum":
                error = UnknownRegion if column.name == "region" else InvalidValue
                raise error(N_("Unknown value “%(value)s”; expected one of: %(expected)s."), source=source,
                            row=bad + 1, field=column.name, value=value, expected=", ".join(column.values))
            if column.kind == "idcs":
                raise InvalidIdentifier(N_("An IDCS is exactly 10 digits."), source=source, row=bad + 1,
                                        field=column.name)
            raise InvalidValue(_BAD_VALUE[column.kind], source=source, row=bad + 1, field=column.name, value=value)
        if column.required and converted.null_count():
            empty = _first(converted.is_null())
            if empty is not None:
                raise InvalidValue(N_("This field is empty."), source=source, row=empty + 1, field=column.name)
        _check_range(converted, column, source)
        out[column.name] = converted.alias(column.name)
    return pl.DataFrame(out)


def _check_range(series: pl.Series, column: Column, source: str) -> None:
    if column.kind in ("count", "amount"):
        negative = _first(series < 0)
        if negative is not None:
            raise NegativeAmount(N_("“%(value)s” is negative; it must be 0 or more."), source=source,
                                 row=negative + 1, field=column.name, value=_shown(series[negative]))
        if column.minimum > 0:
            low = _first(series < column.minimum)
            if low is not None:
                raise InvalidValue(N_("“%(value)s” is too small; it must be at least %(minimum)s."), source=source,
                                   row=low + 1, field=column.name, value=_shown(series[low]), minimum=column.minimum)
    elif column.kind == "id":
        low = _first(series <= 0)
        if low is not None:
            raise InvalidValue(N_("“%(value)s” is not a whole number above 0."), source=source, row=low + 1,
                               field=column.name, value=_shown(series[low]))
    elif column.kind == "idcs":
        # Exactly ten ASCII digits. The value itself is never echoed: it may be someone's real identifier.
        bad = _first(~series.str.contains(r"^[0-9]{10}$"))
        if bad is not None:
            raise InvalidIdentifier(N_("An IDCS is exactly 10 digits."), source=source, row=bad + 1, field=column.name)


# --- the population ------------------------------------------------------------------------------------------------


def age_expression(as_of: date, birth_date: str = "birth_date") -> pl.Expr:
    """Full years at `as_of` (someone born on 29 February has a birthday on 1 March in common years)."""
    born = pl.col(birth_date)
    later_in_year = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    return (as_of.year - born.dt.year().cast(pl.Int32) - later_in_year.cast(pl.Int32)).cast(pl.Int16)


def _sort_order(ids: np.ndarray) -> np.ndarray | None:
    """A stable order sorting `ids`, or None when they are sorted already."""
    if len(ids) < 2 or bool(np.all(ids[1:] >= ids[:-1])):
        return None
    return np.argsort(ids, kind="stable")


def _row(order: np.ndarray | None, position: int) -> int:
    """The 1-based row, in the table as given, of the record now at `position`."""
    return (int(order[position]) if order is not None else position) + 1


def prepare(
    households: pl.DataFrame, members: pl.DataFrame, *, as_of: date, sources: Sources | None = None
) -> Population:
    """Check the tables (see the module docstring) and prepare them for the engines."""
    sources = sources or Sources()
    hh = coerce(households, HOUSEHOLD_COLUMNS, sources.households)
    mm = coerce(members, MEMBER_COLUMNS, sources.members)

    future = _first(mm.get_column("birth_date") > as_of)
    if future is not None:
        raise FutureBirthDate(N_("The birth date %(value)s is after the reference date %(as_of)s."),
                              source=sources.members, row=future + 1, field="birth_date",
                              value=str(mm.get_column("birth_date")[future]), as_of=as_of.isoformat())
    ancient = _first(mm.get_column("birth_date") < EARLIEST_BIRTH_DATE)
    if ancient is not None:
        raise InvalidValue(N_("The birth date %(value)s is before %(earliest)s."), source=sources.members,
                           row=ancient + 1, field="birth_date", value=str(mm.get_column("birth_date")[ancient]),
                           earliest=EARLIEST_BIRTH_DATE.isoformat())

    hh_ids = hh.get_column("household_id").to_numpy()
    hh_order = _sort_order(hh_ids)
    if hh_order is not None:
        hh_ids = hh_ids[hh_order]
    repeated = np.flatnonzero(hh_ids[1:] == hh_ids[:-1])
    if len(repeated):
        k = int(repeated[0])
        first, second = sorted((_row(hh_order, k), _row(hh_order, k + 1)))
        raise DuplicateHousehold(N_("Household %(household)s is already listed at row %(other_row)s."),
                                 source=sources.households, row=second, field="household_id",
                                 household=int(hh_ids[k]), other_row=first)

    _check_unique_members(mm, sources)

    m_ids = mm.get_column("household_id").to_numpy()
    m_order = _sort_order(m_ids)
    if m_order is not None:
        m_ids = m_ids[m_order]
    if len(m_ids):
        starts = np.concatenate(([0], np.flatnonzero(m_ids[1:] != m_ids[:-1]) + 1)).astype(np.int64)
    else:
        starts = np.zeros(0, np.int64)
    present = m_ids[starts]
    if len(present) != len(hh_ids) or not np.array_equal(present, hh_ids):
        _explain_membership(hh_ids, hh_order, present, starts, m_order, sources)

    if hh_order is not None:
        hh = hh[hh_order]
    if m_order is not None:
        mm = mm[m_order]
    is_head = (mm.get_column("relation") == "head").to_numpy()
    if not np.array_equal(m_ids[is_head], hh_ids):  # one head per household, in order: else say which is wrong
        heads = np.add.reduceat(is_head.astype(np.int32), starts)
        wrong = np.flatnonzero(heads != 1)
        i = int(wrong[0])
        count = int(heads[i])
        message = (N_("Household %(household)s has no head (no member whose relation is “head”).") if count == 0
                   else N_("Household %(household)s has %(count)s heads; it must have exactly one."))
        raise HeadOfHouseholdError(message, source=sources.households, row=_row(hh_order, i), field="household_id",
                                   household=int(hh_ids[i]), count=count)
    mm = mm.with_columns(age=age_expression(as_of))
    return Population(households=hh, members=mm, starts=starts, heads=np.flatnonzero(is_head), as_of=as_of)


def _check_unique_members(members: pl.DataFrame, sources: Sources) -> None:
    """An IDCS may appear once in the whole population (a person lives in one household)."""
    if members.height < 2:
        return
    idcs = members.get_column("idcs").cast(pl.Int64).to_numpy()
    ordered = np.sort(idcs)
    if not bool(np.any(ordered[1:] == ordered[:-1])):
        return
    order = np.argsort(idcs, kind="stable")
    k = int(np.flatnonzero(idcs[order][1:] == idcs[order][:-1])[0])
    first, second = int(order[k]), int(order[k + 1])
    households = members.get_column("household_id")
    if households[first] == households[second]:
        raise DuplicateMember(N_("This IDCS is already listed in the same household, at row %(other_row)s."),
                              source=sources.members, row=second + 1, field="idcs", other_row=first + 1)
    raise DuplicateMember(
        N_("This person is already a member of household %(household)s (row %(other_row)s); a person belongs to "
           "one household."),
        source=sources.members, row=second + 1, field="idcs", household=int(households[first]), other_row=first + 1,
    )


def _explain_membership(
    hh_ids: np.ndarray, hh_order: np.ndarray | None, present: np.ndarray, starts: np.ndarray,
    m_order: np.ndarray | None, sources: Sources,
) -> None:
    """Members of unknown households, or households without members: say which, where."""
    position = np.searchsorted(hh_ids, present)
    known = (position < len(hh_ids)) & (hh_ids[np.minimum(position, max(len(hh_ids) - 1, 0))] == present) if len(
        hh_ids) else np.zeros(len(present), bool)
    unknown = np.flatnonzero(~known)
    if len(unknown):
        j = int(unknown[0])
        raise UnknownHousehold(N_("Household %(household)s is not in the households table."), source=sources.members,
                               row=_row(m_order, int(starts[j])), field="household_id", household=int(present[j]))
    empty = np.flatnonzero(~np.isin(hh_ids, present))
    i = int(empty[0])
    raise HeadOfHouseholdError(N_("Household %(household)s has no members, so no head."), source=sources.households,
                               row=_row(hh_order, i), field="household_id", household=int(hh_ids[i]))


# --- files ---------------------------------------------------------------------------------------------------------


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
                                reason=_shown(str(error).splitlines()[0] if str(error) else type(error).__name__)
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
        low = _first(survey.get_column("consumption_pc") <= 0)
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
