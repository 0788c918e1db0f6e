"""Data that must not leak from the machine's files or logs: SQLite files readable by their owner only, and no
SQL parameter in the message of a database error (which the error log prints)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from majal.accounts.models import User
from majal.config import Settings
from majal.db import make_engine
from majal.kit.web import DB

SECRET = "CIN-AB123456-very-personal"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The most permissive umask, so the modes below cannot come from the environment's."""
    for name in ("MAJAL_DATABASE_URL", "MAJAL_SECRET_KEY", "MAJAL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_the_sqlite_file_and_its_journals_are_owner_only(open_umask: None, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE notes (body TEXT)"))
            connection.execute(text("INSERT INTO notes VALUES ('written')"))
        with engine.connect() as connection:  # open: the -wal and -shm files exist now
            connection.execute(text("SELECT body FROM notes")).all()
            files = {path.name: mode(path) for path in data_dir.iterdir()}
    finally:
        engine.dispose()
    assert files == {"majal.db": 0o600, "majal.db-wal": 0o600, "majal.db-shm": 0o600}
    assert mode(data_dir) == 0o700
    assert settings.resolved_secret_key
    assert mode(data_dir / "secret_key") == 0o600


def test_an_older_database_file_is_tightened(open_umask: None, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for name in ("majal.db", "majal.db-wal"):
        (data_dir / name).touch(mode=0o644)
    assert Settings(data_dir=data_dir).resolved_database_url.endswith("majal.db")
    assert mode(data_dir / "majal.db") == mode(data_dir / "majal.db-wal") == 0o600


def test_a_secret_key_folder_made_first_is_private_too(open_umask: None, tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path / "data" / "deeper").resolved_secret_key
    assert mode(tmp_path / "data" / "deeper") == 0o700


@pytest.fixture
def failing_app(app: FastAPI) -> FastAPI:
    @app.get("/api/v1/test/missing-table")
    def missing_table(db: DB) -> dict:
        db.execute(text("SELECT id FROM no_such_table WHERE code = :code"), {"code": SECRET})
        return {}

    @app.post("/api/v1/test/duplicate")  # a write: POST (a GET gets a read transaction)
    def duplicate(db: DB) -> dict:
        for _copy in range(2):
            db.add(User(username="twin", password_hash=SECRET, role="manager"))
            db.flush()
        return {}

    return app


@pytest.mark.parametrize("path", ["/api/v1/test/missing-table", "/api/v1/test/duplicate"])
def test_database_errors_are_logged_without_their_parameters(failing_app: FastAPI, caplog: pytest.LogCaptureFixture,
                                                             path: str) -> None:
    with caplog.at_level(logging.ERROR), TestClient(failing_app, raise_server_exceptions=False) as client:
        answer = client.post(path) if path.endswith("duplicate") else client.get(path)
    assert answer.status_code == 500
    assert SECRET not in answer.text
    logged = "\n".join(record.getMessage() + "\n" + str(record.exc_info and record.exc_info[1])
                       for record in caplog.records)
    assert "unhandled error" in logged
    assert SECRET not in logged
    errors = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert any(isinstance(error, DBAPIError) and "hidden due to hide_parameters" in str(error) for error in errors)
