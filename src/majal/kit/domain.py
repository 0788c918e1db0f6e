"""What a domain offers the core. `majal/domains.py` lists the domains; the app, the CLI, the schema, the demo and
the quality guards loop over that list and know no domain by name.

A domain names its parts as "module:attribute" inside its own package ("api:router"), loaded only when the core
needs them: a domain's `__init__.py` stays light, so importing the list imports no routes, tables or engines."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DemoUser:
    """A staff member of the demo commune; the password is drawn when the demo is built."""

    username: str
    role: str
    full_name: str
    department: str | None = None
    commune: str | None = None


@dataclass(frozen=True)
class Domain:
    name: str
    package: str  # e.g. "majal.registry"
    routers: tuple[str, ...] = ()  # FastAPI routers, mounted in this order, after the domains listed before
    commands: Mapping[str, str] = field(default_factory=dict)  # `majal NAME ...` -> a Typer app
    models: tuple[str, ...] = ()  # modules of SQLAlchemy tables (Alembic and the tests see the whole schema)
    migrations: str | None = None  # a folder of the domain's own Alembic revisions, when not in the core's
    demo: str | None = None  # function(db, settings) -> bool (True when it added data) building the demo data
    demo_after: tuple[str, ...] = ()  # the domains whose demo data this one's needs
    demo_staff: tuple[DemoUser, ...] = ()
    topics: tuple[str, ...] = ()  # MQTT topics (majal.kit.mqtt.Topic) `majal listen` subscribes to
    jobs: tuple[str, ...] = ()  # function(sessions) -> int: periodic work the worker runs (majal.kit.worker_cli)
    tasks: Mapping[str, str] = field(default_factory=dict)  # job kind -> its handler, run from kit.jobs' queue
    departments: Mapping[str, str] = field(default_factory=dict)  # code -> label (an N_ message)
    roles: Mapping[str, str] = field(default_factory=dict)  # code -> label (an N_ message)
    json_paths: tuple[str, ...] = ()  # path prefixes answered in JSON besides /api/ (errors included)
    errors: Mapping[str, str] = field(default_factory=dict)  # path prefix -> function(path, status, messages)
    setup: tuple[str, ...] = ()  # function(app) run once when the app is made (e.g. caches kept on app.state)
    examples: Mapping[str, str] = field(default_factory=dict)  # path parameter -> a value the demo data has
    templates: tuple[str, ...] = ("templates",)  # Jinja folders of its pages, inside the package

    @property
    def folder(self) -> Path:
        package = importlib.import_module(self.package)
        return Path(package.__file__ or "").resolve().parent

    @property
    def template_folders(self) -> list[Path]:
        return [self.folder / name for name in self.templates if (self.folder / name).is_dir()]

    def load(self, reference: str) -> Any:
        module, _, attribute = reference.partition(":")
        loaded = importlib.import_module(f"{self.package}.{module}")
        return getattr(loaded, attribute) if attribute else loaded

    def loaded(self, references: Iterable[str]) -> list[Any]:
        return [self.load(reference) for reference in references]

    @property
    def migrations_dir(self) -> Path | None:
        return self.folder / self.migrations if self.migrations is not None else None


def demo_order(domains: Iterable[Domain]) -> list[Domain]:
    """The domains with demo data, each after those it needs (and otherwise in the listed order)."""
    listed = {domain.name: domain for domain in domains}
    unknown = {need for domain in listed.values() for need in domain.demo_after} - listed.keys()
    if unknown:
        raise ValueError(f"demo data needs unknown domains: {', '.join(sorted(unknown))}")
    order = TopologicalSorter({name: domain.demo_after for name, domain in listed.items()})
    order.prepare()
    ranked: list[str] = []
    while order.is_active():
        ready = sorted(order.get_ready(), key=list(listed).index)
        ranked += ready
        order.done(*ready)
    return [listed[name] for name in ranked if listed[name].demo is not None]


def collect(domains: Iterable[Domain], part: Callable[[Domain], Mapping[str, str]]) -> dict[str, str]:
    """One mapping over every domain (departments, roles, ...); two domains may not claim the same code."""
    merged: dict[str, str] = {}
    for domain in domains:
        for code, value in part(domain).items():
            if code in merged:
                raise ValueError(f"{domain.name} declares {code!r} again")
            merged[code] = value
    return merged
