"""The import format: households and members, checked and prepared for the engines.

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

The registry reads its households back from the database in this same format, so a stored household goes through the
code that checks a file. Modules: `columns` (the vocabulary and the columns of each table), `errors`, `checks` (the
coercion of each column), `population` (`prepare`) and `files` (folders of Parquet or CSV files, JSON records).
"""

from majal.registry.pmt.data.checks import coerce
from majal.registry.pmt.data.columns import (
    CONSUMPTION_COLUMNS,
    DWELLINGS,
    EARLIEST_BIRTH_DATE,
    EDUCATION,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_FIELDS,
    MARITAL_STATUSES,
    MEMBER_COLUMNS,
    MEMBER_FIELDS,
    MILIEUX,
    OCCUPATIONS,
    REFERENCE_REGION,
    REGIONS,
    RELATIONS,
    SCHOOLING,
    SEXES,
    Column,
)
from majal.registry.pmt.data.errors import (
    DuplicateHousehold,
    DuplicateMember,
    FutureBirthDate,
    HeadOfHouseholdError,
    InvalidIdentifier,
    InvalidValue,
    NegativeAmount,
    RegistryDataError,
    RegistryFileError,
    UnknownHousehold,
    UnknownRegion,
)
from majal.registry.pmt.data.files import (
    PopulationFiles,
    align_consumption,
    find_table,
    read_population,
    read_table,
    records_frame,
    write_table,
)
from majal.registry.pmt.data.population import Population, Sources, age_expression, prepare

__all__ = [
    "CONSUMPTION_COLUMNS",
    "DWELLINGS",
    "EARLIEST_BIRTH_DATE",
    "EDUCATION",
    "HOUSEHOLD_COLUMNS",
    "HOUSEHOLD_FIELDS",
    "MARITAL_STATUSES",
    "MEMBER_COLUMNS",
    "MEMBER_FIELDS",
    "MILIEUX",
    "OCCUPATIONS",
    "REFERENCE_REGION",
    "REGIONS",
    "RELATIONS",
    "SCHOOLING",
    "SEXES",
    "Column",
    "DuplicateHousehold",
    "DuplicateMember",
    "FutureBirthDate",
    "HeadOfHouseholdError",
    "InvalidIdentifier",
    "InvalidValue",
    "NegativeAmount",
    "Population",
    "PopulationFiles",
    "RegistryDataError",
    "RegistryFileError",
    "Sources",
    "UnknownHousehold",
    "UnknownRegion",
    "age_expression",
    "align_consumption",
    "coerce",
    "find_table",
    "prepare",
    "read_population",
    "read_table",
    "records_frame",
    "write_table",
]
