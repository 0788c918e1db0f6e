"""The citizen portal: report with a photo, "is it one of these?", tracking, following; bad input changes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from majal.requests import service as requests
from majal.requests.models import RequestPhoto, RequestSubscription, ServiceRequest
from majal.territory.demo import BERKANE_CENTRE
from tests.conftest import csrf_from
from tests.requests.test_photos import picture

LON, LAT = BERKANE_CENTRE


@pytest.fixture
def portal(client: TestClient, sessions: sessionmaker[Session], demo_territory) -> TestClient:
    with sessions.begin() as db:
        requests.seed_catalogue(db)
    return client


def count(sessions: sessionmaker[Session], model: type = ServiceRequest) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def send(client: TestClient, photo: bytes | None = None, filename: str = "photo.jpg", **fields: str):
    form = {"csrf_token": csrf_from(client, "/report"), "service_code": "LIGHT_OUT", "lat": str(LAT),
            "lon": str(LON), "description": "Lampe éteinte devant l’école", "attribute[LIGHT_OUT][extent]": "one",
            "attribute[BIN_FULL][bags_around]": "12", **fields}  # another service's answer: ignored
    files = {"photo": (filename, photo, "image/jpeg")} if photo is not None else None
    return client.post("/report", data=form, files=files, follow_redirects=False)


def test_a_report_with_a_photo_gets_a_tracking_code(portal: TestClient, sessions, settings) -> None:
    answer = send(portal, picture(), email="amina@example.ma")
    assert answer.status_code == 303, answer.text
    page = portal.get(answer.headers["location"])
    code = re.search(r"[A-Z2-9]{3}-[A-Z2-9]{3}-[A-Z2-9]{3}", page.text)
    assert code, "the confirmation shows the tracking code"
    assert "amina@example.ma" not in page.text
    with sessions() as db:
        photo = db.scalar(select(RequestPhoto))
        assert photo is not None
    files = sorted(p.name for p in (settings.data_dir / "media" / "requests").iterdir())
    assert files == [f"{photo.name}-display.jpg", f"{photo.name}-full.jpg"]
    served = portal.get(f"/media/requests/{photo.name}-display.jpg")
    assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in served.content[:200]
    found = portal.get(f"/track?code={code.group(0).lower()}", follow_redirects=False)
    assert found.headers["location"] == answer.headers["location"].split("?")[0]


def test_nearby_reports_are_offered_before_a_duplicate_is_filed(portal: TestClient, sessions) -> None:
    first = send(portal)
    assert first.status_code == 303
    link = first.headers["location"].split("?")[0] + "#follow"
    again = send(portal, lat=str(LAT + 0.0002))  # about 22 m north
    assert again.status_code == 200
    assert link in again.text and 'name="confirm_new"' in again.text
    assert count(sessions) == 1
    fragment = portal.get("/report/nearby", params={"service_code": "LIGHT_OUT", "lat": LAT, "lon": LON})
    assert link in fragment.text
    far = portal.get("/report/nearby", params={"service_code": "LIGHT_OUT", "lat": LAT + 0.001, "lon": LON})
    assert "/requests/" not in far.text  # 110 m away: not the same lamp
    assert send(portal, lat=str(LAT + 0.0002), confirm_new="1").status_code == 303
    assert count(sessions) == 2


def test_following_a_report(portal: TestClient, sessions) -> None:
    page = send(portal).headers["location"].split("?")[0]
    token = csrf_from(portal, page)
    answer = portal.post(f"{page}/follow", data={"csrf_token": token, "email": "voisin@example.ma"},
                         follow_redirects=False)
    assert answer.status_code == 303
    with sessions() as db:
        subscription = db.scalar(select(RequestSubscription))
        assert subscription is not None and "voisin" not in subscription.contact_sealed
    refused = portal.post(f"{page}/follow", data={"csrf_token": token})
    assert refused.status_code == 400
    assert count(sessions, RequestSubscription) == 1


@pytest.mark.parametrize(("photo", "filename", "fields", "words"), [
    (None, "", {"service_code": ""}, "service_code"),
    (None, "", {"service_code": "NOPE"}, "service_code"),
    (None, "", {"lat": "", "lon": ""}, "location"),
    (None, "", {"lat": "48.85", "lon": "2.35"}, "outside"),
    (b"%PDF-1.4 not a photo", "scan.jpg", {}, "not a JPEG"),
    (b"\xff\xd8\xff" + b"\x00" * (30 * 1024 * 1024), "huge.jpg", {}, "10 MB"),
    (None, "", {"email": "nope"}, "email"),
    (None, "", {"attribute[LIGHT_OUT][extent]": ""}, "extent"),
    (None, "", {"attribute[LIGHT_OUT][extent]": "half"}, "half"),
])
def test_bad_reports_are_refused_with_a_message(portal, sessions, settings, photo, filename, fields, words) -> None:
    answer = send(portal, photo, filename or "photo.jpg", **fields)
    assert answer.status_code in (400, 413), answer.text[:300]
    assert words.lower() in answer.text.lower()
    assert count(sessions) == 0
    assert not (settings.data_dir / "media").exists()


def test_a_report_without_a_pin_uses_the_district(portal: TestClient, sessions) -> None:
    assert send(portal, lat="", lon="", district="BRK-04", address="Près de la mosquée").status_code == 303
    with sessions() as db:
        stored = db.scalar(select(ServiceRequest))
        assert stored is not None and stored.lat is None and stored.district_id is not None


def test_hostile_text_is_shown_as_text(portal: TestClient) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    location = send(portal, description=hostile).headers["location"]
    page = portal.get(location).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;script&gt;" in portal.get("/requests").text or hostile not in portal.get("/requests").text


def test_anonymous_reports_are_rate_limited(portal: TestClient, sessions) -> None:
    for index in range(requests.REPORTS_PER_HOUR):
        assert send(portal, district="BRK-01", lat="", lon="", address=f"n° {index}").status_code == 303
    limited = send(portal, district="BRK-01", lat="", lon="")
    assert limited.status_code == 429
    assert count(sessions) == requests.REPORTS_PER_HOUR


def test_unknown_tracking_code(portal: TestClient) -> None:
    answer = portal.get("/track", params={"code": "AAA-BBB-CCC"})
    assert answer.status_code == 404 and "tracking code" in answer.text


def test_public_list_and_page_show_no_personal_data(portal: TestClient) -> None:
    page = send(portal, name="Amina Tazi", phone="+212 661 234 567").headers["location"].split("?")[0]
    for path in ("/requests", "/requests?state=all", page, "/open311/v2/requests.json"):
        text = portal.get(path).text
        assert "Tazi" not in text and "661 234" not in text
