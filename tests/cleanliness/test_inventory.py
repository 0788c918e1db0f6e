"""Inventory import and export: CSV and GeoJSON, every row checked before anything is written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from majal.cleanliness import repository, service
from majal.cleanliness.models import Container, Truck
from majal.cli import app
from majal.kit.errors import MajalError
from tests.cleanliness.conftest import CONTAINERS_CSV, SITES_CSV, TRUCKS_CSV, load

runner = CliRunner()


def test_import_then_export_round_trip(fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        counts = service.counts(db)
        assert (counts.sites, counts.trucks, counts.containers) == (2, 2, 4)
        market = next(c for c in repository.containers(db) if c.code == "M1")
        assert (market.window_start_minutes, market.window_end_minutes) == (300, 420)
        assert market.district_id is not None
        exported = service.export_inventory(db, "containers", "csv")
        geojson = service.export_inventory(db, "containers", "geojson")
        trucks = service.export_inventory(db, "trucks", "csv")
    assert exported.decode().splitlines()[0].startswith("code,kind,volume_l,lon,lat")
    assert "05:00,07:00" in exported.decode()
    document = json.loads(geojson)
    assert document["features"][0]["geometry"]["type"] == "Point"
    assert "BIG,Compactor 16 m3,8000,16.0,3.0,05:00,7.0,GARAGE,DUMP" in trucks.decode()
    with fleet.begin() as db:
        again = service.import_inventory(db, "containers", geojson, "containers.geojson", actor="test")
        assert (again.created, again.updated) == (0, 4)
        assert service.import_inventory(db, "trucks", trucks, "t.csv", actor="test").updated == 2


def _refused(sessions: sessionmaker[Session], kind: str, data: bytes) -> str:
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        load(db, kind, data)
    return str(refused.value)


def test_container_outside_the_commune_is_refused_and_nothing_written(fleet: sessionmaker[Session]) -> None:
    # A new container on line 2, then one far away on line 6: the whole file is refused, the new one too.
    data = CONTAINERS_CSV + b"FAR,bin_660,660,-5.0000,33.0000,active,,1,,\nB1,bin_660,,,,,,,,\n"
    message = _refused(fleet, "containers", data.replace(b"A1,", b"NEW1,"))
    assert message.startswith("containers.csv:6: ") and "outside the commune" in message
    with fleet.begin() as db:
        assert "NEW1" not in repository.by_codes(db, Container)


def test_truck_with_zero_capacity_is_refused(fleet: sessionmaker[Session]) -> None:
    message = _refused(fleet, "trucks", TRUCKS_CSV + b"ZERO,Broken,0,10,1,05:00,7,GARAGE,DUMP\n")
    assert message.startswith("trucks.csv:4: capacity_kg must be a whole number from 1 to 100000, not 0.")
    message = _refused(fleet, "trucks", TRUCKS_CSV + b"FLAT,Flat,500,0,1,05:00,7,GARAGE,DUMP\n")
    assert "capacity_m3 must be a number above 0" in message
    with fleet.begin() as db:
        assert set(repository.by_codes(db, Truck)) == {"BIG", "SMALL"}


@pytest.mark.parametrize(("kind", "data", "expected"), [
    ("containers", b"code,kind,lon,lat\nX1,bucket,-2.32,34.92\n", "containers.csv:2: kind must be one of"),
    ("containers", b"code,kind,lon,lat\nX1,bin_240,east,34.92\n", "containers.csv:2: lon must be a number"),
    ("containers", b"code,kind,lon,lat,window_start,window_end\nX1,bin_240,-2.32,34.92,07:00,05:00\n",
     "window_end must come after window_start"),
    ("containers", b"code,kind,lon,lat,window_start\nX1,bin_240,-2.32,34.92,5h\n", "window_start must be a time"),
    ("containers", b"code,kind,lon,lat\nX1,bin_240,-2.32,34.92\nX1,bin_240,-2.32,34.92\n", "X1 appears twice"),
    ("trucks", b"code,name,capacity_kg,capacity_m3,shift_start,shift_hours,depot,landfill\n"
               b"T,T,100,5,05:00,7,NOWHERE,DUMP\n", "depot: there is no depot with the code NOWHERE"),
    ("trucks", b'{"type": "FeatureCollection", "features": []}', "Trucks have no place on a map"),
    ("sites", b"code,kind,name,lon,lat\nS,garage,S,-2.3,34.9\n", "kind must be one of depot, landfill, transfer"),
    ("roads", b"code\n", "Roads are imported from GeoJSON lines only"),
    ("roads", b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, '
              b'"geometry": {"type": "LineString", "coordinates": [[0, 0]]}}]}', "features[0]: geometry must be"),
    ("containers", b"\xff\xfe", "not UTF-8"),
])
def test_bad_rows_name_their_line_and_field(fleet: sessionmaker[Session], kind: str, data: bytes,
                                            expected: str) -> None:
    assert expected in _refused(fleet, kind, data)


def test_roads_replace_the_road_graph(fleet: sessionmaker[Session]) -> None:
    line = {"type": "Feature", "properties": {"name": "Bd Mohammed V", "oneway": True},
            "geometry": {"type": "LineString", "coordinates": [[-2.33, 34.915], [-2.32, 34.92], [-2.27, 34.92]]}}
    data = json.dumps({"type": "FeatureCollection", "features": [line, line]}).encode()
    with fleet.begin() as db:
        assert service.import_inventory(db, "roads", data, "roads.geojson", "test").created == 2
        assert service.import_inventory(db, "roads", data, "roads.geojson", "test").created == 2
        assert service.counts(db).roads == 2
        exported = json.loads(service.export_inventory(db, "roads", "geojson"))
    assert exported["features"][0]["properties"] == {"name": "Bd Mohammed V", "oneway": True}


def test_cli_import_refusal_names_line_and_field(fleet: sessionmaker[Session], settings, tmp_path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from majal.kit.cli import settings as cli_settings

    monkeypatch.setenv("MAJAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    cli_settings.cache_clear()
    bad = tmp_path / "fleet.csv"
    bad.write_bytes(TRUCKS_CSV.replace(b"8000", b"0"))
    result = runner.invoke(app, ["cleanliness", "import", "trucks", str(bad)])
    assert result.exit_code == 1
    assert "fleet.csv:2: capacity_kg must be a whole number from 1" in result.output
    good = tmp_path / "sites.csv"
    good.write_bytes(SITES_CSV)
    result = runner.invoke(app, ["cleanliness", "import", "sites", str(good)])
    assert result.exit_code == 0, result.output
    assert "0 created, 2 updated" in result.output
    cli_settings.cache_clear()


@pytest.mark.parametrize(("data", "where"), [
    (b"code,kind,lon,lat,street\nX1,bin_240,-2.32,34.92,Rue\x00A\n", "containers.csv:2: street"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "X1", '
     b'"kind": "bin_240", "street": "Rue\\u0000A"}, "geometry": {"type": "Point", "coordinates": [-2.32, 34.92]}}]}',
     "containers.csv: features[0]: street"),
])
def test_a_nul_in_a_field_is_refused_and_nothing_stored(fleet: sessionmaker[Session], data: bytes,
                                                        where: str) -> None:
    assert f"{where}: The text may not hold the NUL character" in _refused(fleet, "containers", data)
    with fleet.begin() as db:
        assert "X1" not in repository.by_codes(db, Container)
