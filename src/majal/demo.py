"""The demo commune: each domain adds its demo data (`Domain.demo`), after those it needs, once; then the staff."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.table import Table
from sqlalchemy.orm import Session

from majal import domains as installed
from majal.accounts import service as accounts
from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit.cli import console
from majal.kit.domain import DemoUser, demo_order
from majal.kit.security import new_token
from majal.migrate import upgrade

LOGINS_FILE = "demo-logins.json"


def build(settings: Settings) -> dict[str, str]:
    """Migrate, add whatever demo data is missing, and return the staff logins (kept in the data dir, mode 600)."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    logins_path = settings.data_dir / LOGINS_FILE
    with console.status("Building the demo commune…"), make_sessionmaker(engine).begin() as db:
        for domain in demo_order(installed.DOMAINS):
            domain.load(domain.demo or "")(db, settings)
        logins = _staff(db, logins_path, staff())
    if not logins_path.exists():
        fd = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(logins, out, indent=2)
    engine.dispose()
    return logins


def staff() -> list[DemoUser]:
    return [member for domain in installed.DOMAINS for member in domain.demo_staff]


def _staff(db: Session, logins_path: Path, members: list[DemoUser]) -> dict[str, str]:
    if logins_path.exists():
        return json.loads(logins_path.read_text(encoding="utf-8"))
    logins = {}
    for member in members:
        password = new_token(12)
        accounts.create_user(db, member.username, password, member.role, member.department, member.full_name,
                             actor="demo", commune_code=member.commune)
        logins[member.username] = password
    return logins


def print_logins(logins: dict[str, str]) -> None:
    table = Table("username", "role", "password", title="Demo staff logins")
    roles = {member.username: member.role for member in staff()}
    for username, password in logins.items():
        table.add_row(username, roles.get(username, ""), password)
    console.print(table)
