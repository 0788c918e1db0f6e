"""Cleanliness JSON API: fill readings and emptyings (sensors, on-board units, staff), forecasts, plans."""

from __future__ import annotations

from typing import Annotated

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
from majal.kit.openapi import error_responses
from majal.kit.validation import RowId
from majal.kit.web import DB, check_csrf, submitted_csrf

PREFIX = "/api/v1/cleanliness"
router = APIRouter(prefix=PREFIX, tags=["cleanliness"])


def cleanliness_staff(user: Annotated[User, Depends(current_user)]) -> User:
    service.check_cleanliness_staff(user)
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
def add_reading(db: DB, container_id: RowId, reading: FillIn, _caller: Caller) -> ReadingOut:
    """Record a fill-level reading (API key, or cleanliness staff)."""
    return ReadingOut.model_validate(service.record_fill(db, container_id, reading.fill, reading.at, source="http"))


@router.post("/containers/{container_id}/emptied", status_code=201, response_model=EmptyingOut,
             responses=error_responses(400, 401, 403, 404))
def add_emptying(db: DB, container_id: RowId, emptying: EmptyingIn, _caller: Caller) -> EmptyingOut:
    """Record that a container was emptied (API key, or cleanliness staff): the plan's 'actual'."""
    return EmptyingOut.model_validate(service.record_emptying(db, container_id, emptying.at, emptying.truck,
                                                              emptying.weight_kg, source="http"))


@router.get("/containers/{container_id}/forecast", response_model=ForecastOut,
            responses=error_responses(401, 403, 404))
def container_forecast(db: DB, container_id: RowId, _user: Staff) -> ForecastOut:
    """The container's fill now, forecast from its readings since it was last emptied."""
    return ForecastOut.model_validate(service.container_fill(db, container_id))


@router.get("/plans/{plan_id}", response_model=PlanStatusOut, responses=error_responses(401, 403, 404))
def plan_status(db: DB, plan_id: RowId, _user: Staff) -> PlanStatusOut:
    """A plan's progress while it is computed, and its totals once done."""
    return PlanStatusOut.model_validate(service.plan(db, plan_id))


@router.get("/plans/{plan_id}/map", response_model=PlanMapOut, responses=error_responses(401, 403, 404))
def plan_map(db: DB, plan_id: RowId, _user: Staff) -> PlanMapOut:
    """The plan's routes and stops as GeoJSON, for the plan map."""
    return PlanMapOut.model_validate(service.plan_geojson(service.plan(db, plan_id)))
