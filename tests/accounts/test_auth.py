"""Sign-in, sessions, CSRF, rate limiting, roles and API keys — through the real app on both databases."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts import service
from majal.accounts.deps import api_key, require_role
from majal.accounts.models import ApiKey, LoginBucket, User, UserSession
from majal.kit.audit import AuditEvent, utcnow
from majal.kit.errors import Conflict, MajalError
from tests.conftest import TEST_PASSWORD, csrf_from, sign_in


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_sign_in_opens_a_session_with_safe_cookies(client: TestClient, staff: dict, sessions) -> None:
    token = csrf_from(client)
    answer = client.post(
        "/login",
        data={"username": "Manager", "password": TEST_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith("majal_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    console = client.get("/console")
    assert console.status_code == 200
    assert "Manager" in console.text
    with sessions() as db:
        assert db.scalar(select(UserSession.token_digest)) != cookie.split(";")[0].split("=", 1)[1]


def test_wrong_password_is_refused_and_recorded(client: TestClient, staff: dict, sessions) -> None:
    token = csrf_from(client)
    answer = client.post(
        "/login?lang=fr", data={"username": "manager", "password": "nope", "csrf_token": token}
    )
    assert answer.status_code == 401
    assert "Nom d’utilisateur ou mot de passe incorrect" in answer.text
    assert count(sessions, UserSession) == 0
    with sessions() as db:
        counted = db.scalars(select(LoginBucket)).all()
        assert [bucket.failures for bucket in counted] == [1, 1]  # the typed username and the address
        assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "login.failure"))


@pytest.mark.parametrize("csrf", [None, "forged", ""])
def test_forms_without_a_valid_csrf_token_change_nothing(
    client: TestClient, staff: dict, sessions, csrf
) -> None:
    csrf_from(client)
    data = {"username": "manager", "password": TEST_PASSWORD}
    if csrf is not None:
        data["csrf_token"] = csrf
    answer = client.post("/login", data=data, follow_redirects=False)
    assert answer.status_code == 403
    assert "did not come from this site" in answer.text
    assert count(sessions, UserSession) == 0
    assert count(sessions, LoginBucket) == 0


def test_csrf_token_of_another_browser_is_refused(app: FastAPI, staff: dict, sessions) -> None:
    with TestClient(app) as other:
        foreign_token = csrf_from(other)
    with TestClient(app) as client:
        csrf_from(client)
        answer = client.post(
            "/login", data={"username": "manager", "password": TEST_PASSWORD, "csrf_token": foreign_token}
        )
    assert answer.status_code == 403
    assert count(sessions, UserSession) == 0


def test_the_form_token_cookie_comes_with_the_first_form_and_replaces_a_malformed_one(app: FastAPI) -> None:
    with TestClient(app) as client:
        assert "majal_csrf" not in client.get("/api/v1/territory/districts").headers.get("set-cookie", "")
        client.cookies.set("majal_csrf", "x" * 200)  # longer than any token: never used as a seed
        assert "set-cookie" not in client.get("/healthz").headers  # no page with a form: nothing to replace it with
        answer = client.get("/login")
        seed = answer.cookies.get("majal_csrf")
        assert seed and len(seed) <= 128 and seed != "None"


def test_repeated_failures_lock_the_account_for_a_while(client: TestClient, staff: dict, settings) -> None:
    token = csrf_from(client)
    for _attempt in range(settings.login_max_failures):
        client.post("/login", data={"username": "agent", "password": "wrong", "csrf_token": token})
    locked = client.post("/login", data={"username": "agent", "password": TEST_PASSWORD, "csrf_token": token})
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.text
    other = client.post(
        "/login",
        data={"username": "manager", "password": TEST_PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert other.status_code == 303


def test_expired_session_is_refused_with_a_message(client: TestClient, staff: dict, sessions) -> None:
    sign_in(client, "manager")
    with sessions.begin() as db:
        db.execute(update(UserSession).values(expires_at=utcnow() - timedelta(minutes=1)))
    answer = client.get("/console")
    assert answer.status_code == 401
    assert "Your session has expired" in answer.text


def test_idle_session_expires(client: TestClient, staff: dict, sessions, settings) -> None:
    sign_in(client, "manager")
    with sessions.begin() as db:
        db.execute(
            update(UserSession).values(
                last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
            )
        )
    assert client.get("/console").status_code == 401


def test_sign_out_ends_the_session(client: TestClient, staff: dict, sessions) -> None:
    sign_in(client, "manager")
    stolen_cookie = client.cookies.get("majal_session")
    token = csrf_from(client, "/console")
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    client.cookies.set("majal_session", stolen_cookie)
    assert client.get("/console").status_code == 401


def test_console_needs_sign_in(client: TestClient) -> None:
    answer = client.get("/console")
    assert answer.status_code == 401
    assert "Please sign in" in answer.text


@pytest.mark.parametrize(
    "target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)", "/\\evil"]
)
def test_sign_in_never_redirects_off_site(client: TestClient, staff: dict, target: str) -> None:
    token = csrf_from(client)
    answer = client.post(
        "/login",
        data={"username": "manager", "password": TEST_PASSWORD, "csrf_token": token, "next": target},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/console"


@pytest.fixture
def guarded_app(app: FastAPI) -> FastAPI:
    @app.get("/api/v1/test/managers")
    def managers_only(user: Annotated[User, Depends(require_role("manager"))]) -> dict:
        return {"username": user.username}

    @app.get("/api/v1/test/integrations")
    def integrations_only(key: Annotated[ApiKey, Depends(api_key)]) -> dict:
        return {"name": key.name}

    return app


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("manager", 200),
        ("admin", 200),
        ("agent", 403),
        ("social", 403),
        ("inspector", 403),
        (None, 401),
    ],
)
def test_require_role(guarded_app: FastAPI, staff: dict, username: str | None, status: int) -> None:
    with TestClient(guarded_app) as client:
        if username:
            sign_in(client, username)
        answer = client.get("/api/v1/test/managers")
    assert answer.status_code == status
    if status != 200:
        assert answer.json()["detail"]


def test_api_keys_are_stored_hashed_and_checked(guarded_app: FastAPI, sessions) -> None:
    with sessions.begin() as db:
        key = service.create_api_key(db, "city-dashboard")
    with sessions() as db:
        stored = db.scalar(select(ApiKey))
        assert stored is not None and key not in (stored.key_digest, stored.prefix)
    with TestClient(guarded_app) as client:
        assert client.get("/api/v1/test/integrations", headers={"X-API-Key": key}).json() == {
            "name": "city-dashboard"
        }
        assert client.get(f"/api/v1/test/integrations?api_key={key}").status_code == 200
        unknown = client.get("/api/v1/test/integrations", headers={"X-API-Key": key[:-2] + "xx"})
        assert unknown.status_code == 401
        assert unknown.json()["detail"] == "Unknown or revoked API key."
        assert client.get("/api/v1/test/integrations").status_code == 401
        with sessions.begin() as db:
            db.execute(update(ApiKey).values(revoked_at=utcnow()))
        assert client.get("/api/v1/test/integrations", headers={"X-API-Key": key}).status_code == 401


@pytest.mark.parametrize(
    ("username", "password", "role", "department", "field"),
    [
        ("ab", TEST_PASSWORD, "manager", None, "username"),
        ("name with space", TEST_PASSWORD, "manager", None, "username"),
        ("<script>", TEST_PASSWORD, "manager", None, "username"),
        ("newuser", "short", "manager", None, "password"),
        ("newuser", "x" * 1025, "manager", None, "password"),
        ("newuser", "aaaaaaaaaaaa", "manager", None, "password"),  # one character repeated
        ("newuser", "NewUser2024!", "manager", None, "password"),  # holds the username, whatever the case
        ("newuser", "newuser", "manager", None, "password"),
        ("newuser", "qwertyuiop", "manager", None, "password"),  # common passwords, whatever the case
        ("newuser", "1234567890", "manager", None, "password"),
        ("newuser", "Q1W2E3R4T5", "manager", None, "password"),
        ("newuser", TEST_PASSWORD, "mayor", None, "role"),
        ("newuser", TEST_PASSWORD, "agent", None, "department"),
        ("newuser", TEST_PASSWORD, "agent", "parks", "department"),
    ],
)
def test_bad_accounts_are_refused(sessions, username, password, role, department, field) -> None:
    with pytest.raises(MajalError) as refused, sessions.begin() as db:
        service.create_user(db, username, password, role, department)
    assert refused.value.where == field
    assert count(sessions, User) == 0


def test_usernames_are_unique_whatever_the_case(sessions) -> None:
    with sessions.begin() as db:
        service.create_user(db, "karim", TEST_PASSWORD, "manager")
    with pytest.raises(Conflict), sessions.begin() as db:
        service.create_user(db, "KARIM", TEST_PASSWORD, "manager")
    assert count(sessions, User) == 1


def test_a_password_refusal_says_why(sessions) -> None:
    reasons = {}
    for password in ("zzzzzzzzzzzz", "karim-the-boss", "qwertyuiop"):
        with pytest.raises(MajalError) as refused, sessions.begin() as db:
            service.create_user(db, "karim", password, "manager")
        reasons[password] = refused.value.message
    assert reasons == {
        "zzzzzzzzzzzz": "A password cannot be one character repeated.",
        "karim-the-boss": "A password cannot contain the username.",
        "qwertyuiop": "This password is one of the most common ones: choose another.",
    }
    with sessions.begin() as db:  # long, unusual, and unlike the name: accepted
        service.create_user(db, "karim", "tajine under the olive tree", "manager")


def test_the_common_password_list_is_shipped_whole() -> None:
    from majal.kit import security

    listed = security._common_passwords()
    assert len(listed) == 10_000
    assert {"password", "123456", "qwertyuiop"} <= listed
