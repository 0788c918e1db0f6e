"""Password hashing cost: strong by default everywhere (app and CLI); the suite's cheap cost is only ever chosen
explicitly, and a hash made at it is upgraded at the next sign-in once the strong cost is in force."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import argon2
import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from majal.accounts.models import User
from majal.app import create_app
from majal.config import Settings
from majal.kit import cli as kit_cli
from majal.kit import security
from tests.conftest import SUITE_HASH_COST, sign_in

# RFC 9106's second recommended option ("low memory"), argon2-cffi's default: argon2id, 3 passes over 64 MiB, 4 lanes.
STRONG = argon2.Parameters(type=argon2.Type.ID, version=19, salt_len=16, hash_len=32, time_cost=3,
                           memory_cost=64 * 1024, parallelism=4)


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No MAJAL_PASSWORD_HASH_COST, as on an install; the suite's cost is restored afterwards."""
    monkeypatch.delenv("MAJAL_PASSWORD_HASH_COST", raising=False)
    kit_cli.settings.cache_clear()
    yield monkeypatch
    kit_cli.settings.cache_clear()
    security.use_hash_cost(SUITE_HASH_COST)


def made_with(password_hash: str) -> argon2.Parameters:
    return argon2.extract_parameters(password_hash)


def test_the_app_hashes_at_the_strong_cost_by_default(production_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    security.use_hash_cost(security.HashCost.test)
    settings = Settings(data_dir=tmp_path, secret_key="k")
    assert settings.password_hash_cost is security.HashCost.strong
    create_app(settings).state.engine.dispose()
    assert security.hash_cost() is security.HashCost.strong
    assert made_with(security.hash_password("tajine under the olive tree")) == STRONG


def test_the_cli_hashes_at_the_strong_cost_by_default(production_env: pytest.MonkeyPatch) -> None:
    security.use_hash_cost(security.HashCost.test)
    kit_cli.settings()
    assert made_with(security.hash_password("tajine under the olive tree")) == STRONG


def test_the_test_cost_is_chosen_by_name_only(production_env: pytest.MonkeyPatch) -> None:
    production_env.setenv("MAJAL_PASSWORD_HASH_COST", "test")
    assert Settings().password_hash_cost is security.HashCost.test
    for wrong in ("weak", "0", "fast", ""):
        production_env.setenv("MAJAL_PASSWORD_HASH_COST", wrong)
        with pytest.raises(ValidationError):
            Settings()
    security.use_hash_cost(security.HashCost.test)
    cheap = made_with(security.hash_password("tajine under the olive tree"))
    assert (cheap.time_cost, cheap.memory_cost, cheap.parallelism) == (1, 8, 1)


def test_a_sign_in_upgrades_a_hash_made_at_the_test_cost(client: TestClient, sessions: sessionmaker[Session],
                                                         production_env: pytest.MonkeyPatch) -> None:
    from majal.accounts import service

    security.use_hash_cost(security.HashCost.test)
    with sessions.begin() as db:
        service.create_user(db, "karim", "tajine under the olive tree", "manager")
    security.use_hash_cost(security.HashCost.strong)
    sign_in(client, "karim", "tajine under the olive tree")
    with sessions() as db:
        stored = db.scalar(select(User.password_hash).where(User.username == "karim"))
    assert stored is not None and made_with(stored) == STRONG
    assert security.verify_password(stored, "tajine under the olive tree")
    assert not security.verify_password(stored, "tajine under the fig tree")
