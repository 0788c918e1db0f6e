"""Open311 GeoReport v2, driven over real HTTP as an Open311 client would, in JSON and XML."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from xml.etree import ElementTree as ET

import httpx2
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service as accounts
from majal.accounts.models import ApiKey
from majal.app import create_app
from majal.config import Settings
from majal.kit.audit import utcnow
from majal.requests import service as requests
from majal.requests.api import install as install_answer_cache
from majal.requests.catalogue import CATALOGUE, DATATYPES
from majal.requests.models import RequestEvent, ServiceRequest
from majal.territory.demo import BERKANE_CENTRE
from tests.live import serving

LON, LAT = BERKANE_CENTRE
BASE = "/open311/v2"


@pytest.fixture
def api_key(sessions: sessionmaker[Session], demo_territory) -> str:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        return accounts.create_api_key(db, "open311 client")


@pytest.fixture(scope="module")
def served(database_url: str, migrated_engine: Engine,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, str]]:
    """One app behind one Uvicorn server for the module (per database), as `app` and `settings` would make it."""
    settings = Settings(database_url=database_url, data_dir=tmp_path_factory.mktemp("open311") / "data",
                        secret_key="test-secret-key", default_language="en")
    application = create_app(settings)
    try:
        with serving(application) as url:
            yield application, url
    finally:
        application.state.engine.dispose()


@pytest.fixture
def app(served: tuple[FastAPI, str], engine: Engine) -> FastAPI:
    """The module's app, on tables emptied for this test: its answer cache is new, as a new app's would be (the
    rows it remembers were deleted behind its back)."""
    application, _url = served
    install_answer_cache(application)
    return application


@pytest.fixture
def open311(app: FastAPI, served: tuple[FastAPI, str], api_key: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=served[1] + BASE, headers={"Accept-Language": "en"}) as client:
        yield client


def count(sessions: sessionmaker[Session], model: type = ServiceRequest) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def post(client: httpx2.Client, key: str, fmt: str = "json", **fields) -> httpx2.Response:
    data = {"api_key": key, "service_code": "STRAY_DOGS", "lat": str(LAT), "long": str(LON),
            "attribute[behaviour]": "pack", "attribute[bite]": "no", **fields}
    return client.post(f"/requests.{fmt}", data={k: v for k, v in data.items() if v is not None})


def test_services_in_json_and_xml(open311: httpx2.Client) -> None:
    services = open311.get("/services.json", headers={"Accept-Language": "fr"}).json()
    assert len(services) == len(CATALOGUE)
    dogs = next(s for s in services if s["service_code"] == "STRAY_DOGS")
    assert dogs == {"service_code": "STRAY_DOGS", "service_name": "Chiens errants", "metadata": True,
                    "type": "realtime", "keywords": "dogs, animals, rabies", "group": "Santé publique",
                    "description": "Des chiens errants dans le quartier."}
    xml = ET.fromstring(open311.get("/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == len(CATALOGUE)
    assert xml.find("service/metadata").text in ("true", "false")


def test_service_definitions_cover_every_datatype(open311: httpx2.Client) -> None:
    seen = set()
    for definition in CATALOGUE:
        answer = open311.get(f"/services/{definition.code}.json").json()
        assert answer["service_code"] == definition.code
        for attribute in answer["attributes"]:
            seen.add(attribute["datatype"])
            if attribute["datatype"].endswith("valuelist"):
                assert attribute["values"] and {"key", "name"} <= set(attribute["values"][0])
    assert seen == set(DATATYPES)
    xml = ET.fromstring(open311.get("/services/POLE_DAMAGED.xml").content)
    assert xml.tag == "service_definition"
    assert [v.text for v in xml.findall("attributes/attribute/values/value/key")][:2] == ["yes", "no"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_request_is_created_then_found(open311: httpx2.Client, api_key: str, sessions, fmt: str) -> None:
    created = post(open311, api_key, fmt, description="Trois chiens agressifs", email="amina@example.ma",
                   phone="+212 661 234 567", first_name="Amina", last_name="Tazi")
    assert created.status_code == 201, created.text
    if fmt == "json":
        record = created.json()[0]
    else:
        record = {child.tag: child.text for child in ET.fromstring(created.content).find("request")}
    request_id, token = record["service_request_id"], record["token"]
    found = open311.get(f"/requests/{request_id}.json").json()[0]
    assert found["service_code"] == "STRAY_DOGS" and found["status"] == "open"
    assert found["lat"] == pytest.approx(LAT) and found["long"] == pytest.approx(LON)
    assert found["expected_datetime"] > found["requested_datetime"]
    assert open311.get(f"/tokens/{token}.json").json() == [{"service_request_id": request_id, "token": token}]
    public = open311.get(f"/requests/{request_id}.{fmt}").text + open311.get("/requests.json").text
    for private in ("amina@example.ma", "661 234 567", "Tazi"):
        assert private not in public
    with sessions() as db:
        stored = db.get(ServiceRequest, int(request_id))
        assert stored.attribute_values == {"behaviour": "pack", "bite": "no"}
        assert stored.contact_sealed and "amina" not in stored.contact_sealed
        assert db.scalar(select(func.count()).select_from(RequestEvent)) == 1


def test_multivaluelist_and_address_fallbacks(open311: httpx2.Client, api_key: str) -> None:
    dumping = open311.post("/requests.json", data={
        "api_key": api_key, "service_code": "DUMPING", "address_id": "BRK-03",
        "attribute[waste][]": ["rubble", "green"], "attribute[volume_m3]": "2.5"})
    assert dumping.status_code == 201, dumping.text
    words = post(open311, api_key, lat=None, long=None, address_string="Derrière la gare routière")
    assert words.status_code == 201, words.text
    found = open311.get(f"/requests/{words.json()[0]['service_request_id']}.json").json()[0]
    assert found["address"] == "Derrière la gare routière" and found["lat"] is None


def test_search_filters_and_the_90_day_default(open311: httpx2.Client, api_key: str, sessions) -> None:
    ids = [post(open311, api_key).json()[0]["service_request_id"] for _ in range(3)]
    with sessions.begin() as db:  # one request is old: outside the default window
        db.execute(update(ServiceRequest).where(ServiceRequest.id == int(ids[0]))
                   .values(requested_at=utcnow() - timedelta(days=120)))
    recent = open311.get("/requests.json", params={"service_code": "STRAY_DOGS", "status": "open"}).json()
    assert sorted(r["service_request_id"] for r in recent) == sorted(ids[1:])
    assert open311.get("/requests.json", params={"status": "closed"}).json() == []
    by_ids = open311.get("/requests.json", params={"service_request_id": ",".join(ids)}).json()
    assert len(by_ids) == 3  # ids ignore the other filters, as the spec says
    start = (utcnow() - timedelta(days=200)).isoformat()
    assert len(open311.get("/requests.json", params={"start_date": start}).json()) == 3
    xml = ET.fromstring(open311.get("/requests.xml", params={"service_code": "STRAY_DOGS"}).content)
    assert xml.tag == "service_requests" and len(xml.findall("request")) == 2


def _spellings(moment: datetime) -> list[str]:
    """One instant written with Z, at +14:00 and at -12:00 (the earliest and latest offsets in use)."""
    return [moment.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            moment.astimezone(timezone(timedelta(hours=14))).isoformat(),
            moment.astimezone(timezone(timedelta(hours=-12))).isoformat()]


def test_dates_compare_instants_whatever_their_offset(open311: httpx2.Client, api_key: str, sessions) -> None:
    """Three requests an hour apart; each window is asked in three spellings of its instants, and all three answer
    alike: instants are compared, not their text (which SQLite would otherwise compare)."""
    noon = (utcnow() - timedelta(days=2)).replace(hour=12, minute=0, second=0, microsecond=0)
    ids = [post(open311, api_key).json()[0]["service_request_id"] for _ in range(3)]
    with sessions.begin() as db:
        for hours, request_id in enumerate(ids):
            db.execute(update(ServiceRequest).where(ServiceRequest.id == int(request_id))
                       .values(requested_at=noon + timedelta(hours=hours, microseconds=250_000)))
    windows = {(noon - timedelta(minutes=30), noon + timedelta(minutes=30)): ids[:1],
               (noon + timedelta(minutes=30), noon + timedelta(hours=3)): ids[1:],
               (noon - timedelta(days=1), noon - timedelta(minutes=1)): []}
    for (start, end), expected in windows.items():
        for start_text, end_text in zip(_spellings(start), _spellings(end), strict=True):
            found = open311.get("/requests.json", params={"start_date": start_text, "end_date": end_text}).json()
            assert sorted(r["service_request_id"] for r in found) == sorted(expected), (start_text, end_text)
    for start_text in _spellings(noon + timedelta(minutes=90)):
        assert len(open311.get("/requests.json", params={"start_date": start_text}).json()) == 1
    assert open311.get("/requests.json", params={"start_date": _spellings(noon)[1],
                                                 "end_date": _spellings(noon - timedelta(seconds=1))[2]}
                       ).status_code == 400  # start after end, however each is written


def test_a_request_is_found_by_the_second_it_is_published_with(open311: httpx2.Client, api_key: str) -> None:
    made = post(open311, api_key).json()[0]["service_request_id"]
    published = open311.get(f"/requests/{made}.json").json()[0]["requested_datetime"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", published)  # to the second
    moment = datetime.fromisoformat(published)
    for written in _spellings(moment):
        for params in ({"start_date": written}, {"end_date": written}, {"start_date": written, "end_date": written}):
            found = open311.get("/requests.json", params=params).json()
            assert [r["service_request_id"] for r in found] == [made], params
    just_after = _spellings(moment + timedelta(seconds=1))[1]
    assert open311.get("/requests.json", params={"start_date": just_after}).json() == []


def test_dates_beyond_what_utc_can_hold_are_open_bounds(open311: httpx2.Client, api_key: str) -> None:
    made = post(open311, api_key).json()[0]["service_request_id"]
    found = open311.get("/requests.json", params={"start_date": "0001-01-01T00:00:00+14:00",
                                                  "end_date": "9999-12-31T23:59:59-12:00"})
    assert found.status_code == 200 and [r["service_request_id"] for r in found.json()] == [made]


@pytest.mark.parametrize(("fields", "status", "words"), [
    ({"service_code": "NOPE"}, 400, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"lat": None, "long": None}, 400, "location"),
    ({"lat": "34.02", "long": "-6.84"}, 400, "outside"),
    ({"lat": "north", "long": "-2.3"}, 400, "lat"),
    ({"lat": "95", "long": "-2.3"}, 400, "lat"),
    ({"attribute[behaviour]": "friendly"}, 400, "friendly"),
    ({"attribute[bite]": None}, 400, "bite"),
    ({"attribute[colour]": "brown"}, 400, "colour"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"description": "x" * 5000}, 400, "description"),
    ({"api_key": ""}, 403, "API key"),
    ({"api_key": "mjl_forged_key"}, 403, "API key"),
    ({"jurisdiction_id": "rabat"}, 404, "rabat"),
])
def test_bad_requests_get_the_spec_error_and_change_nothing(open311, api_key, sessions, fields, status, words) -> None:
    answer = post(open311, api_key, **fields)
    assert answer.status_code == status, answer.text
    errors = answer.json()
    assert errors[0]["code"] == status and words.lower() in errors[0]["description"].lower()
    assert count(sessions) == 0


def test_errors_in_xml(open311: httpx2.Client, api_key: str) -> None:
    answer = post(open311, api_key, "xml", service_code="NOPE")
    root = ET.fromstring(answer.content)
    assert answer.status_code == 400 and root.tag == "errors" and root.find("error/code").text == "400"


def test_revoked_keys_are_refused(open311: httpx2.Client, api_key: str, sessions) -> None:
    with sessions.begin() as db:
        db.execute(update(ApiKey).values(revoked_at=utcnow()))
    assert post(open311, api_key).status_code == 403
    assert count(sessions) == 0


@pytest.mark.parametrize(("path", "status"), [
    ("/requests/abc.json", 400), ("/requests/999999.json", 404), ("/services/NOPE.json", 404),
    ("/services.yaml", 404), ("/tokens/nope.json", 404), ("/requests.json?start_date=yesterday", 400),
    ("/requests.json?status=maybe", 400), ("/requests.json?service_request_id=1;DROP", 400),
])
def test_lookups_with_bad_input(open311: httpx2.Client, path: str, status: int) -> None:
    answer = open311.get(path)
    assert answer.status_code == status, answer.text
    assert answer.json()[0]["code"] == status


def test_hostile_description_is_kept_as_text(open311: httpx2.Client, api_key: str) -> None:
    hostile = "<script>alert('x')</script> ' OR 1=1; --"
    created = post(open311, api_key, description=hostile).json()[0]
    assert open311.get(f"/requests/{created['service_request_id']}.json").json()[0]["description"] == hostile
    xml = open311.get(f"/requests/{created['service_request_id']}.xml").text
    assert "<script>" not in xml and "&lt;script&gt;" in xml


def test_errors_speak_the_clients_language(open311: httpx2.Client, api_key: str) -> None:
    answer = open311.post("/requests.json", data={"api_key": "mjl_forged"}, headers={"Accept-Language": "fr"})
    assert answer.status_code == 403
    assert answer.json()[0]["description"] == "Clé d’API inconnue ou révoquée."


def test_cached_answers_follow_every_write(app: FastAPI, open311: httpx2.Client, api_key: str, sessions) -> None:
    first = post(open311, api_key).json()[0]["service_request_id"]
    assert [r["status"] for r in open311.get("/requests.json").json()] == ["open"]
    assert open311.get("/requests.json").json() == open311.get("/requests.json").json()  # served again, same bytes
    with sessions.begin() as db:  # a change committed by this process shows at once
        db.get(ServiceRequest, int(first)).status = "acknowledged"
    assert [r["status"] for r in open311.get("/requests.json").json()] == ["open"]  # acknowledged is still open
    with sessions.begin() as db:
        db.get(ServiceRequest, int(first)).status = "resolved"
    assert [r["status"] for r in open311.get("/requests.json").json()] == ["closed"]
    with sessions.begin() as db:  # a change by another process (no ORM event here) shows once `recheck` has passed
        db.execute(update(ServiceRequest).where(ServiceRequest.id == int(first))
                   .values(status="new", updated_at=utcnow()))
    app.state.answers.recheck = 0.05
    time.sleep(0.1)
    assert [r["status"] for r in open311.get("/requests.json").json()] == ["open"]
    second = post(open311, api_key).json()[0]["service_request_id"]
    assert {r["service_request_id"] for r in open311.get("/requests.json").json()} == {first, second}


def test_polling_clients_get_not_modified_and_compressed_answers(open311: httpx2.Client, api_key: str) -> None:
    for _ in range(4):
        post(open311, api_key, description="A pack of dogs near the school gate, every morning. " * 4)
    plain = open311.get("/requests.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and len(plain.content) > 1024
    packed = open311.get("/requests.json", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and packed.json() == plain.json()
    assert packed.headers["vary"] == "Accept-Encoding"
    tag = plain.headers["etag"]
    assert open311.get("/requests.json", headers={"If-None-Match": tag}).status_code == 304
    assert open311.get("/requests.json?status=closed", headers={"If-None-Match": tag}).status_code == 200
