"""The demo commune: each domain adds its demo data here, in order, once."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from rich.table import Table
from sqlalchemy.orm import Session

from majal.accounts import service as accounts
from majal.cleanliness import service as cleanliness
from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit.audit import utcnow
from majal.kit.cli import console
from majal.kit.security import Department, Role, new_token
from majal.lighting import service as lighting
from majal.migrate import upgrade
from majal.registry import demo as registry_demo
from majal.registry.matching import demo as matching_demo
from majal.requests import demo as requests_demo
from majal.requests import service as requests
from majal.territory import service as territory
from majal.territory.demo import build_demo_territory

DEMO_STAFF: list[tuple[str, Role, Department | None, str]] = [
    ("admin", Role.admin, None, "Salma Admin"),
    ("manager", Role.manager, None, "Karim Bennani"),
    ("agent.lighting", Role.agent, Department.lighting, "Youssef El Idrissi"),
    ("agent.cleanliness", Role.agent, Department.cleanliness, "Nadia Amrani"),
    ("social", Role.social_worker, None, "Fatima Zahra Benali"),
    ("inspector", Role.inspector, None, "Hassan Berrada"),
    ("officer", Role.programme_officer, None, "Leila Ouazzani"),
]
DEMO_COMMUNES = {"social": registry_demo.COMMUNE}  # the social worker's households are the demo commune's
LOGINS_FILE = "demo-logins.json"


def _territory(db: Session, _settings: Settings) -> bool:
    if territory.overview(db).commune is not None:
        return False
    territory.save_territory(db, build_demo_territory(), actor="demo")
    return True


def _staff(db: Session, logins_path: Path) -> dict[str, str]:
    if logins_path.exists():
        return json.loads(logins_path.read_text(encoding="utf-8"))
    logins = {}
    for username, role, department, full_name in DEMO_STAFF:
        password = new_token(12)
        accounts.create_user(
            db,
            username,
            password,
            role.value,
            department.value if department else None,
            full_name,
            actor="demo",
            commune_code=DEMO_COMMUNES.get(username),
        )
        logins[username] = password
    return logins


def _service_requests(db: Session, settings: Settings) -> bool:
    if requests.services(db):
        return False
    requests.seed_catalogue(db)
    current = territory.overview(db)
    sla = {chosen.code: chosen.sla_hours for chosen in requests.services(db)}
    past = requests_demo.history([d.geometry for d in current.districts], [d.population for d in current.districts],
                                 sla, now=utcnow())
    requests.load_history(db, past, [d.id for d in current.districts], actor="demo",
                          secret=settings.resolved_secret_key)
    return True


def _waste_collection(db: Session, _settings: Settings) -> bool:
    if not cleanliness.load_demo(db, utcnow()):
        return False
    today = utcnow().date()
    for days_ago in (3, 2, 1, 0):  # a few days of plans for the charts; today's searched a little longer
        cleanliness.plan_now(db, today - timedelta(days=days_ago), seconds=2.0 if days_ago == 0 else 1.0,
                             threshold=cleanliness.DEFAULT_THRESHOLD, actor="demo")
    return True



def _lighting(db: Session, _settings: Settings) -> bool:
    return lighting.load_demo(db, actor="demo")


STEPS: list[Callable[[Session, Settings], bool]] = [_territory, _service_requests, _waste_collection, _lighting,
                                                    registry_demo.households, matching_demo.matched_list]


def build(settings: Settings) -> dict[str, str]:
    """Migrate, add whatever demo data is missing, and return the staff logins (kept in the data dir, mode 600)."""
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    logins_path = settings.data_dir / LOGINS_FILE
    with console.status("Building the demo commune…"), make_sessionmaker(engine).begin() as db:
        for step in STEPS:
            step(db, settings)
        logins = _staff(db, logins_path)
    if not logins_path.exists():
        fd = os.open(logins_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(logins, out, indent=2)
    engine.dispose()
    return logins


def print_logins(logins: dict[str, str]) -> None:
    table = Table("username", "role", "password", title="Demo staff logins")
    roles = {username: role.value for username, role, _d, _n in DEMO_STAFF}
    for username, password in logins.items():
        table.add_row(username, roles.get(username, ""), password)
    console.print(table)
