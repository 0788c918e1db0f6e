"""Who may call what: a declarative table, identity × endpoint, and a test that tries every cell.

Every endpoint of the app must have a row: a new endpoint without one fails here until its access is decided."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in
from tests.routes import endpoints

IDENTITIES = ("anonymous", "admin", "manager", "agent", "social", "inspector", "api_key")
STAFF = frozenset({"admin", "manager", "agent", "social", "inspector"})
EVERYONE = frozenset(IDENTITIES)

# (method, path) → the identities allowed; everyone else must get 401 or 403.
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/console"): STAFF,
    ("GET", "/api/v1/territory/commune"): EVERYONE,
    ("GET", "/api/v1/territory/districts"): EVERYONE,
    ("GET", "/api/v1/territory/locate"): EVERYONE,
    ("GET", "/open311/v2/services.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/services/{service_code}.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/requests.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/tokens/{token}.{fmt}"): EVERYONE,
    ("POST", "/open311/v2/requests.{fmt}"): frozenset({"api_key"}),  # integrations post; citizens use the portal
}
# Values for path parameters, and what each call needs beyond the identity: query parameters or form fields.
PATH = {"fmt": "json", "service_code": "LIGHT_OUT", "service_request_id": "1", "token": "unknown"}
QUERY = {"/api/v1/territory/locate": {"lat": "34.92", "lon": "-2.32"}}
FORM = {("POST", "/login"): {"username": "manager", "password": TEST_PASSWORD}}


@dataclass
class Caller:
    client: TestClient
    headers: dict[str, str]


def test_every_endpoint_has_a_row(app) -> None:
    found = {(e.method, e.path) for e in endpoints(app)}
    assert not found - MATRIX.keys(), f"decide who may call these, in MATRIX: {sorted(found - MATRIX.keys())}"
    assert not MATRIX.keys() - found, f"rows for endpoints that no longer exist: {sorted(MATRIX.keys() - found)}"


@pytest.fixture
def caller(client: TestClient, staff: dict, sessions: sessionmaker[Session]) -> Callable[[str], Caller]:
    with sessions.begin() as db:
        key = service.create_api_key(db, "authorization matrix")

    def make(identity: str) -> Caller:
        client.cookies.clear()
        if identity in STAFF:
            sign_in(client, identity)
        return Caller(client, {"X-API-Key": key} if identity == "api_key" else {})

    return make


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_cell(caller, demo_territory, identity: str) -> None:
    wrong = []
    who = caller(identity)
    for (method, path), allowed in sorted(MATRIX.items()):
        status = call(who, method, path)
        if method != "GET":
            who = caller(identity)  # the call may have changed who is signed in
        assert status < 500, f"{method} {path} as {identity}: {status}"
        refused = status in (401, 403)
        if refused == (identity in allowed):
            expected = "allowed" if identity in allowed else "refused"
            wrong.append(f"{method} {path} as {identity}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def call(who: Caller, method: str, path: str) -> int:
    url = re.sub(r"\{([^}]+)\}", lambda match: PATH[match.group(1)], path)
    if method == "GET":
        return who.client.get(url, params=QUERY.get(path), headers=who.headers, follow_redirects=False).status_code
    form = {**FORM.get((method, path), {}), "csrf_token": csrf_from(who.client)}
    return who.client.request(method, url, data=form, headers=who.headers, follow_redirects=False).status_code
