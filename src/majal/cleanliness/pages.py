"""The cleanliness console: key figures and daily charts, planning a day, the plan map, plan against actual, and a
printable sheet per truck. For admins, managers and agents of the cleanliness department."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from majal.cleanliness import service
from majal.cleanliness.api import Staff
from majal.cleanliness.models import CollectionPlan
from majal.kit.audit import utcnow
from majal.kit.errors import MajalError
from majal.kit.i18n import BABEL_LOCALES, N_, current_language, format_number, gettext
from majal.kit.validation import RowId, decimal_number
from majal.kit.web import DB, Audience, render, verify_csrf

PATH = "/console/cleanliness"
router = APIRouter(include_in_schema=False)
ROUTE_COLOURS = 8  # .route-1 … .route-8 in majal.css, the same palette as cleanliness-plan.js
STATUS_LABELS = {"queued": N_("Queued"), "running": N_("Computing"), "done": N_("Done"), "failed": N_("Failed"),
                 "cancelled": N_("Cancelled")}
KIND_LABELS = {"depot": N_("Garage"), "landfill": N_("Landfill: unload"), "container": N_("Container")}
CONTAINER_KIND_LABELS = {"bin_240": N_("Bin 240 L"), "bin_660": N_("Bin 660 L"), "bin_1100": N_("Bin 1,100 L"),
                         "underground_3000": N_("Underground 3,000 L")}
DISTANCE_LABELS = {"roads": N_("along the road graph"), "great_circle": N_("straight line × detour factor")}


@router.get(PATH, tags=[Audience.staff])
def overview(request: Request, db: DB, _user: Staff) -> Response:
    today = utcnow().date()
    figures = service.indicators(db, today)
    days = [{"short": _day(f.day, "d MMM"), "long": _day(f.day, "EEEE d MMMM y")} for f in figures.days]
    pins = service.overflow_pins(db, utcnow() - timedelta(days=14), utcnow())
    return render(request, "cleanliness/overview.html", {
        "counts": service.counts(db),
        "key_figures": _key_figures(figures),
        "days": days,
        "km_series": [{"name": gettext(N_("Kilometres planned")), "values": [round(f.km, 1) for f in figures.days]}],
        "tonne_series": [{"name": gettext(N_("Tonnes planned")), "values": [round(f.tonnes, 1) for f in figures.days]},
                         ],
        "day_rows": figures.days,
        "plans": [_plan_row(plan) for plan in service.plans(db)],
        "today": today.isoformat(),
        "default_seconds": int(service.DEFAULT_SECONDS),
        "default_threshold": service.DEFAULT_THRESHOLD,
        "pins": pins,
    })


def _key_figures(figures: service.Indicators) -> list[dict[str, str]]:
    coverage = figures.coverage
    return [
        {"label": gettext(N_("Tonnage collected")), "value": gettext(N_("%(count)s t"),
                                                                    count=format_number(figures.tonnes, 1))},
        {"label": gettext(N_("Distance driven")), "value": gettext(N_("%(count)s km"),
                                                                  count=format_number(figures.km, 0))},
        {"label": gettext(N_("Containers served")), "value": format_number(figures.served)},
        {"label": gettext(N_("Overflow reports")), "value": format_number(figures.overflow_reports)},
        {"label": gettext(N_("Population with regular collection (ISO 37120 16.1)")),
         "value": format_percent(coverage, locale=BABEL_LOCALES[current_language()]) if coverage is not None
         else gettext(N_("No data yet"))},
    ]


def _day(day: date, pattern: str) -> str:
    return format_date(day, pattern, locale=BABEL_LOCALES[current_language()])


def _plan_row(plan: CollectionPlan) -> dict[str, Any]:
    return {"plan": plan, "day": _day(plan.day, "EEE d MMM y"), "status": gettext(STATUS_LABELS[plan.status]),
            "km": format_number(plan.distance_m / 1000, 1), "tonnes": format_number(plan.weight_kg / 1000, 1)}


@router.post(f"{PATH}/plans", dependencies=[Depends(verify_csrf)])
def queue_plan(request: Request, db: DB, user: Staff, day: Annotated[str, Form(max_length=10)] = "",
               seconds: Annotated[str, Form(max_length=10)] = "",
               threshold: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Queue a day's plan for the worker; the plan's page shows its progress."""
    chosen = _parse(day, date.fromisoformat, N_("Enter a date as YYYY-MM-DD."), "day")
    search = _parse(seconds or str(service.DEFAULT_SECONDS), decimal_number, N_("Enter a number."), "seconds")
    fill = _parse(threshold or str(service.DEFAULT_THRESHOLD), decimal_number, N_("Enter a number."), "threshold")
    plan = service.queue_plan(db, chosen, search, fill, actor=user.username)
    return RedirectResponse(f"{PATH}/plans/{plan.id}", status_code=303)


def _parse(text: str, convert: Any, message: str, field: str) -> Any:
    try:
        return convert(text.strip())
    except ValueError:
        raise MajalError(message, where=field) from None


@router.get(f"{PATH}/plans/{{plan_id}}", tags=[Audience.staff])
def plan_page(request: Request, db: DB, plan_id: RowId, _user: Staff) -> Response:
    plan = service.plan(db, plan_id)
    actual = {row.route.id: row for row in service.plan_vs_actual(db, plan)} if plan.status == "done" else {}
    routes = [{
        "route": route, "colour": (route.number - 1) % ROUTE_COLOURS + 1,
        "containers": sum(1 for s in route.stops if s["kind"] == "container"),
        "km": format_number(route.distance_m / 1000, 1), "kg": format_number(route.weight_kg),
        "duration": _hours(route.duration_s), "actual": actual.get(route.id),
    } for route in plan.routes]
    unserved = []
    for entry in plan.unserved:
        message, params = service.unserved_message(entry)
        unserved.append({"code": entry["code"], "why": gettext(message, **params)})
    return render(request, "cleanliness/plan.html", {
        "plan": plan, "day": _day(plan.day, "EEEE d MMMM y"), "status": gettext(STATUS_LABELS[plan.status]),
        "routes": routes, "unserved": unserved, "km": format_number(plan.distance_m / 1000, 1),
        "tonnes": format_number(plan.weight_kg / 1000, 1),
        "distance_label": gettext(DISTANCE_LABELS[plan.distance_source]) if plan.distance_source else "",
        "progress_percent": round(plan.progress * 100),
        "map_url": f"/api/v1/cleanliness/plans/{plan.id}/map",
        "job": service.plan_job_of(db, plan.id), "job_outcome": request.query_params.get("job", ""),
    })


@router.get(f"{PATH}/plans/{{plan_id}}/routes/{{route_id}}", tags=[Audience.staff])
def driver_sheet(request: Request, db: DB, plan_id: RowId, route_id: RowId, _user: Staff) -> Response:
    """One truck's round on paper: stops in order with times, expected load, and the landfill runs."""
    route = service.plan_route(db, plan_id, route_id)
    stops = [{
        "number": index, "time": _clock(stop["arrival_s"]), "window": stop.get("window", ""),
        "kind": _label(KIND_LABELS, stop["kind"]),
        "is_site": stop["kind"] != "container", "code": stop["code"],
        "place": stop.get("street") or stop.get("name", ""),
        "container": gettext(CONTAINER_KIND_LABELS.get(stop.get("container_kind", ""), N_("Container")))
        if stop["kind"] == "container" else "",
        "kg": format_number(stop.get("kg", 0)) if stop["kind"] == "container" else "",
        "load": format_number(stop["load_kg"]),
    } for index, stop in enumerate(route.stops)]
    return render(request, "cleanliness/sheet.html", {
        "plan": route.plan, "route": route, "day": _day(route.plan.day, "EEEE d MMMM y"), "stops": stops,
        "km": format_number(route.distance_m / 1000, 1), "kg": format_number(route.weight_kg),
        "duration": _hours(route.duration_s), "start": _clock(route.stops[0]["arrival_s"]),
        "containers": sum(1 for s in route.stops if s["kind"] == "container"),
    })


def _label(labels: dict[str, str], key: str) -> str:
    return gettext(labels[key])


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _hours(seconds: int) -> str:
    return gettext(N_("%(hours)s h %(minutes)s min"), hours=seconds // 3600, minutes=f"{seconds % 3600 // 60:02d}")
