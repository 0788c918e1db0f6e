"""Settings defaults, the SQLite engine's pragmas, and the Alembic migrations (both ways, and against the models)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import shapely
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, insert, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from majal.config import Settings
from majal.db import make_engine
from majal.kit.geo import GeometryType
from majal.migrate import downgrade, upgrade
from majal.models import metadata
from majal.territory.models import District

POSTGRES_URL = os.environ.get("MAJAL_TEST_POSTGRES_URL")
# Named after the test database, so suites on separate test databases never share the scratch one.
SCRATCH_DATABASE = f"{make_url(POSTGRES_URL).database}_migrations" if POSTGRES_URL else "majal_test_migrations"
# PostGIS keeps its own table in `public`; it belongs to the extension, not to Majal's schema.
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})
# Created by the migration on PostgreSQL only (a GiST index has no SQLite equivalent), so not declared on the model.
MIGRATION_ONLY_INDEXES = frozenset({"ix_districts_geometry"})


# --- Settings --------------------------------------------------------------------------------------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No MAJAL_* setting from the developer's shell leaks into these tests."""
    for name in ("MAJAL_DATABASE_URL", "MAJAL_SECRET_KEY", "MAJAL_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_default_database_is_a_sqlite_file_in_the_data_dir(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    url = make_url(Settings(data_dir=data_dir).resolved_database_url)
    assert url.get_backend_name() == "sqlite"
    assert url.database is not None
    assert Path(url.database) == (data_dir / "majal.db").resolve()
    assert data_dir.is_dir()


def test_secret_key_is_generated_once_and_readable_by_the_owner_only(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = Settings(data_dir=tmp_path).resolved_secret_key
    stored = tmp_path / "secret_key"
    assert len(key) >= 32
    assert stored.read_text(encoding="utf-8").strip() == key
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert Settings(data_dir=tmp_path).resolved_secret_key == key


def test_secret_key_from_the_environment_wins(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = Settings(data_dir=tmp_path)  # the environment is read when the object is built
    clean_env.setenv("MAJAL_SECRET_KEY", "key-from-the-environment")
    assert Settings(data_dir=tmp_path).resolved_secret_key == "key-from-the-environment"
    assert not (tmp_path / "secret_key").exists()
    assert before.resolved_secret_key != "key-from-the-environment"


# --- SQLite engine ---------------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'majal.db'}")
    yield engine
    engine.dispose()


def test_sqlite_engine_uses_wal_and_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_sqlite_rejects_a_district_of_a_missing_commune(sqlite_engine: Engine) -> None:
    upgrade(sqlite_engine)
    square = shapely.MultiPolygon([shapely.box(-2.33, 34.91, -2.31, 34.93)])
    row = {"commune_id": 999, "code": "X-01", "name_ar": "حي", "name_fr": "Hay", "name_en": "Hay",
           "population": 1, "area_m2": 1.0, "geometry": square,
           "min_lon": -2.33, "min_lat": 34.91, "max_lon": -2.31, "max_lat": 34.93}
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), sqlite_engine.begin() as connection:
        connection.execute(insert(District).values(**row))


# --- Migrations ------------------------------------------------------------------------------------------------


@contextmanager
def scratch_postgres_database() -> Iterator[str]:
    """A throw-away database beside the shared test database, so the other tests' schema is never touched."""
    assert POSTGRES_URL is not None
    admin = make_engine(make_url(POSTGRES_URL).set(database="postgres").render_as_string(hide_password=False),
                        isolation_level="AUTOCOMMIT")
    drop = text(f'DROP DATABASE IF EXISTS "{SCRATCH_DATABASE}" WITH (FORCE)')
    try:
        with admin.connect() as connection:
            connection.execute(drop)
            connection.execute(text(f'CREATE DATABASE "{SCRATCH_DATABASE}"'))
        yield make_url(POSTGRES_URL).set(database=SCRATCH_DATABASE).render_as_string(hide_password=False)
        with admin.connect() as connection:
            connection.execute(drop)
    finally:
        admin.dispose()


@pytest.fixture(params=[
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(
        not POSTGRES_URL, reason="set MAJAL_TEST_POSTGRES_URL to run the migrations on PostgreSQL too")),
])
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on an empty database: a new SQLite file, or a scratch PostgreSQL database."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'fresh.db'}"
        else:
            url = stack.enter_context(scratch_postgres_database())
        engine = make_engine(url)
        stack.callback(engine.dispose)  # runs before the scratch database is dropped
        yield engine


def schema_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - EXTENSION_TABLES


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_go_down_to_nothing_and_up_again(fresh_engine: Engine) -> None:
    everything = set(metadata.tables) | {"alembic_version"}
    upgrade(fresh_engine)
    assert schema_tables(fresh_engine) == everything
    head = current_revision(fresh_engine)
    assert head is not None

    downgrade(fresh_engine, "base")
    assert schema_tables(fresh_engine) == {"alembic_version"}
    assert current_revision(fresh_engine) is None

    upgrade(fresh_engine)
    assert schema_tables(fresh_engine) == everything
    assert current_revision(fresh_engine) == head


def _majal_objects_only(obj: Any, name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
    if type_ == "table" and reflected and name in EXTENSION_TABLES:
        return False
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)


def declared_geometry_columns() -> set[tuple[str, str, str, int]]:
    return {(table.name, column.name, column.type.geometry_type, 4326)
            for table in metadata.sorted_tables for column in table.columns
            if isinstance(column.type, GeometryType)}


def postgis_geometry_columns(connection: Connection) -> set[tuple[str, str, str, int]]:
    rows = connection.execute(text("SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns"))
    return {(table, column, kind, srid) for table, column, kind, srid in rows}


# SQLAlchemy cannot reflect PostGIS's `geometry` type, so Alembic skips that column's type (after this warning);
# the test checks it through PostGIS's own `geometry_columns` view instead.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'geometry':sqlalchemy.exc.SAWarning")
def test_migrations_match_the_models(fresh_engine: Engine) -> None:
    upgrade(fresh_engine)
    with fresh_engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _majal_objects_only}
        )
        assert compare_metadata(context, metadata) == []
        if connection.dialect.name == "postgresql":
            assert postgis_geometry_columns(connection) == declared_geometry_columns()
