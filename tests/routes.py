"""The app's endpoints, found from its routes, so guards cover new endpoints without being edited."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    tags: tuple[str, ...]
    in_schema: bool


def endpoints(app: FastAPI) -> list[Endpoint]:
    found = []
    for route in iter_route_contexts(app.routes):
        if route.methods is None or route.path is None:
            continue  # mounts (static files)
        tags = tuple(str(tag) for tag in getattr(route, "tags", None) or ())
        in_schema = bool(getattr(route, "include_in_schema", True))
        found += [Endpoint(method, route.path, tags, in_schema) for method in sorted(route.methods - {"HEAD"})]
    return found
