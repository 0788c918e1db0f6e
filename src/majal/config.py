"""Settings from the environment (MAJAL_*), with safe defaults for a single-machine install."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from majal.kit.i18n import LANGUAGES
from majal.kit.security import HashCost


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MAJAL_", extra="ignore")

    data_dir: Path = Field(
        default=Path("majal-data"), description="Where the SQLite file, secret key and uploads live"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; a SQLite file in data_dir when unset"
    )
    secret_key: str | None = Field(
        default=None, description="Signs CSRF tokens; generated into data_dir when unset"
    )
    default_language: str = "fr"
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    password_hash_cost: HashCost = Field(
        default=HashCost.strong,
        description="argon2id cost of new password hashes: 'strong' (RFC 9106's low-memory profile: 3 passes over "
        "64 MiB) on every install; 'test' is the least argon2id accepts, for the test suite only",
    )
    login_max_failures: int = 5
    login_window_minutes: int = 15
    threads: int = Field(default=40, ge=1, le=400, description="threads for the routes' database work")
    sqlite_writers: int = Field(default=4, ge=1, le=64, description="writers in threads at once (SQLite)")
    reports_per_hour: int = Field(default=10, ge=1, description="portal reports allowed per connection and hour")
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 50 * 1024 * 1024
    tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    tile_attribution: str = "© OpenStreetMap contributors"
    secure_cookies: bool = False
    trusted_proxies: str = Field(
        default="",
        description="Comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed; "
        "none when empty, so the address that rate limits count is the connection's own",
    )
    smtp_host: str = Field(default="", description="SMTP server for notification emails; no email when empty")
    smtp_port: int = 25
    smtp_sender: str = "majal@localhost"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    sms_outbox_file: str = Field(default="", description="File the SMS are written to (JSON lines); no SMS when empty")
    lighting_tariff_mad_per_kwh: float = Field(default=1.20, gt=0, description="Public-lighting electricity tariff")
    lighting_co2_kg_per_kwh: float = Field(default=0.70, ge=0, description="Grid emission factor (Morocco ~0.7)")
    mqtt_host: str = Field(default="127.0.0.1", description="MQTT broker the sensors publish to (`majal listen`)")
    mqtt_port: int = 1883
    mqtt_username: str = ""
    mqtt_password: str = ""
    mqtt_client_id: str = Field(default="majal", description="Names Majal's persistent session at the broker")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"not an IP address or network: {entry!r}") from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _entries(self.trusted_proxies)

    @cached_property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        database = self.data_dir / "majal.db"
        _private_dir(self.data_dir)
        _private_file(database, create=True)
        for journal in ("majal.db-wal", "majal.db-shm"):
            _private_file(database.with_name(journal), create=False)
        return f"sqlite:///{database.resolve()}"

    @cached_property
    def resolved_secret_key(self) -> str:
        if self.secret_key:
            return self.secret_key
        return _stored_secret(self.data_dir / "secret_key")

    @property
    def language(self) -> str:
        return self.default_language if self.default_language in LANGUAGES else "fr"


def _entries(value: str) -> list[str]:
    return [entry.strip() for entry in value.split(",") if entry.strip()]


def _private_dir(path: Path) -> None:
    """The data folder holds the database and the secret key: only its owner may enter it when Majal makes it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)


def _private_file(path: Path, create: bool) -> None:
    """Owner-only before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode."""
    if create:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    if path.exists() and path.stat().st_uid == os.getuid():  # an older install's file is tightened too
        path.chmod(0o600)


def _stored_secret(path: Path) -> str:
    """Read the instance's secret, creating it (readable by the owner only) on first run."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    _private_dir(path.parent)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key + "\n")
    return key
