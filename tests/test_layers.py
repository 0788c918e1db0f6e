"""The arrows of the house (DESIGN.md): each rule reads every module's imports and fails on the first wrong one,
naming it.

- engines (a domain's modules other than its models, schemas, repository, service, api, pages, cli, demo and the
  web helpers) never import FastAPI, an SQLAlchemy session or majal.db: they compute over plain data;
- web modules (api, pages and their kin) never import a repository: they call the service;
- a service never imports another domain's repository or models: it calls that domain's service;
- kit/ never imports a domain;
- production code never imports demo data or synthetic generators (only demo modules and the CLI's `synth` verbs).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from majal import domains as installed

SOURCE = Path(__file__).resolve().parents[1] / "src" / "majal"
DOMAINS = {domain.package.split(".")[1] for domain in installed.DOMAINS}  # a room (registry.matching) is its domain's
WEB = {"api", "pages", "dashboard", "deps"}  # the HTTP layer
ROLES = {"__init__", "models", "schemas", "repository", "service", "cli", "demo"} | WEB
IO = ("fastapi", "starlette", "sqlalchemy.orm", "majal.db")
STORAGE = ("repository", "models")


@dataclass(frozen=True)
class Module:
    path: Path
    name: str  # majal.registry.matching.service

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.name.split("."))

    @property
    def domain(self) -> str | None:
        return self.parts[1] if len(self.parts) > 1 and self.parts[1] in DOMAINS else None

    @property
    def role(self) -> str:
        """models, service, api ...; a module inside a same-name package (service/households.py) takes its role."""
        for part in reversed(self.parts[2:]):
            if part in ROLES:
                return part
        return "engine" if len(self.parts) > 2 else "__init__"

    def imports(self) -> Iterator[tuple[int, str]]:
        tree = ast.parse(self.path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield node.lineno, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield node.lineno, node.module
                for alias in node.names:
                    yield node.lineno, f"{node.module}.{alias.name}"


def modules() -> list[Module]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        found.append(Module(path, ".".join(parts)))
    return found


def _is(name: str, module: str) -> bool:
    return name == module or name.startswith(module + ".")


def _domain_of(imported: str) -> str | None:
    parts = imported.split(".")
    return parts[1] if parts[0] == "majal" and len(parts) > 1 and parts[1] in DOMAINS else None


def _reaches_storage(imported: str) -> bool:
    """majal.<domain>.[room.]repository or .models, or a name inside them."""
    return any(part in STORAGE for part in imported.split(".")[2:])


def _is_made_up(imported: str) -> bool:
    """majal.<domain>.[room.]demo or a synthetic generator (pmt.synth), or a name inside them."""
    return any(part in ("demo", "synth") for part in imported.split(".")[2:])


def wrong_arrows(found: list[Module] | None = None) -> Iterator[str]:
    for module in modules() if found is None else found:
        for line, imported in module.imports():
            where = f"{module.name}:{line} imports {imported}"
            target = _domain_of(imported)
            if module.parts[1:2] == ("kit",) and target is not None:
                yield f"kit never imports a domain: {where}"
            if module.domain is None:
                continue
            if module.role == "engine" and any(_is(imported, io) for io in IO):
                yield f"an engine imports no web framework, session or majal.db: {where}"
            if module.role in WEB and "repository" in imported.split(".")[1:]:
                yield f"a web module calls the service, not a repository: {where}"
            if module.role == "service" and target not in (None, module.domain) and _reaches_storage(imported):
                yield f"a service calls other domains' services, not their repositories or models: {where}"
            if module.role not in ("demo", "cli") and target is not None and _is_made_up(imported):
                yield f"production code never imports demo data or synthetic generators: {where}"


def test_every_arrow_runs_the_right_way() -> None:
    for arrow in wrong_arrows():
        pytest.fail(arrow)


def test_the_rules_see_wrong_arrows(tmp_path: Path) -> None:
    """The guard itself can fail: each rule names the module, the line and the import."""
    cases = {
        "majal.registry.pmt.scoring": ("from sqlalchemy.orm import Session", "an engine imports no"),
        "majal.lighting.pages": ("from majal.lighting import repository", "a web module calls the service"),
        "majal.registry.service.households": ("from majal.accounts.models import User", "a service calls other"),
        "majal.kit.clock": ("import majal.registry.service", "kit never imports a domain"),
        "majal.registry.service.scores": ("from majal.registry.pmt import synth", "production code never imports"),
    }
    for name, (line, rule) in cases.items():
        path = tmp_path / f"{name}.py"
        path.write_text(f"{line}\n", encoding="utf-8")
        found = list(wrong_arrows([Module(path, name)]))
        assert found and found[0].startswith(rule) and f"{name}:1 imports" in found[0], (name, found)
    fine = tmp_path / "fine.py"
    fine.write_text("from majal.accounts import service\nfrom majal.registry import repository\n", encoding="utf-8")
    assert not list(wrong_arrows([Module(fine, "majal.registry.service.moves")]))
