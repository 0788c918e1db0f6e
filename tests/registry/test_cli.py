"""`majal registry …` end to end with CliRunner: a small synthetic population generated, fitted, scored, evaluated."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from majal.cli import app
from majal.registry.pmt import model_file

runner = CliRunner()


def text(result) -> str:  # type: ignore[no-untyped-def]
    """The output with Rich's line wrapping undone."""
    return " ".join(result.output.split())


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("registry") / "demo"
    result = runner.invoke(app, ["registry", "synth", "--households", "400", "--seed", "7", "--output", str(folder)])
    assert result.exit_code == 0, result.output
    assert "400 households and" in text(result)
    return folder


def test_synth_writes_the_import_format(demo: Path) -> None:
    names = sorted(path.name for path in demo.iterdir())
    assert names == ["consumption.csv", "consumption.parquet", "households.csv", "households.parquet",
                     "manifest.json", "members.csv", "members.parquet"]
    manifest = json.loads((demo / "manifest.json").read_text())
    assert (manifest["households"], manifest["seed"], manifest["reference_date"]) == (400, 7, "2024-01-01")
    parquet = pl.read_parquet(demo / "members.parquet")
    csv = pl.read_csv(demo / "members.csv", schema_overrides={"idcs": pl.String})
    assert parquet["idcs"].to_list() == csv["idcs"].to_list()
    assert parquet["idcs"].str.len_bytes().eq(10).all() and parquet["idcs"].n_unique() == parquet.height


def test_synth_is_deterministic(tmp_path: Path, demo: Path) -> None:
    again = tmp_path / "again"
    result = runner.invoke(app, ["registry", "synth", "--households", "400", "--seed", "7", "--output", str(again),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    for name in ("households.csv", "members.csv", "consumption.csv"):
        assert (again / name).read_bytes() == (demo / name).read_bytes()
    assert not (again / "households.parquet").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_score_round_trip(tmp_path: Path, demo: Path, suffix: str) -> None:
    output = tmp_path / f"scores{suffix}"
    result = runner.invoke(app, ["registry", "score", "--input", str(demo), "--output", str(output), "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "400 households scored with model MA-PMT-DEMO-1 on 2025-12-31" in text(result)
    scores = pl.read_csv(output) if suffix == ".csv" else pl.read_parquet(output)
    assert scores.height == 400 and scores["household_id"].to_list() == list(range(1, 401))
    assert scores.columns[:11] == ["household_id", "score", "model_version", "amo_tadamon_eligible",
                                   "amo_tadamon_rule", "asd_eligible", "asd_rule", "asd_table", "asd_monthly",
                                   "asd_birth_grant", "asd_children"]
    assert set(scores["asd_table"].cast(str)) == {"ASD-AMOUNTS-2025"}
    eligible = scores.filter(pl.col("asd_eligible"))
    assert eligible["asd_monthly"].min() >= 500
    assert scores.filter(~pl.col("asd_eligible"))["asd_monthly"].max() == 0
    assert (scores.filter(pl.col("amo_tadamon_eligible"))["score"] <= 9.3264284).all()
    assert 0.2 < scores["asd_eligible"].mean() < 0.95  # type: ignore[operator]
    assert {"driver_1", "driver_3_effect"} <= set(scores.columns)


def test_fit_and_score_with_the_fitted_model(tmp_path: Path, demo: Path) -> None:
    model = tmp_path / "model.json"
    result = runner.invoke(app, ["registry", "fit", "--survey", str(demo), "--output", str(model),
                                 "--version", "MY-PMT-1", "--effective-from", "2024-01-01",
                                 "--fix-constant", "urban=9.825", "--fix-constant", "rural=8.695"])
    assert result.exit_code == 0, result.output
    assert "9.8250 (held)" in text(result)
    fitted = model_file.load_model(model).at(date(2026, 1, 1))
    assert fitted.version == "MY-PMT-1" and fitted.milieux["rural"].constant == 8.695
    assert fitted.milieux["urban"].fit is not None and fitted.milieux["urban"].fit["n"] > 100
    output = tmp_path / "scores.csv"
    result = runner.invoke(app, ["registry", "score", "--input", str(demo), "--output", str(output),
                                 "--model", str(model), "--explain", "0"])
    assert result.exit_code == 0, result.output
    scores = pl.read_csv(output)
    assert set(scores["model_version"]) == {"MY-PMT-1"} and "driver_1" not in scores.columns


def test_fit_to_standard_output(demo: Path) -> None:
    result = runner.invoke(app, ["registry", "fit", "--survey", str(demo / "households.parquet")])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["versions"][0]["version"] == "PMT-FIT-2024-01-01"


def test_evaluate(demo: Path) -> None:
    result = runner.invoke(app, ["registry", "evaluate", "--survey", str(demo), "--threshold", "9.5"])
    assert result.exit_code == 0, result.output
    assert "400 surveyed households, scored with model MA-PMT-DEMO-1 on 2024-01-01." in text(result)
    for word in ("Exclusion", "AUC", "AMO Tadamon", "Threshold 9.5", "decile"):
        assert word in text(result)


def test_entitlement_breakdown(tmp_path: Path) -> None:
    household = {"household_id": 42, "milieu": "rural", "region": "MA-08", "rooms": 2, "dwelling": "rural_house",
                 "owner": True, "electricity": True, "piped_water": False, "sewer": False, "toilet": False,
                 "bathroom": False, "kitchen": False, "phones": 1, "cars": 0, "motorcycles": 0, "cows": 0,
                 "laptop": False, "fridge": False, "washing_machine": False, "internet": False, "land_ha": 0,
                 "spend_butane": 600, "spend_water_electricity": 500, "spend_telecom": 300}
    person = {"sex": "F", "relation": "child", "education": "primary", "diploma": False, "schooling": "public",
              "occupation": "student", "disability": False, "marital_status": "single", "pension": False}
    members = [
        {**person, "idcs": "1000000001", "birth_date": "1978-04-02", "relation": "head", "marital_status": "widowed",
         "schooling": "none", "occupation": "homemaker", "education": "none"},
        *({**person, "idcs": f"100000001{k}", "birth_date": f"{2008 + 2 * k}-01-15", "disability": k == 0}
          for k in range(4)),
    ]
    file = tmp_path / "household.json"
    file.write_text(json.dumps({"household": household, "members": members}))
    result = runner.invoke(app, ["registry", "entitlement", "--year", "2026", str(file)])
    assert result.exit_code == 0, result.output
    assert "Household 42 on 2026-12-31: score" in text(result)
    assert "child of a widow without a pension" in text(result)
    assert "1,700 MAD a month" in text(result)  # 4 children × 400 (widow, 2026) + 100 (disability)
    result = runner.invoke(app, ["registry", "entitlement", "--year", "2023", "--json", str(file)])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["asd"]["monthly"] == 4 * 350 + 100 and answer["asd"]["table"] == "ASD-AMOUNTS-2023"
    assert [line["rank"] for line in answer["asd"]["children"]] == [1, 2, 3, 4]
    assert answer["programmes"]["asd"]["rule"] == "ASD-2023: score <= 9.743001"

    members[2]["birth_date"] = "2027-01-01"
    file.write_text(json.dumps({"household": household, "members": members}))
    result = runner.invoke(app, ["registry", "entitlement", "--year", "2026", str(file)])
    assert result.exit_code == 1
    assert "household.json members, row 3, field birth_date: The birth date 2027-01-01 is after" in text(result)


def test_a_bad_row_is_refused_with_its_row_and_field(tmp_path: Path, demo: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("households.csv", "members.csv"):
        (folder / name).write_bytes((demo / name).read_bytes())
    lines = (folder / "members.csv").read_text().splitlines()
    fields = lines[5].split(",")
    fields[1] = "12345"
    lines[5] = ",".join(fields)
    (folder / "members.csv").write_text("\n".join(lines) + "\n")
    output = tmp_path / "scores.csv"
    result = runner.invoke(app, ["registry", "score", "--input", str(folder), "--output", str(output)])
    assert result.exit_code == 1
    assert "Error: members.csv, row 5, field idcs: An IDCS is exactly 10 digits." in text(result)
    assert not output.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["score", "--input", "{demo}", "--output", "{tmp}/scores.xlsx"], "--output: The output file must end in"),
        (["score", "--input", "{tmp}/nowhere", "--output", "{tmp}/s.csv"], "No such folder."),
        (["score", "--input", "{demo}", "--output", "{tmp}/s.csv", "--year", "2021"], "No version of the model"),
        (["score", "--input", "{demo}", "--output", "{tmp}/s.csv", "--as-of", "2023-06-01"], "No asd rule"),
        (["score", "--input", "{demo}", "--output", "{tmp}/s.csv", "--as-of", "2023-13-01"], "--as-of: Expected"),
        (["fit", "--survey", "{demo}", "--fix-constant", "town=9"], "--fix-constant: Expected MILIEU=NUMBER"),
        (["score", "--input", "{demo}", "--output", "{tmp}/s.csv", "--model", "{tmp}/missing.json"], "No such file."),
        (["entitlement", "{tmp}/missing.json"], "No such file."),
        (["sql", "--households-table", "x; DROP TABLE y"], "--households-table: Expected a table name"),
    ],
)
def test_refusals_exit_1_with_a_message(tmp_path: Path, demo: Path, arguments: list[str], message: str) -> None:
    filled = [argument.format(demo=demo, tmp=tmp_path) for argument in arguments]
    result = runner.invoke(app, ["registry", *filled])
    assert result.exit_code == 1, result.output
    assert message in text(result)


def test_a_model_missing_a_coefficient_is_refused(tmp_path: Path, demo: Path) -> None:
    document = json.loads(model_file.DEFAULT_MODEL_PATH.read_text())
    del document["versions"][0]["milieux"]["urban"]["coefficients"]["cars"]
    model = tmp_path / "model.json"
    model.write_text(json.dumps(document))
    result = runner.invoke(app, ["registry", "score", "--input", str(demo), "--output", str(tmp_path / "s.csv"),
                                 "--model", str(model)])
    assert result.exit_code == 1
    assert "model.json: versions[0].milieux.urban.coefficients: The coefficient of “cars” is missing." in text(result)


def test_sql_prints_the_batch_and_the_checks() -> None:
    result = runner.invoke(app, ["registry", "sql", "--year", "2026", "--members-table", "rsu.members"])
    assert result.exit_code == 0, result.output
    assert "model MA-PMT-DEMO-1, rules AMO-TADAMON-2022 / ASD-2023 / ASD-AMOUNTS-2026" in result.stdout
    assert "FROM rsu.members" in result.stdout and "ROW_NUMBER() OVER" in result.stdout
    result = runner.invoke(app, ["registry", "sql", "--checks"])
    assert result.exit_code == 0 and "not exactly one head" in result.stdout
