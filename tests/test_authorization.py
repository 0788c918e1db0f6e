"""Who may call what: a declarative table, identity × endpoint, and a test that tries every cell.

Every endpoint of the app must have a row: a new endpoint without one fails here until its access is decided."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service
from majal.kit import jobs
from majal.requests import service as requests
from majal.requests.schemas import Submission
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in
from tests.registry.matching.test_matching import matching_records
from tests.routes import endpoints

IDENTITIES = ("anonymous", "admin", "manager", "agent", "social", "inspector", "officer", "api_key")
STAFF = frozenset({"admin", "manager", "agent", "social", "inspector", "officer"})
EVERYONE = frozenset(IDENTITIES)
# The agent works in public lighting: a lighting request is in their queue, a roads request is another department's.
LIGHTING_QUEUE = frozenset({"admin", "manager", "agent"})
ROADS_QUEUE = frozenset({"admin", "manager"})
REQUEST_QUEUES = frozenset({"admin", "manager", "agent", "inspector"})
# Waste collection is for the cleanliness department (the agent here works in lighting), managers and admins;
# sensors and trucks' on-board units post readings and emptyings with an API key.
CLEANLINESS = frozenset({"admin", "manager"})
CLEANLINESS_FEEDS = frozenset({"admin", "manager", "api_key"})
LIGHTING = frozenset({"admin", "manager", "agent"})  # the agent is the lighting department's


@dataclass(frozen=True)
class Case:
    """One cell group: the path parameters to use, and who is allowed with them."""

    path: dict[str, str]
    allowed: frozenset[str]


# The social worker works in the commune BERKANE: a household there is theirs; one of OUJDA is another commune's
# (the cell "social worker outside their commune" is the second case of each household row).
OWN_HOUSEHOLD = frozenset({"admin", "social"})
REGISTRY_STAFF = frozenset({"admin", "social"})
OFFICERS = frozenset({"admin", "officer"})
MATCHING_STAFF = frozenset({"admin", "social", "officer"})  # programme officers see every commune's pairs


def per_commune() -> tuple[Case, ...]:
    return (Case({"household_id": "berkane"}, OWN_HOUSEHOLD), Case({"household_id": "oujda"}, frozenset({"admin"})))


def per_commune_pair(name: str = "pair") -> tuple[Case, ...]:
    return (Case({f"{name}_id": f"berkane_{name}"}, MATCHING_STAFF),
            Case({f"{name}_id": f"oujda_{name}"}, MATCHING_STAFF - {"social"}))


def per_department(allowed_lighting: frozenset[str] = LIGHTING_QUEUE,
                   allowed_roads: frozenset[str] = ROADS_QUEUE) -> tuple[Case, ...]:
    return (Case({"request_id": "lighting"}, allowed_lighting), Case({"request_id": "roads"}, allowed_roads))

# (method, path) → the identities allowed (or cases, when it depends on the record); the others get 401 or 403.
MATRIX: dict[tuple[str, str], frozenset[str] | tuple[Case, ...]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): EVERYONE,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/console"): STAFF,
    # counts only; an agent's are their department's (programme officers have no part in service requests)
    ("GET", "/console/requests/dashboard"): STAFF - {"officer"},
    # open reports' whereabouts are operational data, even on a grid
    ("GET", "/api/v1/requests/heat"): STAFF - {"officer"},
    ("GET", "/api/v1/territory/commune"): EVERYONE,
    ("GET", "/api/v1/territory/districts"): EVERYONE,
    ("GET", "/api/v1/territory/locate"): EVERYONE,
    ("GET", "/open311/v2/services.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/services/{service_code}.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/requests.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/requests/{service_request_id}.{fmt}"): EVERYONE,
    ("GET", "/open311/v2/tokens/{token}.{fmt}"): EVERYONE,
    ("POST", "/open311/v2/requests.{fmt}"): frozenset({"api_key"}),  # integrations post; citizens use the portal
    ("GET", "/report"): EVERYONE,
    ("POST", "/report"): EVERYONE,
    ("GET", "/report/nearby"): EVERYONE,
    ("GET", "/requests"): EVERYONE,
    ("GET", "/requests/{request_id}"): EVERYONE,
    ("POST", "/requests/{request_id}/follow"): EVERYONE,
    ("GET", "/track"): EVERYONE,
    ("GET", "/media/requests/{name}-{size}.jpg"): EVERYONE,
    ("GET", "/console/requests"): REQUEST_QUEUES,
    ("GET", "/console/requests/{request_id}"): per_department(),
    ("POST", "/console/requests/{request_id}/status"): per_department(),
    ("POST", "/console/requests/{request_id}/note"): per_department(),
    ("POST", "/console/requests/{request_id}/assign"): per_department(),
    ("POST", "/console/requests/{request_id}/duplicate"): per_department(),
    ("GET", "/console/cleanliness"): CLEANLINESS,
    ("POST", "/console/cleanliness/plans"): CLEANLINESS,
    ("GET", "/console/cleanliness/plans/{plan_id}"): CLEANLINESS,
    ("GET", "/console/cleanliness/plans/{plan_id}/routes/{route_id}"): CLEANLINESS,
    ("POST", "/api/v1/cleanliness/containers/{container_id}/fill"): CLEANLINESS_FEEDS,
    ("POST", "/api/v1/cleanliness/containers/{container_id}/emptied"): CLEANLINESS_FEEDS,
    ("GET", "/api/v1/cleanliness/containers/{container_id}/forecast"): CLEANLINESS,
    ("GET", "/api/v1/cleanliness/plans/{plan_id}"): CLEANLINESS,
    ("GET", "/api/v1/cleanliness/plans/{plan_id}/map"): CLEANLINESS,
    ("GET", "/ngsi-ld/v1/entities"): EVERYONE,  # the lighting inventory is open data
    ("GET", "/api/v1/lighting/streetlights"): LIGHTING,
    ("GET", "/console/lighting"): LIGHTING,
    ("GET", "/console/lighting/map"): LIGHTING,
    ("GET", "/console/lighting/cabinets/{cabinet_id}"): LIGHTING,
    ("GET", "/console/lighting/work-orders"): LIGHTING,
    ("POST", "/console/lighting/work-orders/{work_order_id}/status"): LIGHTING,
    ("GET", "/console/lighting/retrofit"): LIGHTING,
    ("POST", "/console/lighting/cabinets/{cabinet_id}/programme"): LIGHTING,
    ("GET", "/console/lighting/programmes"): LIGHTING,
    ("POST", "/console/lighting/programmes"): LIGHTING,
    ("GET", "/console/registry"): REGISTRY_STAFF,
    ("GET", "/console/registry/find"): REGISTRY_STAFF,
    ("GET", "/console/registry/households/{household_id}"): per_commune(),
    ("POST", "/console/registry/households/{household_id}/correct"): per_commune(),
    ("POST", "/console/registry/households/{household_id}/verify"): per_commune(),
    ("POST", "/console/registry/households/{household_id}/review"): per_commune(),
    ("POST", "/console/registry/reviews/{review_id}/close"): (
        Case({"review_id": "berkane_review"}, OWN_HOUSEHOLD),
        Case({"review_id": "oujda_review"}, frozenset({"admin"}))),
    ("GET", "/console/registry/dashboard"): OFFICERS,
    ("GET", "/console/registry/move"): OFFICERS,
    ("GET", "/console/registry/households/{household_id}/move"): OFFICERS,
    ("POST", "/console/registry/households/{household_id}/move"): OFFICERS,
    ("POST", "/console/registry/cycles"): OFFICERS,
    ("POST", "/console/registry/cycles/{cycle_id}/advance"): OFFICERS,
    ("POST", "/console/registry/cycles/{cycle_id}/cancel"): OFFICERS,
    ("GET", "/registry/status"): EVERYONE,
    ("POST", "/registry/status"): EVERYONE,
    ("POST", "/registry/review"): EVERYONE,
    ("GET", "/api/v1/registry/households/{household_id}"): per_commune(),
    ("POST", "/api/v1/registry/households/{household_id}/corrections"): per_commune(),
    # the commune decides who sees a household: moving it is a programme officer's act, for any commune
    ("POST", "/api/v1/registry/households/{household_id}/move"): OFFICERS,
    ("GET", "/api/v1/registry/households/{household_id}/moves"): (
        Case({"household_id": "berkane"}, OWN_HOUSEHOLD | OFFICERS), Case({"household_id": "oujda"}, OFFICERS)),
    ("GET", "/api/v1/registry/verification-due"): REGISTRY_STAFF,
    ("GET", "/api/v1/registry/targeting"): OFFICERS,
    ("GET", "/api/v1/registry/cycles"): OFFICERS,
    ("POST", "/api/v1/registry/cycles/{cycle_id}/cancel"): OFFICERS,
    ("POST", "/api/v1/registry/reviews"): EVERYONE,
    ("GET", "/console/registry/matching"): MATCHING_STAFF,
    ("POST", "/console/registry/matching/run"): MATCHING_STAFF,
    ("GET", "/console/registry/matching/pairs/{pair_id}"): per_commune_pair(),
    ("POST", "/console/registry/matching/pairs/{pair_id}/decide"): per_commune_pair(),
    ("POST", "/console/registry/matching/merges/{merge_id}/undo"): per_commune_pair("merge"),
    ("GET", "/api/v1/registry/matches"): MATCHING_STAFF,
    ("GET", "/api/v1/registry/matches/{pair_id}"): per_commune_pair(),
    ("POST", "/api/v1/registry/matches/{pair_id}/decision"): per_commune_pair(),
    ("POST", "/api/v1/registry/merges/{merge_id}/undo"): per_commune_pair("merge"),
    ("POST", "/api/v1/registry/entitlement"): REGISTRY_STAFF | OFFICERS,
    # a job is stopped or started again by whoever queued it (here the manager), or an administrator
    ("POST", "/console/jobs/{job_id}/cancel"): (Case({"job_id": "manager_job"}, frozenset({"admin", "manager"})),),
    ("POST", "/console/jobs/{job_id}/retry"): (Case({"job_id": "manager_job"}, frozenset({"admin", "manager"})),),
}
# Values for path parameters, and what each call needs beyond the identity: query parameters or form fields.
PATH = {"fmt": "json", "service_code": "LIGHT_OUT", "service_request_id": "lighting", "token": "unknown",
        "request_id": "lighting", "name": "0" * 32, "size": "display", "plan_id": "999999", "route_id": "999999",
        "container_id": "999999", "cabinet_id": "1", "work_order_id": "1", "household_id": "berkane",
        "review_id": "berkane_review", "cycle_id": "cycle", "pair_id": "berkane_pair",
        "merge_id": "berkane_merge"}
QUERY = {"/api/v1/territory/locate": {"lat": "34.92", "lon": "-2.32"}, "/console/registry/find": {"number": "1"},
         "/console/registry/move": {"number": "1"},
         "/ngsi-ld/v1/entities": {"type": "Streetlight"}}
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
def records(sessions: sessionmaker[Session], demo_territory) -> dict[str, str]:
    """A lighting request and a roads request: the symbolic ids the cases use, resolved to real ones."""
    with sessions.begin() as db:
        requests.seed_catalogue(db)
        made = {
            department: requests.submit(db, Submission(code, "", "34.92", "-2.32", attributes=answers),
                                        "matrix-secret", source="web", actor="test").id
            for department, code, answers in (("lighting", "LIGHT_OUT", {"extent": ["one"]}),
                                              ("roads", "POTHOLE", {"size": ["small"]}))
        }
        made |= registry_records(db)
        made |= matching_records(db)
        made["manager_job"] = jobs.enqueue(db, "test.kind", {}, actor="manager").id
    return {name: str(value) for name, value in made.items()}


def registry_records(db: Session) -> dict[str, int]:
    """A household of BERKANE and one of OUJDA, each with an open review, and a draft cycle."""
    from majal.registry import repository
    from majal.registry import service as registry
    from majal.registry.models import Cycle
    from majal.registry.pmt import data
    from majal.registry.service import reviews as registry_reviews
    from tests.registry.builders import household, member

    households = [household(household_id=1, commune="BERKANE"), household(household_id=2, commune="OUJDA")]
    members = [member(household_id=1), member(household_id=2)]
    files = data.PopulationFiles(data.records_frame(households, data.HOUSEHOLD_COLUMNS),
                                 data.records_frame(members, data.MEMBER_COLUMNS), None, data.Sources())
    registry.import_population(db, files, secret="matrix-secret", actor="test")
    reviews = {}
    for name, household_id in (("berkane_review", 1), ("oujda_review", 2)):
        found = repository.household(db, household_id)
        reviews[name] = registry_reviews._new_review(db, found, "test", "check", None, None).id
    cycle = Cycle(programme="asd", period="2099-12", status="paid", as_of=date(2099, 12, 31), model_version="m",
                  rule="r", comparator="<=", threshold=9.7, beneficiaries=0, total_amount=0, created_by="test")
    db.add(cycle)
    db.flush()
    return {"berkane": 1, "oujda": 2, **reviews, "cycle": cycle.id}


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


def cases(rule: frozenset[str] | tuple[Case, ...]) -> tuple[Case, ...]:
    return rule if isinstance(rule, tuple) else (Case({}, rule),)


@pytest.mark.parametrize("identity", IDENTITIES)
def test_every_cell(caller, records: dict[str, str], identity: str) -> None:
    wrong = []
    who = caller(identity)
    for (method, path), rule in sorted(MATRIX.items()):
        for case in cases(rule):
            values = {name: records.get(value, value) for name, value in {**PATH, **case.path}.items()}
            status = call(who, method, path, values)
            if method != "GET":
                who = caller(identity)  # the call may have changed who is signed in
            assert status < 500, f"{method} {path} {case.path} as {identity}: {status}"
            refused = status in (401, 403)
            if refused == (identity in case.allowed):
                expected = "allowed" if identity in case.allowed else "refused"
                wrong.append(f"{method} {path} {case.path} as {identity}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def call(who: Caller, method: str, path: str, values: dict[str, str]) -> int:
    url = re.sub(r"\{([^}:]+)(?::\w+)?\}", lambda match: values[match.group(1)], path)
    if method == "GET":
        return who.client.get(url, params=QUERY.get(path), headers=who.headers, follow_redirects=False).status_code
    form = {**FORM.get((method, path), {}), "csrf_token": csrf_from(who.client)}
    return who.client.request(method, url, data=form, headers=who.headers, follow_redirects=False).status_code
