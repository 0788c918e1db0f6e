"""Failed sign-ins: counted atomically under parallel attempts, a pause that grows but ends, unlocking by an admin,
and typed usernames kept only as keyed hashes — on both databases."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from majal.accounts import service
from majal.accounts.models import LoginBucket
from majal.app import create_app
from majal.cli import app as cli_app
from majal.config import Settings
from majal.kit.audit import AuditEvent, utcnow
from majal.kit.security import keyed_digest
from tests.conftest import CSRF_INPUT, TEST_PASSWORD, csrf_from
from tests.live import serving

PARALLEL = 20


def attempt(client: TestClient, username: str, password: str, token: str) -> int:
    answer = client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                         follow_redirects=False)
    return answer.status_code


def user_bucket(sessions: sessionmaker[Session], settings: Settings, username: str) -> LoginBucket | None:
    with sessions() as db:
        return db.get(LoginBucket, keyed_digest(settings.resolved_secret_key, f"login-user:{username}"))


def audit_count(sessions: sessionmaker[Session], action: str) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)) or 0)


def end_the_pause(sessions: sessionmaker[Session]) -> None:
    """As if the pause had run out: the time passes in the database, not in the test."""
    with sessions.begin() as db:
        db.execute(update(LoginBucket).where(LoginBucket.locked_until.is_not(None))
                   .values(locked_until=utcnow() - timedelta(seconds=1)))


def test_parallel_wrong_passwords_check_at_most_the_limit(app: FastAPI, staff: dict, sessions, settings) -> None:
    """20 browsers send a wrong password at the same moment to a real server: only `login_max_failures` of them
    get their password checked (401, each with its login.failure event); the others are refused (429) unchecked."""
    statuses: Counter[int] = Counter()
    ready = threading.Barrier(PARALLEL)

    def browser(url: str) -> None:
        with httpx2.Client(base_url=url, timeout=60.0) as http:
            token = CSRF_INPUT.search(http.get("/login").text)
            assert token is not None
            ready.wait(timeout=60)
            answer = http.post("/login", data={"username": "agent", "password": "wrong password 1",
                                               "csrf_token": token.group(1)})
            statuses[answer.status_code] += 1

    with serving(app) as url:
        threads = [threading.Thread(target=browser, args=(url,)) for _ in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert statuses == {401: settings.login_max_failures, 429: PARALLEL - settings.login_max_failures}
    assert audit_count(sessions, "login.failure") == settings.login_max_failures
    counted = user_bucket(sessions, settings, "agent")
    assert counted is not None and counted.failures == settings.login_max_failures


def test_the_pause_doubles_with_each_lockout_and_is_bounded(client: TestClient, staff: dict, sessions,
                                                            settings) -> None:
    token = csrf_from(client)
    window = timedelta(minutes=settings.login_window_minutes)
    pauses = []
    for _lockout in range(3):
        for _failure in range(settings.login_max_failures):
            assert attempt(client, "agent", "wrong password 1", token) == 401
        assert attempt(client, "agent", TEST_PASSWORD, token) == 429  # even the right password waits
        counted = user_bucket(sessions, settings, "agent")
        assert counted is not None and counted.locked_until is not None
        pauses.append(service._aware(counted.locked_until) - service._aware(counted.window_start))
        end_the_pause(sessions)
    # From the first failure of the window to the end of the pause: the pause, plus the time the failures took.
    for pause, expected in zip(pauses, [window, 2 * window, 4 * window], strict=True):
        assert timedelta(0) <= pause - expected < timedelta(seconds=60)
    policy = service.LoginPolicy(max_failures=5, window=window, idle=window, lifetime=window)
    assert service.pause_after(10, policy) == policy.max_pause == timedelta(hours=24)
    assert service.pause_after(10**6, policy) == policy.max_pause


def test_the_owner_signs_in_once_the_pause_is_over_and_starts_afresh(client: TestClient, staff: dict, sessions,
                                                                    settings) -> None:
    token = csrf_from(client)
    for _failure in range(settings.login_max_failures):
        attempt(client, "agent", "wrong password 1", token)
    locked = client.post("/login", data={"username": "agent", "password": TEST_PASSWORD, "csrf_token": token})
    assert locked.status_code == 429
    assert f"Try again in {settings.login_window_minutes} minutes" in locked.text
    end_the_pause(sessions)
    assert attempt(client, "agent", TEST_PASSWORD, token) == 303
    assert user_bucket(sessions, settings, "agent") is None  # the lockouts in a row are forgotten too


def test_an_admin_unlocks_an_account_at_once(client: TestClient, staff: dict, sessions, settings, cli_env,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAJAL_SECRET_KEY", settings.resolved_secret_key)
    token = csrf_from(client)
    for _failure in range(settings.login_max_failures):
        attempt(client, "agent", "wrong password 1", token)
    assert attempt(client, "agent", TEST_PASSWORD, token) == 429
    runner = CliRunner()
    unknown = runner.invoke(cli_app, ["users", "unlock", "nobody"])
    assert unknown.exit_code == 1
    assert "There is no account named nobody" in unknown.output
    done = runner.invoke(cli_app, ["users", "unlock", "Agent"])
    assert done.exit_code == 0, done.output
    assert "Unlocked agent" in done.output
    assert attempt(client, "agent", TEST_PASSWORD, token) == 303
    assert audit_count(sessions, "user.unlock") == 1


def test_a_pause_on_one_account_leaves_the_others_alone(client: TestClient, staff: dict, settings) -> None:
    token = csrf_from(client)
    for _failure in range(settings.login_max_failures):
        attempt(client, "agent", "wrong password 1", token)
    assert attempt(client, "agent", TEST_PASSWORD, token) == 429
    assert attempt(client, "manager", TEST_PASSWORD, token) == 303


def test_successful_sign_ins_give_the_address_its_attempts_back(client: TestClient, staff: dict,
                                                                settings) -> None:
    """An office signs in all day from one address: only failures count against it."""
    token = csrf_from(client)
    for _round in range(settings.login_max_failures * service.IP_FAILURE_FACTOR + 1):
        assert attempt(client, "manager", TEST_PASSWORD, token) == 303


def test_typed_usernames_are_kept_only_as_keyed_hashes(client: TestClient, staff: dict, sessions) -> None:
    typed = "my-password-typed-in-the-wrong-box"
    assert attempt(client, typed, "wrong password 1", csrf_from(client)) == 401
    with sessions() as db:
        rows = [*db.scalars(select(LoginBucket)), *db.scalars(select(AuditEvent))]
        stored = " ".join(str(getattr(row, column.key)) for row in rows for column in row.__table__.columns)
        failure = db.scalar(select(AuditEvent).where(AuditEvent.action == "login.failure"))
    assert typed not in stored
    assert failure is not None and failure.actor == service.UNKNOWN_ACTOR


def test_counters_of_long_quiet_buckets_are_dropped(client: TestClient, staff: dict, sessions) -> None:
    long_ago = utcnow() - timedelta(days=3)
    with sessions.begin() as db:
        db.add(LoginBucket(key="q" * 64, failures=3, window_start=long_ago, locked_until=long_ago, lockouts=2))
        db.add(LoginBucket(key="r" * 64, failures=3, window_start=utcnow(), lockouts=0))
    attempt(client, "manager", "wrong password 1", csrf_from(client))
    with sessions() as db:
        keys = set(db.scalars(select(LoginBucket.key)))
    assert "q" * 64 not in keys
    assert "r" * 64 in keys


@pytest.mark.parametrize(("username", "status"), [("", 401), (" ", 401), ("x" * 200, 401), ("<script>", 401),
                                                ("agent\x00", 400)])  # a NUL byte is refused before sign-in
def test_odd_usernames_are_refused_like_any_wrong_one(client: TestClient, staff: dict, username: str,
                                                      status: int) -> None:
    assert attempt(client, username, TEST_PASSWORD, csrf_from(client)) == status


def test_the_limit_is_the_setting(engine, staff: dict, settings) -> None:
    strict = create_app(settings.model_copy(update={"login_max_failures": 2}))
    try:
        with TestClient(strict) as client:
            token = csrf_from(client)
            assert [attempt(client, "agent", "wrong password 1", token) for _ in range(3)] == [401, 401, 429]
    finally:
        strict.state.engine.dispose()
