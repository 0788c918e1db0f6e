"""The `majal` command: every verb has help; errors name the bad field and exit non-zero; nothing half-written."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.main import get_command
from typer.testing import CliRunner

from majal.accounts.models import ApiKey, User
from majal.cli import app
from majal.kit import cli as kit_cli
from majal.territory.formats import MAX_FILE_BYTES
from majal.territory.models import District
from tests.conftest import TEST_PASSWORD
from tests.demo_once import DemoBuild
from tests.territory.test_territory_db import collection, square

runner = CliRunner()


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as db:
        return int(db.scalar(select(func.count()).select_from(model)) or 0)


def all_command_paths(group: typer.Typer) -> list[list[str]]:
    paths: list[list[str]] = [[]]

    def walk(command, prefix: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(get_command(group), [])
    return paths


@pytest.mark.parametrize("path", all_command_paths(app), ids=lambda p: " ".join(p) or "majal")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_users_create_reads_the_password_from_stdin(cli_env, sessions) -> None:
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--role",
            "agent",
            "--department",
            "lighting",
            "--username",
            "youssef",
            "--password-stdin",
        ],
        input=TEST_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with sessions() as db:
        user = db.scalar(select(User))
        assert user is not None and (user.username, user.role, user.department) == (
            "youssef",
            "agent",
            "lighting",
        )
        assert TEST_PASSWORD not in user.password_hash


def test_users_create_prompts_twice(cli_env, sessions) -> None:
    result = runner.invoke(
        app,
        ["users", "create", "--role", "manager", "--username", "karim"],
        input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert count(sessions, User) == 1


@pytest.mark.parametrize(
    ("args", "password", "field"),
    [
        (["--role", "mayor", "--username", "karim"], TEST_PASSWORD, "role"),
        (["--role", "agent", "--username", "karim"], TEST_PASSWORD, "department"),
        (["--role", "manager", "--username", "x"], TEST_PASSWORD, "username"),
        (["--role", "manager", "--username", "karim"], "short", "password"),
    ],
)
def test_users_create_errors_name_the_field(cli_env, sessions, args, password, field) -> None:
    result = runner.invoke(app, ["users", "create", *args, "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    assert field in result.output
    assert count(sessions, User) == 0


def test_duplicate_user_is_refused(cli_env, sessions) -> None:
    args = ["users", "create", "--role", "manager", "--username", "karim", "--password-stdin"]
    assert runner.invoke(app, args, input=TEST_PASSWORD + "\n").exit_code == 0
    again = runner.invoke(app, args, input=TEST_PASSWORD + "\n")
    assert again.exit_code == 1
    assert "already taken" in again.output


def test_apikeys_create_prints_the_key_alone_on_the_last_line(cli_env, sessions) -> None:
    result = runner.invoke(app, ["apikeys", "create", "--name", "open311-app"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("mjl_") and " " not in key
    with sessions() as db:
        stored = db.scalar(select(ApiKey))
        assert stored is not None and stored.key_digest != key


def test_territory_import_then_export(cli_env, sessions, tmp_path: Path) -> None:
    source = tmp_path / "districts.geojson"
    source.write_bytes(collection(square("A", -2.0, 34.0), square("B", -1.99, 34.0)))
    result = runner.invoke(app, ["territory", "import", str(source)])
    assert result.exit_code == 0, result.output
    assert "2 districts created" in result.output
    exported = runner.invoke(app, ["territory", "export"])
    assert exported.exit_code == 0
    document = json.loads(exported.stdout)
    assert [f["properties"]["code"] for f in document["features"]] == ["A", "B"]
    gpkg = tmp_path / "out.gpkg"
    assert (
        runner.invoke(app, ["territory", "export", "--format", "gpkg", "--output", str(gpkg)]).exit_code == 0
    )
    assert gpkg.stat().st_size > 0


def test_territory_import_errors_name_the_place(cli_env, sessions, tmp_path: Path) -> None:
    source = tmp_path / "bad.geojson"
    source.write_bytes(collection(square("A", -2.0, 34.0), square("A", -1.99, 34.0)))
    result = runner.invoke(app, ["territory", "import", str(source)])
    assert result.exit_code == 1
    assert "features[1]" in result.output and "A" in result.output
    assert count(sessions, District) == 0


def test_territory_import_refuses_huge_files_without_reading_them(cli_env, sessions, tmp_path: Path) -> None:
    huge = tmp_path / "huge.geojson"
    with huge.open("wb") as sparse:
        sparse.truncate(200 * 1024 * 1024)  # 200 MB, sparse: costs no disk
    result = runner.invoke(app, ["territory", "import", str(huge)])
    assert result.exit_code == 1
    assert f"{MAX_FILE_BYTES // 1024 // 1024} MB" in result.output
    assert count(sessions, District) == 0


@pytest.mark.parametrize("content", [b"", "é".encode("latin-1")])
def test_territory_import_refuses_empty_or_badly_encoded_files(cli_env, sessions, tmp_path, content) -> None:
    source = tmp_path / "bad.geojson"
    source.write_bytes(content)
    result = runner.invoke(app, ["territory", "import", str(source)])
    assert result.exit_code == 1
    assert "Error" in result.output


def test_territory_import_missing_file(cli_env) -> None:
    result = runner.invoke(app, ["territory", "import", "/nonexistent/districts.geojson"])
    assert result.exit_code == 1
    assert "No such file" in result.output


def test_cli_speaks_the_terminal_language(cli_env, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LANG", "fr_MA.UTF-8")
    result = runner.invoke(app, ["territory", "import", "/nonexistent/districts.geojson"])
    assert "Erreur" in result.output and "Fichier introuvable" in result.output


def test_demo_builds_once_and_keeps_the_logins(demo_build: DemoBuild, tmp_path: Path, monkeypatch) -> None:
    """The first `majal demo --no-serve` (the run's shared build, from nothing) builds; the next one keeps it all."""
    assert demo_build.returncode == 0, demo_build.stdout + demo_build.stderr
    logins = demo_build.logins
    assert set(logins) >= {"admin", "manager", "social", "inspector"}
    assert all(password in demo_build.stdout for password in logins.values())  # shown once, to whoever built it
    assert (demo_build.data_dir / "demo-logins.json").stat().st_mode & 0o777 == 0o600
    data_dir = demo_build.copy_to(tmp_path / "demo")
    before = (data_dir / "majal.db").stat().st_size
    monkeypatch.delenv("MAJAL_DATABASE_URL", raising=False)
    monkeypatch.setenv("MAJAL_DATA_DIR", str(data_dir))  # `majal demo` sets it: put back after the test
    second = runner.invoke(app, ["demo", "--data-dir", str(data_dir), "--no-serve"])
    assert second.exit_code == 0, second.output
    assert json.loads((data_dir / "demo-logins.json").read_text()) == logins
    assert (data_dir / "majal.db").stat().st_size == before
    kit_cli.settings.cache_clear()


def test_serve_refuses_an_unmigrated_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MAJAL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("LANG", "C.UTF-8")
    kit_cli.settings.cache_clear()
    result = runner.invoke(app, ["serve", "--port", "8999"])
    kit_cli.settings.cache_clear()
    assert result.exit_code == 1
    assert "majal db upgrade" in result.output


def test_listen_stores_sensor_readings_until_stopped_and_names_a_broker_that_does_not_answer(
        cli_env, monkeypatch: pytest.MonkeyPatch) -> None:
    from majal.kit.mqtt import Broker
    from majal.kit.worker_cli import listen_command
    from tests.kit.test_mqtt import FILL
    from tests.sensors import forget_session

    client_id = f"majal-test-{uuid.uuid4().hex[:8]}"  # its own broker session, dropped at the end
    monkeypatch.setenv("MAJAL_MQTT_CLIENT_ID", client_id)
    listen = typer.Typer()
    listen.command()(listen_command(lambda: [FILL]))
    try:
        result = runner.invoke(listen, ["--seconds", "0.3"])
    finally:
        forget_session(Broker(client_id=client_id))
    assert result.exit_code == 0, result.output
    assert "127.0.0.1:1883" in result.output and FILL.pattern in result.output
    assert "0 readings stored, 0 refused" in result.output

    monkeypatch.setenv("MAJAL_MQTT_PORT", "9")  # discard: nothing listens there
    kit_cli.settings.cache_clear()
    result = runner.invoke(listen, ["--seconds", "0.3"])
    assert result.exit_code == 1
    assert "The MQTT broker 127.0.0.1:9 does not answer" in result.output

    nothing = typer.Typer()
    nothing.command()(listen_command(list))
    result = runner.invoke(nothing, [])
    assert result.exit_code == 1 and "No sensor topic" in result.output
