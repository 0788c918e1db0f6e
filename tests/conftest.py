"""Fixtures: every database test runs on SQLite and, when MAJAL_TEST_POSTGRES_URL is set, on PostgreSQL/PostGIS."""

from __future__ import annotations

import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, literal, select, text, union_all
from sqlalchemy.orm import Session, sessionmaker

from majal.app import create_app
from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit import security
from majal.migrate import upgrade
from majal.models import metadata
from tests.demo_once import DemoBuild, build_once

pytest_plugins = ["tests.timing", "tests.browser.crawl_summary"]

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist's workers start with COLUMNS=80 and LINES=24 in their environment: the `majal` command's Rich
    # console, made at import, would keep that width for good, and the tests that widen it (COLUMNS=200) see wrapped
    # lines. Without them it measures the terminal each time, as in a single pytest process.
    for variable in ("COLUMNS", "LINES"):
        os.environ.pop(variable, None)

# The suite creates and signs in accounts thousands of times: it hashes passwords at argon2id's least cost, in this
# process and in the `majal` processes it starts. Production's default, the strong cost, has its own tests
# (tests/accounts/test_hash_cost.py); MAJAL_PASSWORD_HASH_COST=strong runs the whole suite at it.
os.environ.setdefault("MAJAL_PASSWORD_HASH_COST", security.HashCost.test.value)
SUITE_HASH_COST = security.HashCost(os.environ["MAJAL_PASSWORD_HASH_COST"])
security.use_hash_cost(SUITE_HASH_COST)

POSTGRES_URL = os.environ.get("MAJAL_TEST_POSTGRES_URL")
DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="set MAJAL_TEST_POSTGRES_URL to run on PostgreSQL too"
        ),
    ),
]
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
TEST_PASSWORD = "correct horse battery"


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With pytest-xdist (`make test` runs two workers) every PostgreSQL test goes to one worker (tests/workers.py)."""
    from tests.workers import PostgresOnOneWorker

    return PostgresOnOneWorker(config, log)


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'majal.db'}"
        return
    with postgres_worker(tmp_path_factory):
        yield fresh_postgres_schema()


@contextmanager
def postgres_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Under pytest-xdist, claim the test database for this worker; a second worker that reaches a PostgreSQL test
    fails at once instead of dropping the schema under the first one (tests/workers.py keeps them on one)."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        yield
        return
    with (tmp_path_factory.getbasetemp().parent / "postgresql-worker.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pytest.fail("PostgreSQL tests reached two pytest-xdist workers: see tests/workers.py")
        yield


def fresh_postgres_schema() -> str:
    assert POSTGRES_URL is not None
    engine = make_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
        # A commit returns before its WAL reaches the disk (a third less time for the suite's PostgreSQL tests):
        # only a crash of PostgreSQL itself could lose it, and no test crashes PostgreSQL (test_crash kills the app).
        # Set on the test database, so the servers the tests start get it too.
        name = connection.dialect.identifier_preparer.quote(str(connection.scalar(text("SELECT current_database()"))))
        connection.execute(text(f"ALTER DATABASE {name} SET synchronous_commit TO off"))
    engine.dispose()
    return POSTGRES_URL


@pytest.fixture(scope="session")
def migrated_engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(migrated_engine: Engine) -> Engine:
    """The migrated database, emptied before each test."""
    with migrated_engine.begin() as connection:
        empty_tables(connection)
    return migrated_engine


def empty_tables(connection: Connection) -> None:
    """Delete the rows of the tables that have any (most tests fill a handful of the tables): one query finds them.
    Deleting beats TRUNCATE here: on PostgreSQL a TRUNCATE of a few small tables takes ~0.4 s (new files for each
    table and index), and it waits for every lock on them, where DELETE takes ~15 ms."""
    tables = metadata.sorted_tables
    probe = union_all(*(select(literal(index)).where(select(1).select_from(table).exists())
                        for index, table in enumerate(tables)))
    filled = set(connection.scalars(probe))
    for index in sorted(filled, reverse=True):  # dependants first: foreign keys are checked on both databases
        connection.execute(tables[index].delete())


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key="test-secret-key",
        default_language="en",
    )


@pytest.fixture
def app(engine: Engine, settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def csrf_from(client: TestClient, path: str = "/login") -> str:
    """Open a page as a browser would and read the CSRF token from its form."""
    page = client.get(path)
    match = CSRF_INPUT.search(page.text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: TestClient, username: str, password: str = TEST_PASSWORD) -> None:
    token = csrf_from(client)
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


@pytest.fixture
def staff(sessions: sessionmaker[Session]) -> dict[str, str]:
    """One account per role (password TEST_PASSWORD); returns username → role."""
    from majal.accounts import service

    accounts = {
        "admin": ("admin", None),
        "manager": ("manager", None),
        "agent": ("agent", "lighting"),
        "social": ("social_worker", None),
        "inspector": ("inspector", None),
        "officer": ("programme_officer", None),
    }
    communes = {"social": "BERKANE"}  # the demo commune: the social worker sees its registered households
    with sessions.begin() as db:
        for username, (role, department) in accounts.items():
            service.create_user(db, username, TEST_PASSWORD, role, department, full_name=username.title(),
                                commune_code=communes.get(username))
    return {username: role for username, (role, _d) in accounts.items()}


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """The demo commune as `majal demo --no-serve` builds it, once per run: `copy_to` a folder to change or serve."""
    return build_once(tmp_path_factory)


@pytest.fixture
def demo_territory(sessions: sessionmaker[Session]) -> None:
    from majal.territory import service
    from majal.territory.demo import build_demo_territory

    with sessions.begin() as db:
        service.save_territory(db, build_demo_territory(), actor="test")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Engine, tmp_path: Path) -> Iterator[None]:
    """The `majal` command's environment: this test's database and data folder, messages in English."""
    from majal.kit import cli as kit_cli

    monkeypatch.setenv("MAJAL_DATABASE_URL", database_url)
    monkeypatch.setenv("MAJAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LANG", "C.UTF-8")
    kit_cli.settings.cache_clear()
    yield
    kit_cli.settings.cache_clear()
