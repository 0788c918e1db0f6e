"""Territory import, export and point → district through the service and the API, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from majal.kit.audit import AuditEvent
from majal.kit.errors import MajalError, NotFound
from majal.territory import formats, service
from majal.territory.demo import BERKANE_CENTRE, build_demo_territory
from majal.territory.models import Commune, District


def square(code: str, lon: float, lat: float, size: float = 0.01, **extra) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    properties = {
        "code": code,
        "name_ar": f"حي {code}",
        "name_fr": f"Quartier {code}",
        "population": 1000,
        **extra,
    }
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": properties,
    }


def collection(*features: dict, commune: bool = True) -> bytes:
    document: dict = {"type": "FeatureCollection", "features": list(features)}
    if commune:
        document["commune"] = {"code": "TEST", "name_ar": "تجربة", "name_fr": "Essai", "name_en": "Trial"}
    return json.dumps(document).encode()


def district_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(District)) or 0)


def test_import_creates_then_updates_by_code(sessions) -> None:
    with sessions.begin() as db:
        first = service.import_territory(db, collection(square("A", -2.0, 34.0), square("B", -1.99, 34.0)))
    assert (first.created, first.updated) == (2, 0)
    with sessions.begin() as db:
        second = service.import_territory(
            db, collection(square("A", -2.0, 34.0, population=2500), square("C", -1.98, 34.0))
        )
    assert (second.created, second.updated) == (1, 1)
    with sessions() as db:
        districts = {d.code: d for d in db.scalars(select(District))}
        assert sorted(districts) == ["A", "B", "C"]
        assert districts["A"].population == 2500
        assert districts["A"].area_m2 == pytest.approx(1.02e6, rel=0.05)  # 0.01° × 0.01° at 34° N
        assert db.scalar(select(func.count()).select_from(AuditEvent)) == 2


def test_import_without_commune_goes_to_the_only_commune(sessions) -> None:
    with sessions.begin() as db:
        service.import_territory(db, collection(square("A", -2.0, 34.0)))
        service.import_territory(db, collection(square("B", -1.99, 34.0), commune=False))
    assert district_count(sessions) == 2


def test_import_without_any_commune_is_refused(sessions) -> None:
    with pytest.raises(MajalError, match="does not name its commune"), sessions.begin() as db:
        service.import_territory(db, collection(square("A", -2.0, 34.0), commune=False))
    assert district_count(sessions) == 0


def test_a_new_district_overlapping_a_kept_one_is_refused(sessions) -> None:
    with sessions.begin() as db:
        service.import_territory(db, collection(square("A", -2.0, 34.0)))
    with pytest.raises(formats.TerritoryProblem) as refused, sessions.begin() as db:
        service.import_territory(db, collection(square("B", -1.995, 34.0)))
    assert "A" in str(refused.value) and "B" in str(refused.value)
    assert district_count(sessions) == 1


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"{not json",
        collection(square("A", -2.0, 34.0), square("A", -1.99, 34.0)),
        collection(square("A", -2.0, 34.0), square("B", 500.0, 34.0)),
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "EPSG:26191"}},
                "features": [square("A", -2.0, 34.0)],
            }
        ).encode(),
    ],
)
def test_bad_files_change_nothing(sessions, bad: bytes) -> None:
    with sessions.begin() as db:
        service.import_territory(db, collection(square("KEEP", -2.0, 34.0, population=7)))
    with pytest.raises(MajalError), sessions.begin() as db:
        service.import_territory(db, bad)
    with sessions() as db:
        assert [(d.code, d.population) for d in db.scalars(select(District))] == [("KEEP", 7)]
        assert db.scalar(select(func.count()).select_from(Commune)) == 1


def test_hostile_names_are_kept_as_plain_data(sessions, client: TestClient) -> None:
    hostile = "<script>alert(1)</script>'; DROP TABLE districts; --"
    with sessions.begin() as db:
        service.import_territory(db, collection(square("X", -2.0, 34.0, name_fr=hostile)))
    answer = client.get("/api/v1/territory/districts?lang=fr")
    assert answer.json()["features"][0]["properties"]["name"] == hostile
    page = client.get("/?lang=fr")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert district_count(sessions) == 1


def test_locate_finds_the_district_of_a_point(sessions, demo_territory) -> None:
    with sessions() as db:
        district = service.locate(db, *BERKANE_CENTRE)
        assert district.geometry.covers(shapely.Point(*BERKANE_CENTRE))
        with pytest.raises(NotFound):
            service.locate(db, -6.84, 34.02)  # Rabat


def test_locate_on_a_shared_edge_is_deterministic(sessions) -> None:
    with sessions.begin() as db:
        service.import_territory(db, collection(square("B", -2.0, 34.0), square("A", -1.99, 34.0)))
    with sessions() as db:
        assert service.locate(db, -1.99, 34.005).code == "A"


def test_every_demo_district_is_found_from_a_point_inside_it(sessions, demo_territory) -> None:
    with sessions() as db:
        for district in db.scalars(select(District)):
            inside = district.geometry.representative_point()
            assert service.locate(db, inside.x, inside.y).code == district.code


def test_geojson_export_round_trips(sessions, demo_territory) -> None:
    with sessions() as db:
        exported = service.export_geojson(db)
    reparsed = formats.parse_territory(json.dumps(exported).encode())
    original = build_demo_territory()
    assert reparsed.commune is not None and reparsed.commune.code == original.commune.code
    assert [d.code for d in reparsed.districts] == sorted(d.code for d in original.districts)
    by_code = {d.code: d for d in original.districts}
    for district in reparsed.districts:
        assert district.population == by_code[district.code].population
        shape = by_code[district.code].geometry
        assert district.geometry.symmetric_difference(shape).area < 1e-5 * shape.area  # 7-decimal rounding


def test_geopackage_export(sessions, demo_territory, tmp_path: Path) -> None:
    target = tmp_path / "territory.gpkg"
    with sessions() as db:
        assert service.export_geopackage(db, target) == 12
    assert sum(d.population for d in formats.read_geopackage(target)) == 110_000


def test_districts_api_is_geojson(client: TestClient, demo_territory) -> None:
    answer = client.get("/api/v1/territory/districts")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    features = answer.json()["features"]
    assert len(features) == 12
    assert sum(f["properties"]["population"] for f in features) == 110_000
    assert features[0]["geometry"]["type"] == "MultiPolygon"


@pytest.mark.parametrize(("lang", "name_key"), [("ar", "name_ar"), ("fr", "name_fr"), ("en", "name_en")])
def test_names_follow_the_language(client: TestClient, demo_territory, lang: str, name_key: str) -> None:
    props = client.get(
        f"/api/v1/territory/locate?lat={BERKANE_CENTRE[1]}&lon={BERKANE_CENTRE[0]}&lang={lang}"
    ).json()["district"]
    assert props["name"] == props[name_key]


def test_commune_api(client: TestClient, demo_territory) -> None:
    commune = client.get("/api/v1/territory/commune").json()
    assert commune["code"] == "BERKANE"
    assert commune["population"] == 110_000 and commune["district_count"] == 12


def test_locate_api_errors_are_translated(client: TestClient, demo_territory) -> None:
    outside = client.get("/api/v1/territory/locate?lat=34.02&lon=-6.84", headers={"Accept-Language": "fr"})
    assert outside.status_code == 404
    assert outside.json()["code"] == "not_found"
    assert outside.json()["detail"] == "Ce point est en dehors des quartiers de la commune."
    bad = client.get("/api/v1/territory/locate?lat=134&lon=abc", headers={"Accept-Language": "ar"})
    assert bad.status_code == 422
    problems = {p["field"]: p["msg"] for p in bad.json()["detail"]}
    assert set(problems) == {"lat", "lon"}
    assert problems["lon"] == "أدخل رقمًا."


def test_empty_commune_answers_cleanly(client: TestClient) -> None:
    assert client.get("/api/v1/territory/districts").json() == {"type": "FeatureCollection", "features": []}
    assert client.get("/api/v1/territory/commune").status_code == 404
    assert client.get("/").status_code == 200
