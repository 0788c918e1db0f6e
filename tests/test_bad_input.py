"""Bad input never gets a 5xx, on every route found in the app's route table (new routes are covered unedited):
ids no row can have answer 404, and a NUL character anywhere a route reads text answers 400 in the path's format,
with nothing stored."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts.models import LoginBucket
from majal.kit.security import csrf_token
from majal.kit.validation import MAX_BIG_ROW_ID, MAX_ROW_ID
from majal.kit.web import BROWSER_COOKIE, CSRF_HEADER
from majal.requests import service as requests
from majal.requests.models import ServiceRequest
from majal.territory.demo import BERKANE_CENTRE
from tests.conftest import csrf_from, sign_in
from tests.requests.test_photos import picture
from tests.routes import endpoints

LON, LAT = BERKANE_CENTRE
PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")
NUL_WORDS = "NUL character (U+0000)"
# Numbers no row can have: just past PostgreSQL's integer, past a 64-bit integer, past both and past what int() reads.
BEYOND = [str(MAX_ROW_ID + 1), str(MAX_BIG_ROW_ID + 1), "9" * 30, "9" * 5000, "0"]
OTHER_DIGITS = ["²", "٣", "３", "1_0"]  # int() and str.isdigit() take the first three; pydantic the last


@pytest.fixture
def admin(app: FastAPI, staff: dict[str, str], sessions: sessionmaker[Session], demo_territory: None
          ) -> Iterator[TestClient]:
    """A signed-in admin whose every call carries the CSRF token: refusals are then about the input alone."""
    with sessions.begin() as db:
        requests.seed_catalogue(db)
    with TestClient(app, raise_server_exceptions=False) as client:
        sign_in(client, "admin")
        client.headers[CSRF_HEADER] = csrf_token(app.state.secret_key, client.cookies[BROWSER_COOKIE])
        yield client


def id_routes(app: FastAPI) -> list[tuple[str, str, list[str]]]:
    """(method, path, id parameters) of every route taking an id in its path."""
    found = []
    for endpoint in endpoints(app):
        ids = [name for name in PARAMETER.findall(endpoint.path) if name.endswith("_id")]
        found += [(endpoint.method, endpoint.path, ids)] if ids else []
    return found


def filled(path: str, ids: dict[str, str]) -> str:
    """The path with its ids as given and its other parameters plausible (json for Open311's format)."""
    return PARAMETER.sub(lambda m: ids.get(m.group(1), "json" if m.group(1) == "fmt" else "x"), path)


def test_the_route_table_has_id_routes(app: FastAPI) -> None:
    assert len(id_routes(app)) >= 25  # a guard on the guard: the derivation keeps finding them


def test_ids_no_row_can_have_name_no_page(app: FastAPI, admin: TestClient) -> None:
    wrong = []
    for method, path, ids in id_routes(app):
        for bad in BEYOND + OTHER_DIGITS:
            url = filled(path, dict.fromkeys(ids, bad))
            answer = admin.request(method, url, json={})
            allowed = {404} if bad in BEYOND else {400, 404}
            if answer.status_code not in allowed:
                wrong.append(f"{method} {url}: {answer.status_code} {answer.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("bad", [",", ",,", "1,2", " 1", "-1", "1.5", "1e3", "٣", "abc"])
def test_open311_refuses_a_malformed_request_id_in_its_format(admin: TestClient, bad: str) -> None:
    for fmt in ("json", "xml"):
        answer = admin.get(f"/open311/v2/requests/{bad}.{fmt}")
        assert answer.status_code == 400, answer.text
        if fmt == "json":
            [error] = answer.json()
            assert error["code"] == 400 and "service_request_id" in error["description"]
        else:
            assert answer.headers["content-type"].startswith("application/xml")
            assert b"<errors><error><code>400</code>" in answer.content


def test_open311_search_by_ids_no_request_can_have_finds_none(admin: TestClient, sessions) -> None:
    answer = admin.get("/open311/v2/requests.json", params={"service_request_id": f"{MAX_ROW_ID + 1},{'9' * 25}"})
    assert answer.status_code == 200 and answer.json() == []
    assert admin.get("/open311/v2/requests.json", params={"service_request_id": "٣"}).status_code == 400


@pytest.mark.parametrize("bad", ["²", "٣", "1_000", "1e999", "nan", "Infinity"])
def test_number_fields_take_ascii_digits_only(admin: TestClient, sessions, bad: str) -> None:
    """Forms parsed by hand (float() and int() read "٣" and "²"-like digits) refuse them like any non-number."""
    plan = admin.post("/console/cleanliness/plans", data={"day": "2026-11-23", "seconds": bad, "threshold": "0.7"})
    assert plan.status_code == 400 and "seconds" in plan.text
    report = admin.post("/open311/v2/requests.json", data={
        "api_key": "none", "service_code": "STRAY_DOGS", "lat": bad, "long": str(LON)})
    assert report.status_code in (400, 403)
    assert count(sessions) == 0


# --- NUL ------------------------------------------------------------------------------------------------------------


def count(sessions: sessionmaker[Session], model: type = ServiceRequest) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def refused_for_nul(answer, path: str) -> bool:
    """400 with the message, in the format of the path."""
    if answer.status_code != 400:
        return False
    if path.startswith("/open311/"):
        return NUL_WORDS in answer.json()[0]["description"]
    if path.startswith(("/api/", "/ngsi-ld/", "/openapi.json")):
        return NUL_WORDS in answer.json()["detail"]
    return answer.headers["content-type"].startswith("text/html") and NUL_WORDS in answer.text


def test_nul_in_a_query_parameter_is_refused_on_every_route(app: FastAPI, admin: TestClient) -> None:
    wrong = []
    for endpoint in endpoints(app):
        path = filled(endpoint.path, {})
        for query in ("q=a%00b", "%00=1", "lang=en&x=%00"):
            answer = admin.request(endpoint.method, f"{path}?{query}")
            if not refused_for_nul(answer, path):
                wrong.append(f"{endpoint.method} {path}?{query!r}: {answer.status_code} {answer.text[:120]}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", ["/requests/%00", "/api/v1/territory/%00", "/open311/v2/requests/1%00.json"])
def test_nul_in_the_path_is_refused(admin: TestClient, path: str) -> None:
    assert refused_for_nul(admin.get(path), path)


def test_nul_in_a_form_is_refused_and_nothing_is_stored(client: TestClient, sessions, staff) -> None:
    token = csrf_from(client)
    answer = client.post("/login", data={"username": "admin\x00", "password": "x", "csrf_token": token})
    assert refused_for_nul(answer, "/login") and "username" in answer.text
    assert count(sessions, LoginBucket) == 0  # refused before the attempt was counted


def test_nul_in_an_open311_form_is_refused_in_its_format(admin: TestClient, sessions) -> None:
    for fmt in ("json", "xml"):
        answer = admin.post(f"/open311/v2/requests.{fmt}", data={
            "api_key": "k", "service_code": "STRAY_DOGS", "lat": str(LAT), "long": str(LON),
            "description": "a pack\x00of dogs"})
        assert answer.status_code == 400
        body = answer.text
        assert NUL_WORDS in body and "description" in body
    assert count(sessions) == 0


@pytest.mark.parametrize("body", [
    '{"at": "2026-11-23T06:40:00+01:00", "truck": "BOM\\u0000"}',
    '{"at": "2026-11-23T06:40:00+01:00", "truck\\u0000": "BOM"}',
    '{"at": "2026-11-23T06:40:00+01:00", "truck": "BOM\x00"}',
])
def test_nul_in_json_is_refused(admin: TestClient, body: str) -> None:
    answer = admin.post("/api/v1/cleanliness/containers/1/emptied", content=body,
                        headers={"content-type": "application/json"})
    assert refused_for_nul(answer, "/api/"), answer.text


def test_an_escaped_backslash_before_u0000_is_no_nul(admin: TestClient) -> None:
    answer = admin.post("/api/v1/cleanliness/containers/1/emptied",
                        content=json.dumps({"at": "2026-11-23T06:40:00+01:00", "truck": "\\u0000"}),
                        headers={"content-type": "application/json"})
    assert answer.status_code == 404  # no container 1: the body itself was taken


def report(client: TestClient, photo: bytes, **fields: str):
    form = {"csrf_token": csrf_from(client, "/report"), "service_code": "LIGHT_OUT", "lat": str(LAT),
            "lon": str(LON), "description": "Lampe éteinte", "attribute[LIGHT_OUT][extent]": "one", **fields}
    return client.post("/report", data=form, files={"photo": ("photo.jpg", photo, "image/jpeg")},
                       follow_redirects=False)


def test_nul_in_a_multipart_text_field_is_refused_but_files_may_hold_it(admin: TestClient, sessions) -> None:
    photo = picture()
    assert b"\x00" in photo
    refused = report(admin, photo, description="Lampe\x00éteinte")
    assert refused_for_nul(refused, "/report") and "description" in refused.text
    assert count(sessions) == 0
    assert report(admin, photo).status_code == 303
    assert count(sessions) == 1
