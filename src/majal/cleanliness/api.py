"""Cleanliness JSON API: fill readings and emptyings (sensors, on-board units, staff), forecasts, plans."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from majal.accounts.deps import API_KEY_HEADER, api_key, current_user
from majal.accounts.models import User
from majal.cleanliness import service
from majal.cleanliness.schemas import (
    EmptyingIn,
    EmptyingOut,
    FillIn,
    ForecastOut,
    PlanMapOut,
    PlanStatusOut,
    ReadingOut,
)
from majal.kit.audit import utcnow
from majal.kit.errors import Forbidden
from majal.kit.i18n import N_
from majal.kit.openapi import error_responses
from majal.kit.security import Role
from majal.kit.validation import RowId
from majal.kit.web import DB, check_csrf, submitted_csrf

PREFIX = "/api/v1/cleanliness"
router = APIRouter(prefix=PREFIX, tags=["cleanliness"])


def may_plan(user: User) -> bool:
    """Admins, managers, and agents of the cleanliness department."""
    return user.role in (Role.admin, Role.manager) or (
        user.role == Role.agent and user.department == "cleanliness")


def cleanliness_staff(user: Annotated[User, Depends(current_user)]) -> User:
    if not may_plan(user):
        raise Forbidden(N_("Your role does not give access to this page."))
    return user


def sensor_or_staff(request: Request, db: DB, csrf: Annotated[str | None, Depends(submitted_csrf)]) -> str:
    """An integration's API key (sensor gateway, on-board unit), or cleanliness staff with a CSRF token; returns
    who, for the audit trail."""
    if request.headers.get(API_KEY_HEADER) or request.query_params.get("api_key"):
        return f"api:{api_key(request, db).name}"
    user = cleanliness_staff(current_user(request, db))
    check_csrf(request, csrf)
    return user.username


Staff = Annotated[User, Depends(cleanliness_staff)]
Caller = Annotated[str, Depends(sensor_or_staff)]


@router.post("/containers/{container_id}/fill", status_code=201, response_model=ReadingOut,
             responses=error_responses(400, 401, 403, 404))
def add_reading(db: DB, container_id: RowId, reading: FillIn, _caller: Caller) -> dict[str, Any]:
    """Record a fill-level reading (API key, or cleanliness staff)."""
    stored = service.record_fill(db, container_id, reading.fill, reading.at, source="http")
    return {"id": stored.id, "container_id": stored.container_id, "fill": stored.fill, "at": stored.at}


@router.post("/containers/{container_id}/emptied", status_code=201, response_model=EmptyingOut,
             responses=error_responses(400, 401, 403, 404))
def add_emptying(db: DB, container_id: RowId, emptying: EmptyingIn, _caller: Caller) -> dict[str, Any]:
    """Record that a container was emptied (API key, or cleanliness staff): the plan's 'actual'."""
    stored = service.record_emptying(db, container_id, emptying.at, emptying.truck, emptying.weight_kg,
                                     source="http")
    return {"id": stored.id, "container_id": stored.container_id, "at": stored.at}


@router.get("/containers/{container_id}/forecast", response_model=ForecastOut,
            responses=error_responses(401, 403, 404))
def container_forecast(db: DB, container_id: RowId, _user: Staff) -> dict[str, Any]:
    """The container's fill now, forecast from its readings since it was last emptied."""
    found = service.container(db, container_id)
    now = utcnow()
    seen = service.container_forecast(db, found, now)
    return {"container_id": found.id, "code": found.code, "fill": seen.fill, "rate_per_day": seen.rate_per_day,
            "at": now, "last_fill": seen.last_fill, "last_reading_at": seen.last_at, "emptied_at": seen.emptied_at}


@router.get("/plans/{plan_id}", response_model=PlanStatusOut, responses=error_responses(401, 403, 404))
def plan_status(db: DB, plan_id: RowId, _user: Staff) -> dict[str, Any]:
    """A plan's progress while it is computed, and its totals once done."""
    found = service.plan(db, plan_id)
    return {"id": found.id, "day": found.day.isoformat(), "status": found.status, "progress": found.progress,
            "due": found.due, "served": found.served, "distance_km": round(found.distance_m / 1000, 3),
            "weight_kg": found.weight_kg, "trucks_used": found.trucks_used, "error": found.error}


@router.get("/plans/{plan_id}/map", response_model=PlanMapOut, responses=error_responses(401, 403, 404))
def plan_map(db: DB, plan_id: RowId, _user: Staff) -> dict[str, Any]:
    """The plan's routes and stops as GeoJSON, for the plan map."""
    found = service.plan(db, plan_id)
    features: list[dict[str, Any]] = []
    for route in found.routes:
        features.append({"type": "Feature", "geometry": {
            "type": "LineString", "coordinates": [[s["lon"], s["lat"]] for s in route.stops]},
            "properties": {"route": route.number, "truck": route.truck.code, "route_id": route.id,
                           "km": round(route.distance_m / 1000, 1), "kg": route.weight_kg}})
        for order, stop in enumerate(route.stops):
            point = {"type": "Point", "coordinates": [stop["lon"], stop["lat"]]}
            features.append({"type": "Feature", "geometry": point,
                             "properties": {"route": route.number, "order": order, "kind": stop["kind"],
                                            "code": stop["code"], "arrival": _clock(stop["arrival_s"])}})
    return {"type": "FeatureCollection", "features": features}


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
