"""Whose address counts: the connection's peer, unless it is a proxy named in MAJAL_TRUSTED_PROXIES — through a
real Uvicorn on loopback, started as `majal serve` starts it, on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts.service import IP_FAILURE_FACTOR
from majal.app import create_app
from majal.config import Settings
from majal.kit.audit import AuditEvent
from tests.conftest import CSRF_INPUT
from tests.live import serving

MAX_FAILURES = 2
ADDRESS_LIMIT = MAX_FAILURES * IP_FAILURE_FACTOR


@pytest.fixture
def served(engine, settings: Settings, request: pytest.FixtureRequest) -> Iterator[str]:
    trusted = getattr(request, "param", "")
    app = create_app(settings.model_copy(update={"login_max_failures": MAX_FAILURES, "trusted_proxies": trusted}))
    try:
        with serving(app) as url:
            yield url
    finally:
        app.state.engine.dispose()


def failed_sign_ins(url: str, count: int) -> list[int]:
    """`count` wrong passwords, each for another name and each claiming another client in X-Forwarded-For."""
    statuses = []
    with httpx2.Client(base_url=url, timeout=60.0) as browser:
        token = CSRF_INPUT.search(browser.get("/login").text)
        assert token is not None
        for number in range(count):
            answer = browser.post(
                "/login", headers={"X-Forwarded-For": f"203.0.113.{number + 1}"},
                data={"username": f"nobody{number}", "password": "wrong password 1", "csrf_token": token.group(1)},
            )
            statuses.append(answer.status_code)
    return statuses


def failure_addresses(sessions: sessionmaker[Session]) -> list[str | None]:
    with sessions() as db:
        failures = select(AuditEvent.ip).where(AuditEvent.action == "login.failure").order_by(AuditEvent.id)
        return list(db.scalars(failures))


def test_forged_forwarded_for_changes_nothing_without_a_trusted_proxy(served: str, sessions) -> None:
    statuses = failed_sign_ins(served, ADDRESS_LIMIT + 1)
    assert statuses == [401] * ADDRESS_LIMIT + [429]  # the address limit trips whatever the header claims
    assert failure_addresses(sessions) == ["127.0.0.1"] * ADDRESS_LIMIT


@pytest.mark.parametrize("served", ["127.0.0.1", "10.0.0.0/8, 127.0.0.0/8"], indirect=True)
def test_a_trusted_proxy_names_the_client(served: str, sessions) -> None:
    statuses = failed_sign_ins(served, ADDRESS_LIMIT + 1)
    assert statuses == [401] * (ADDRESS_LIMIT + 1)  # each forwarded client has its own count
    assert failure_addresses(sessions) == [f"203.0.113.{n + 1}" for n in range(ADDRESS_LIMIT + 1)]


@pytest.mark.parametrize("served", ["192.0.2.7"], indirect=True)
def test_a_proxy_that_is_not_this_peer_is_not_believed(served: str, sessions) -> None:
    failed_sign_ins(served, 2)
    assert failure_addresses(sessions) == ["127.0.0.1", "127.0.0.1"]


@pytest.mark.parametrize("value", ["localhost", "127.0.0.1, nonsense", "300.1.1.1", "10.0.0.0/33"])
def test_trusted_proxies_must_be_addresses_or_networks(value: str) -> None:
    with pytest.raises(ValidationError, match="not an IP address or network"):
        Settings(trusted_proxies=value)


def test_no_trusted_proxy_by_default() -> None:
    assert Settings().trusted_proxy_list == []
    assert Settings(trusted_proxies=" 127.0.0.1 ,, ::1 ").trusted_proxy_list == ["127.0.0.1", "::1"]
