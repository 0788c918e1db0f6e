"""The vocabulary of the import format: Morocco's regions, the codes of each field, and the columns of each table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

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
