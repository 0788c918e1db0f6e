"""Inventory import and export: CSV and GeoJSON, and every bad row refused by line and field with nothing written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from majal.cli import app
from majal.config import Settings
from majal.kit.errors import MajalError
from majal.kit.i18n import language
from majal.lighting import demo, service
from majal.lighting.models import Cabinet, Streetlight
from tests.lighting.conftest import LIGHTS_CSV

runner = CliRunner()
HEADER = LIGHTS_CSV.splitlines()[0]


def lamp_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count(Streetlight.id))) or 0)


def test_import_stores_lamps_with_their_cabinet_and_district(sessions, inventory) -> None:
    with sessions() as db:
        lights = {light.pole_number: light for light in db.scalars(select(Streetlight))}
        cabinets = {cabinet.id: cabinet.code for cabinet in db.scalars(select(Cabinet))}
    assert set(lights) == {"P-1", "P-2", "P-3"}
    assert cabinets[lights["P-3"].cabinet_id] == "CAB-B"
    assert lights["P-2"].dimmable and not lights["P-1"].dimmable
    assert all(light.district_id is not None for light in lights.values())
    assert lights["P-3"].rated_power_w == 250


def test_reimport_updates_instead_of_duplicating(sessions, inventory) -> None:
    changed = LIGHTS_CSV.replace("P-1,-2.3201,34.9201,hps,150", "P-1,-2.3201,34.9201,led,70")
    with sessions.begin() as db:
        result = service.import_inventory(db, changed.encode(), "streetlights", actor="test")
    assert (result.created, result.updated) == (0, 3)
    with sessions() as db:
        light = db.scalar(select(Streetlight).where(Streetlight.pole_number == "P-1"))
        assert light is not None and (light.technology, light.rated_power_w) == ("led", 70)


@pytest.mark.parametrize("file_format", ["csv", "geojson"])
def test_export_then_import_round_trips(sessions, inventory, file_format: str) -> None:
    with sessions() as db:
        lights = service.export_inventory(db, "streetlights", file_format)
        cabinets = service.export_inventory(db, "cabinets", file_format)
    with sessions.begin() as db:
        assert service.import_inventory(db, cabinets.encode(), "cabinets", actor="test").updated == 2
        assert service.import_inventory(db, lights.encode(), "streetlights", actor="test").updated == 3
    with sessions() as db:
        assert service.export_inventory(db, "streetlights", file_format) == lights
    if file_format == "geojson":
        feature = json.loads(lights)["features"][0]
        assert feature["geometry"] == {"type": "Point", "coordinates": [-2.3201, 34.9201]}
        assert feature["properties"]["cabinet"] == "CAB-A"


BAD_ROWS = {
    "negative power": ("P-9,-2.3203,34.9203,hps,-150,false,10,,CAB-A,road", "line 5, rated_power_w",
                       "more than 0 W"),
    "50 kW": ("P-9,-2.3203,34.9203,hps,50000,false,10,,CAB-A,road", "line 5, rated_power_w",
              "50000 W is not a plausible streetlight power"),
    "unknown cabinet": ("P-9,-2.3203,34.9203,hps,150,false,10,,CAB-ZZ,road", "line 5, cabinet",
                        "There is no cabinet CAB-ZZ"),
    "duplicate pole": ("P-2,-2.3203,34.9203,hps,150,false,10,,CAB-A,road", "line 5, pole_number",
                       "already appears in row 3"),
    "outside the commune": ("P-9,-2.9000,34.5000,hps,150,false,10,,CAB-A,road", "line 5, lon, lat",
                            "outside the commune"),
    "unknown technology": ("P-9,-2.3203,34.9203,neon,150,false,10,,CAB-A,road", "line 5, technology",
                           "neon is not one of"),
    "bad date": ("P-9,-2.3203,34.9203,hps,150,false,10,2020-13-01,CAB-A,road", "line 5, installed_on",
                 "YYYY-MM-DD"),
    "NUL in a field": ("P-9,-2.3203,34.9203,hps,150,false,10,,CAB-A,ro\x00ad", "line 5, location_category",
                       "NUL character (U+0000)"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_is_refused_by_line_and_field_and_nothing_is_written(sessions, demo_territory,
                                                                      case: str) -> None:
    from tests.lighting.conftest import CABINETS_CSV

    with sessions.begin() as db:
        service.import_inventory(db, CABINETS_CSV.encode(), "cabinets", actor="test")
    row, place, words = BAD_ROWS[case]
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        service.import_inventory(db, (LIGHTS_CSV + row + "\n").encode(), "streetlights", actor="test")
    with language("en"):
        assert refused.value.translated().startswith(place + ": ")
        assert words in refused.value.translated()
    assert lamp_count(sessions) == 0


def test_the_refusal_is_translated(demo_territory, sessions) -> None:
    from tests.lighting.conftest import CABINETS_CSV

    with sessions.begin() as db:
        service.import_inventory(db, CABINETS_CSV.encode(), "cabinets", actor="test")
    bad = LIGHTS_CSV + "P-9,-2.3203,34.9203,hps,50000,false,10,,CAB-A,road\n"
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        service.import_inventory(db, bad.encode(), "streetlights", actor="test")
    with language("fr"):
        assert refused.value.translated().startswith("ligne 5, rated_power_w")
    with language("ar"):
        assert "rated_power_w" in refused.value.translated() and "5" in refused.value.translated()
        assert "line" not in refused.value.translated()


def test_geojson_feature_errors_name_the_feature(sessions, inventory) -> None:
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-2.32, 34.92]},
         "properties": {"pole_number": "P-7", "technology": "led", "rated_power_w": 50000, "lantern_height_m": 8,
                        "cabinet": "CAB-A"}}]}
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        service.import_inventory(db, json.dumps(document).encode(), "streetlights", actor="test")
    with language("en"):
        assert refused.value.translated().startswith("feature 1, rated_power_w: ")


def test_cli_import_refuses_with_line_and_field_and_exit_1(cli_env, sessions, demo_territory, tmp_path) -> None:
    from tests.lighting.conftest import CABINETS_CSV

    (tmp_path / "cabinets.csv").write_text(CABINETS_CSV, encoding="utf-8")
    assert runner.invoke(app, ["lighting", "import", str(tmp_path / "cabinets.csv"), "--layer", "cabinets"]
                         ).exit_code == 0
    (tmp_path / "lights.csv").write_text(LIGHTS_CSV + "P-9,-2.3203,34.9203,hps,50000,false,10,,CAB-A,road\n",
                                         encoding="utf-8")
    result = runner.invoke(app, ["lighting", "import", str(tmp_path / "lights.csv")])
    assert result.exit_code == 1
    assert "line 5, rated_power_w" in result.output
    assert lamp_count(sessions) == 0
    (tmp_path / "lights.csv").write_text(LIGHTS_CSV, encoding="utf-8")
    result = runner.invoke(app, ["lighting", "import", str(tmp_path / "lights.csv")])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    out = tmp_path / "out.geojson"
    assert runner.invoke(app, ["lighting", "export", "--format", "geojson", "--output", str(out)]).exit_code == 0
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 3


def test_demo_lighting_is_deterministic_and_realistic(sessions, demo_territory) -> None:
    from majal.territory import service as territory

    with sessions() as db:
        shapes = [district.geometry for district in territory.overview(db).districts]
    first, second = demo.build(shapes), demo.build(shapes)
    assert first == second
    assert 5500 <= len(first.streetlights) <= 6500 and len(first.cabinets) == 60
    technologies = [light.technology for light in first.streetlights]
    assert 0.5 < technologies.count("hps") / len(technologies) < 0.75
    assert 0.2 < technologies.count("led") / len(technologies) < 0.45
    with sessions.begin() as db:
        assert demo.load(db, Settings())
        assert not demo.load(db, Settings())
    assert lamp_count(sessions) == len(first.streetlights)


def test_cli_energy_per_lamp_cabinet_and_district(cli_env, sessions, inventory, tmp_path) -> None:
    tables = {}
    for by in ("lamp", "cabinet", "district"):
        out = tmp_path / f"{by}.csv"
        result = runner.invoke(app, ["lighting", "energy", "--year", "2026", "--by", by, "--output", str(out)])
        assert result.exit_code == 0, result.output
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith(f"{by},kwh_01,") and lines[0].endswith(",kwh_year,cost_mad")
        tables[by] = {line.split(",")[0]: float(line.split(",")[13]) for line in lines[1:]}
    assert set(tables["lamp"]) == {"P-1", "P-2", "P-3"} and set(tables["cabinet"]) == {"CAB-A", "CAB-B"}
    assert tables["cabinet"]["CAB-B"] == pytest.approx(tables["lamp"]["P-3"])
    total = sum(tables["lamp"].values())
    assert sum(tables["cabinet"].values()) == pytest.approx(total) == pytest.approx(sum(tables["district"].values()))
    # P-1: 150 W sodium, no programme, burns every civil night of 2026 (~4,050 h): 150 × 1.12 × ~4,050 h ≈ 680 kWh.
    assert 660 < tables["lamp"]["P-1"] < 700


def test_cli_programmes_are_checked_then_assigned(cli_env, sessions, inventory) -> None:
    from majal.lighting.models import DimmingProgramme

    overlap = runner.invoke(app, ["lighting", "programme", "BAD", "dusk-23:00@100, 22:00-dawn@50"])
    assert overlap.exit_code == 1 and "steps: Steps 1 and 2 overlap on the night of" in overlap.output
    good = runner.invoke(app, ["lighting", "programme", "ECO50", "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100"])
    assert good.exit_code == 0, good.output
    assert runner.invoke(app, ["lighting", "assign", "CAB-A", "ECO50"]).exit_code == 0
    unknown = runner.invoke(app, ["lighting", "assign", "CAB-ZZ", "ECO50"])
    assert unknown.exit_code == 1 and "There is no cabinet CAB-ZZ" in unknown.output
    with sessions() as db:
        assert [p.code for p in db.scalars(select(DimmingProgramme))] == ["ECO50"]
        cabinet = db.scalar(select(Cabinet).where(Cabinet.code == "CAB-A"))
        assert cabinet is not None and cabinet.programme is not None and cabinet.programme.code == "ECO50"
    # With the programme, the dimmable LED on CAB-A uses less than at full power all night.
    with sessions() as db:
        dimmed = service.energy_table(db, 2026, "lamp", 1.2)[1]
    assert {row[0]: row[13] for row in dimmed}["P-2"] < 60 * 1.08 * 4100 / 1000 * 0.9


def test_a_nul_in_a_geojson_property_is_refused_by_feature_and_field(sessions, inventory) -> None:
    document = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-2.32, 34.92]},
         "properties": {"pole_number": "P-\u0000", "technology": "led", "rated_power_w": 50, "lantern_height_m": 8,
                        "cabinet": "CAB-A"}}]}
    before = lamp_count(sessions)
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        service.import_inventory(db, json.dumps(document).encode(), "streetlights", actor="test")
    with language("en"):
        assert refused.value.translated().startswith("feature 1, pole_number: The text may not hold the NUL")
    assert lamp_count(sessions) == before
