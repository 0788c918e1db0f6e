"""The Spark SQL of the batch gives the Polars engine's answers, row for row (run on DuckDB here)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from majal.registry.pmt import batch, model_file, programmes, sql, synth

duckdb = pytest.importorskip("duckdb")


@pytest.fixture(scope="module")
def tables() -> tuple[pl.DataFrame, pl.DataFrame]:
    households, members = synth.generate_frames(1500, 21)
    return households, members


def connect(households: pl.DataFrame, members: pl.DataFrame):  # type: ignore[no-untyped-def]
    con = duckdb.connect()
    # Spark sees text columns, not Polars enums
    con.register("households", households.with_columns(pl.col(pl.Enum).cast(pl.String)).to_arrow())
    con.register("members", members.with_columns(pl.col(pl.Enum).cast(pl.String)).to_arrow())
    return con


@pytest.mark.parametrize("as_of", [date(2024, 1, 1), date(2025, 12, 31), date(2026, 11, 23)])
def test_sql_and_polars_agree(tables: tuple[pl.DataFrame, pl.DataFrame], as_of: date) -> None:
    households, members = tables
    model, rules = model_file.default_model(), programmes.default_rules()
    expected = batch.run(households, members, model=model, rules=rules, as_of=as_of, explain=0)
    query = sql.batch_sql(model.at(as_of), rules, as_of)
    got = connect(households, members).sql(query).pl()
    assert got.height == expected.height
    assert got["household_id"].to_list() == expected["household_id"].to_list()
    assert (got["score"] - expected["score"]).abs().max() < 1e-6
    near = (expected["score"] - 9.5).abs() < 1  # not a vacuous comparison: many households near the thresholds
    assert near.sum() > 500
    for column in ("amo_tadamon_eligible", "asd_eligible", "asd_monthly", "asd_birth_grant", "asd_children"):
        assert got[column].cast(pl.Float64).to_list() == expected[column].cast(pl.Float64).to_list(), column
    for column in ("model_version", "amo_tadamon_rule", "asd_rule", "asd_table"):
        assert got[column].cast(pl.String).to_list() == expected[column].cast(pl.String).to_list(), column


def test_sql_checks_find_bad_records(tables: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    households, members = tables
    as_of = date(2024, 1, 1)
    assert connect(households, members).sql(sql.checks_sql(as_of)).fetchall() == []
    bad_members = members.with_columns(pl.col(pl.Enum).cast(pl.String)).with_columns(
        idcs=pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("12345")).otherwise(pl.col("idcs")),
        relation=pl.when(pl.col("household_id") == 9).then(pl.lit("child")).otherwise(pl.col("relation")),
    )
    bad_households = households.with_columns(pl.col(pl.Enum).cast(pl.String)).with_columns(
        spend_butane=pl.when(pl.col("household_id") == 3).then(-1.0).otherwise(pl.col("spend_butane")))
    rows = set(connect(bad_households, bad_members).sql(sql.checks_sql(as_of)).fetchall())
    assert ("households", 3, "spending or assets", "negative amount") in rows
    assert ("households", 9, "household_id", "not exactly one head") in rows
    assert any(row[2] == "idcs" and row[3] == "not exactly 10 digits" for row in rows)
