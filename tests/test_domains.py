"""A domain registers itself: the toy domain of tests/toy is mounted, migrated, demoed, given its command group,
roles, department, error format and job, and its pages are found by the crawl, through its `Domain` alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from majal import accounts, demo, domains, territory
from majal.accounts import staff
from majal.app import create_app
from majal.cli import make_app
from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit.domain import Domain, demo_order
from majal.migrate import pending
from tests import toy
from tests.routes import endpoints
from tests.toy.models import Note

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # Typer's CliRunner on Click 8.2


@pytest.fixture
def toy_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Settings]:
    """Majal with three domains: accounts, territory and the toy (the list a commune's deployment would edit)."""
    monkeypatch.setattr(domains, "DOMAINS", (accounts.DOMAIN, territory.DOMAIN, toy.DOMAIN))
    url = f"sqlite:///{tmp_path / 'majal.db'}"
    monkeypatch.setenv("MAJAL_DATABASE_URL", url)
    monkeypatch.setenv("MAJAL_DATA_DIR", str(tmp_path))
    from majal.kit.cli import settings

    settings.cache_clear()
    yield Settings(database_url=url, data_dir=tmp_path, secret_key="toy-secret", default_language="en")
    settings.cache_clear()


def test_the_toy_domain_is_migrated_and_demoed_after_the_territory(toy_installed: Settings) -> None:
    logins = demo.build(toy_installed)
    assert set(logins) == {"admin", "manager", "toy.keeper"}
    engine = make_engine(toy_installed.resolved_database_url)
    try:
        assert not pending(engine)  # the toy's own branch is at its head too
        with make_sessionmaker(engine).begin() as db:
            notes = db.scalars(select(Note)).all()
            assert [note.text for note in notes] == ["A note about Berkane"]
            keeper = accounts.service.find_user(db, "toy.keeper")
            assert keeper is not None and (keeper.role, keeper.department) == ("toy_keeper", None)
        assert toy.DOMAIN.load(toy.DOMAIN.jobs[0])(make_sessionmaker(engine)) == 1  # the toy's queued work
    finally:
        engine.dispose()
    assert staff.role_label("toy_keeper") == "Toy keeper" and "toys" in staff.departments()


def test_the_toy_domain_is_mounted_with_its_pages_api_and_error_format(toy_installed: Settings) -> None:
    demo.build(toy_installed)
    app = create_app(toy_installed)
    try:
        with TestClient(app) as client:
            page = client.get("/toy/notes/1")
            assert page.status_code == 200 and "<h1>A note about Berkane</h1>" in page.text
            assert client.get("/toy-api/notes/1").json() == {"text": "A note about Berkane"}
            missing = client.get("/toy-api/notes/2")
            assert missing.status_code == 404
            assert missing.json() == {"toy_errors": ["This page does not exist."], "path": "/toy-api/notes/2"}
            assert client.get("/toy-api/notes/x").json()["toy_errors"]  # the toy's format for 404s of the path too
            assert client.get("/open311/v2/services.json").status_code == 404  # requests is not installed here
    finally:
        app.state.engine.dispose()
    from tests.browser.test_accessibility import page_routes

    assert "/toy/notes/1" in [visit.path for visit in page_routes(app)]  # the crawl visits it, with its example
    assert ("GET", "/toy-api/notes/{note_id}") in [(e.method, e.path) for e in endpoints(app)]


def test_the_toy_domain_has_its_command_group(toy_installed: Settings) -> None:
    demo.build(toy_installed)
    result = CliRunner().invoke(make_app(), ["toy", "count"])
    assert result.exit_code == 0, result.output
    assert "1 notes" in result.output


def test_an_agent_of_a_department_no_domain_declares_is_refused(toy_installed: Settings) -> None:
    demo.build(toy_installed)
    engine = make_engine(toy_installed.resolved_database_url)
    try:
        with make_sessionmaker(engine).begin() as db:
            accounts.service.create_user(db, "agent.toys", "a long toy password", "agent", "toys")
            with pytest.raises(accounts.service.MajalError, match=r"Choose one of: toys\."):
                accounts.service.create_user(db, "agent.lamps", "a long toy password", "agent", "lighting")
    finally:
        engine.dispose()


def test_demo_order_follows_the_needs_and_refuses_unknown_ones() -> None:
    first, second = Domain("b", "x", demo="d:f", demo_after=("a",)), Domain("a", "y", demo="d:f")
    assert [d.name for d in demo_order([first, second])] == ["a", "b"]
    with pytest.raises(ValueError, match="unknown"):
        demo_order([first])
