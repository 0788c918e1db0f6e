"""The import format: every bad record is refused with its file, row and field, and valid tables are prepared."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from majal.kit import i18n
from majal.registry.pmt import data
from tests.registry.builders import child, frames, household, member, population

AS_OF = date(2025, 12, 31)


def two_households() -> tuple[list[dict], list[dict]]:
    households = [household(household_id=7), household(household_id=3, milieu="rural", region="MA-08")]
    members = [
        member(household_id=7, idcs="1111111111"),
        member(household_id=3, idcs="2222222222", sex="F", marital_status="widowed"),
        child(7, date(2015, 3, 1), idcs="3333333333"),
        child(3, date(2012, 9, 9), idcs="4444444444"),
    ]
    return households, members


def refused(households: list[dict], members: list[dict]) -> data.RegistryDataError:
    hh, mm = frames(households, members)
    with pytest.raises(data.RegistryDataError) as caught:
        data.prepare(hh, mm, as_of=AS_OF)
    return caught.value


def test_a_valid_population_is_sorted_and_aged() -> None:
    households, members = two_households()
    pop = population(households, members, AS_OF)
    assert pop.households.get_column("household_id").to_list() == [3, 7]
    assert pop.members.get_column("household_id").to_list() == [3, 3, 7, 7]
    assert pop.starts.tolist() == [0, 2]
    # born 1980-06-15 → 45 on 2025-12-31; born 2015-03-01 → 10; born 2012-09-09 → 13
    assert pop.members.get_column("age").to_list() == [45, 13, 45, 10]


def test_age_counts_full_years_and_29_february() -> None:
    households = [household()]
    members = [member(birth_date=date(2000, 2, 29))]
    assert population(households, members, date(2025, 2, 28)).members["age"][0] == 24
    assert population(households, members, date(2025, 3, 1)).members["age"][0] == 25
    assert population(households, members, date(2024, 2, 29)).members["age"][0] == 24


@pytest.mark.parametrize("idcs", ["12345", "12345678901", "12345a7890", " 123456789", "+123456789"])
def test_an_idcs_is_exactly_ten_digits(idcs: str) -> None:
    households, members = two_households()
    members[2]["idcs"] = idcs
    error = refused(households, members)
    assert isinstance(error, data.InvalidIdentifier)
    assert (error.source, error.row, error.field) == ("members", 3, "idcs")
    assert idcs.strip() not in str(error)  # identifiers are never echoed


def test_a_member_in_two_households_is_refused() -> None:
    households, members = two_households()
    members[3]["idcs"] = "1111111111"  # already the head of household 7
    error = refused(households, members)
    assert isinstance(error, data.DuplicateMember)
    assert (error.row, error.field) == (4, "idcs")
    assert "household 7 (row 1)" in str(error)


def test_a_member_listed_twice_in_one_household_is_refused() -> None:
    households, members = two_households()
    members[2]["idcs"] = "1111111111"
    error = refused(households, members)
    assert isinstance(error, data.DuplicateMember)
    assert error.row == 3 and "same household, at row 1" in str(error)


def test_a_birth_date_in_the_future_is_refused() -> None:
    households, members = two_households()
    members[3]["birth_date"] = date(2026, 1, 1)
    error = refused(households, members)
    assert isinstance(error, data.FutureBirthDate)
    assert (error.row, error.field) == (4, "birth_date")
    assert "2026-01-01 is after the reference date 2025-12-31" in str(error)


def test_negative_spending_is_refused() -> None:
    households, members = two_households()
    households[1]["spend_telecom"] = -10.0
    error = refused(households, members)
    assert isinstance(error, data.NegativeAmount)
    assert (error.source, error.row, error.field) == ("households", 2, "spend_telecom")


def test_an_unknown_region_is_refused() -> None:
    households, members = two_households()
    hh, mm = frames(households, members)
    hh = hh.with_columns(pl.col("region").cast(pl.String)).with_columns(
        region=pl.when(pl.col("household_id") == 3).then(pl.lit("MA-13")).otherwise(pl.col("region")))
    with pytest.raises(data.UnknownRegion) as caught:
        data.prepare(hh, mm, as_of=AS_OF)
    assert (caught.value.row, caught.value.field) == (2, "region")
    assert "“MA-13”" in str(caught.value) and "MA-08" in str(caught.value)


def test_a_household_with_no_head_is_refused() -> None:
    households, members = two_households()
    members[1]["relation"] = "spouse"
    error = refused(households, members)
    assert isinstance(error, data.HeadOfHouseholdError)
    assert (error.source, error.row, error.field) == ("households", 2, "household_id")
    assert "Household 3 has no head" in str(error)


def test_a_household_with_two_heads_is_refused() -> None:
    households, members = two_households()
    members[2]["relation"] = "head"
    error = refused(households, members)
    assert isinstance(error, data.HeadOfHouseholdError)
    assert "Household 7 has 2 heads" in str(error) and error.row == 1


def test_a_household_without_members_is_refused() -> None:
    households, members = two_households()
    households.append(household(household_id=9))
    error = refused(households, members)
    assert isinstance(error, data.HeadOfHouseholdError)
    assert error.row == 3 and "no members" in str(error)


def test_a_member_of_an_unknown_household_is_refused() -> None:
    households, members = two_households()
    members.append(member(household_id=5))
    error = refused(households, members)
    assert isinstance(error, data.UnknownHousehold)
    assert (error.source, error.row, error.field) == ("members", 5, "household_id")


def test_a_household_listed_twice_is_refused() -> None:
    households, members = two_households()
    households.append(household(household_id=7))
    error = refused(households, members)
    assert isinstance(error, data.DuplicateHousehold)
    assert error.row == 3 and "already listed at row 1" in str(error)


def test_csv_values_are_checked_with_their_row(tmp_path: Path) -> None:
    households, members = two_households()
    hh, mm = frames(households, members)
    hh.write_csv(tmp_path / "households.csv")
    mm.write_csv(tmp_path / "members.csv")
    files = data.read_population(tmp_path)
    assert files.sources.households == "households.csv"
    pop = data.prepare(files.households, files.members, as_of=AS_OF, sources=files.sources)
    assert pop.members.get_column("idcs").to_list() == ["2222222222", "4444444444", "1111111111", "3333333333"]

    text = (tmp_path / "households.csv").read_text().replace(",3,modern_house", ",three,modern_house", 1)
    (tmp_path / "households.csv").write_text(text)
    files = data.read_population(tmp_path)
    with pytest.raises(data.InvalidValue) as caught:
        data.prepare(files.households, files.members, as_of=AS_OF, sources=files.sources)
    assert str(caught.value) == "households.csv, row 1, field rooms: “three” is not a whole number."


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("owner", "maybe", "“maybe” is not true or false."),
        ("land_ha", "nan", "“nan” is not a number."),
        ("dwelling", "castle", "Unknown value “castle”"),
        ("rooms", "0", "“0” is too small; it must be at least 1."),
        ("household_id", "-4", "“-4” is not a whole number above 0."),
        ("milieu", None, "This field is empty."),
        ("commune", "BER\x00KANE", "The text may not hold the NUL character (U+0000)"),
        ("dwelling", "villa\x00", "The text may not hold the NUL character (U+0000)"),
    ],
)
def test_each_kind_of_bad_value_is_named(column: str, value: str | None, message: str) -> None:
    households, members = two_households()
    hh, mm = frames(households, members)
    hh = hh.with_columns(pl.all().cast(pl.String)).with_columns(
        pl.when(pl.col("household_id") == "3").then(pl.lit(value)).otherwise(pl.col(column)).alias(column))
    with pytest.raises(data.InvalidValue) as caught:
        data.prepare(hh, mm, as_of=AS_OF)
    assert message in str(caught.value)
    assert (caught.value.row, caught.value.field) == (2, column)


def test_a_missing_column_is_named() -> None:
    households, members = two_households()
    hh, mm = frames(households, members)
    with pytest.raises(data.InvalidValue) as caught:
        data.prepare(hh.drop("spend_butane"), mm, as_of=AS_OF)
    assert str(caught.value) == "households, field spend_butane: This column is missing."


def test_a_folder_without_the_tables_is_refused(tmp_path: Path) -> None:
    with pytest.raises(data.RegistryFileError) as caught:
        data.read_population(tmp_path)
    assert "households.parquet" in str(caught.value)


def test_the_location_is_translated() -> None:
    households, members = two_households()
    members[3]["birth_date"] = date(2026, 1, 1)
    error = refused(households, members)
    with i18n.language("fr"):
        text = error.translated()
    assert text.startswith("members, ligne 4, champ birth_date")
