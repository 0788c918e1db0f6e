"""The managers' dashboard of service requests: key figures, charts, and a heat map of what is still open."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from majal.accounts import staff
from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.i18n import BABEL_LOCALES, N_, current_language, format_number, gettext, localized_name
from majal.kit.openapi import error_responses
from majal.kit.security import Role
from majal.kit.web import DB, Audience, render
from majal.requests import service
from majal.requests.schemas import HeatOut
from majal.requests.stats import NO_DISTRICT, DashboardData, GroupFigures
from majal.requests.workflow import LABELS, Status
from majal.territory import service as territory

PAGE_PATH = "/console/requests/dashboard"
HEAT_PATH = "/api/v1/requests/heat"
HOURS_FORMAT = N_("%(count)s h")
DAYS_FORMAT = N_("%(count)s days")
# TRANSLATORS: a number of days, abbreviated as short as the language allows (it sits next to a bar in a chart).
DAYS_SHORT_FORMAT = N_("%(count)s d")

router = APIRouter()


@router.get(HEAT_PATH, tags=["requests"], response_model=HeatOut, responses=error_responses(401, 403))
def heat(db: DB, user: Annotated[User, Depends(current_user)]) -> HeatOut:
    """Where the open service requests are, for the dashboard's heat layer (staff only; an agent sees their
    department's)."""
    data = service.dashboard(db, department=scope(user))
    return HeatOut(points=data.heat_points(), open=data.open)


@router.get(PAGE_PATH, tags=[Audience.staff], include_in_schema=False)
def dashboard_page(request: Request, db: DB, user: Annotated[User, Depends(current_user)]) -> Response:
    department = scope(user)
    data = service.dashboard(db, department=department)
    current = territory.overview(db)
    services = {chosen.code: localized_name(chosen) for chosen in service.services(db)}
    districts = {district.code: localized_name(district) for district in current.districts}
    districts[NO_DISTRICT] = gettext(N_("No district"))
    label = staff.department_label(department) if department else None
    return render(request, "requests/dashboard.html", {
        "data": data,
        "commune": current.commune,
        "department_label": label,
        "since": _month_name(data.since, "MMMM y"),
        "figures": _key_figures(data),
        "by_status": [{"label": _status_label(key), "value": count} for key, count in data.by_status],
        "by_service": _count_rows(data.by_service, services),
        "by_district": _count_rows(data.by_district, districts),
        "times": _time_rows(data.by_service, services),
        "service_table": _service_table(data.by_service, services),
        "months": [{"short": _month_name(month.month, "MMM"), "long": _month_name(month.month, "MMMM y")}
                   for month in data.months],
        "series": [
            {"name": gettext(N_("Requests received")), "values": [month.received for month in data.months]},
            {"name": gettext(N_("Requests resolved")), "values": [month.resolved for month in data.months]},
        ],
        "heat_url": HEAT_PATH,
    })


def scope(user: User) -> str | None:
    """The department whose requests the dashboard counts; None for all. Agents and inspectors see their own
    department (the queue's rule); managers and admins see the whole commune, and so do social workers, who have
    no queue but may read these counts (no request or person can be told apart in them)."""
    if user.role in (Role.admin, Role.manager, Role.social_worker):
        return None
    allowed = service.departments_for(user)
    return allowed[0] if allowed else None


def duration(hours: float | None, short: bool = False) -> str:
    """A time to resolve as people say it: hours under two days, days (one decimal) beyond."""
    if hours is None:
        return gettext(N_("No data yet"))
    if hours < 48:
        return gettext(HOURS_FORMAT, count=format_number(hours, 0 if hours >= 10 else 1))
    return gettext(DAYS_SHORT_FORMAT if short else DAYS_FORMAT, count=format_number(hours / 24, 1))


def percent(share: float | None) -> str:
    if share is None:
        return gettext(N_("No data yet"))
    return format_percent(share, locale=BABEL_LOCALES[current_language()])


def _month_name(month: datetime, pattern: str) -> str:
    return format_date(month.date(), pattern, locale=BABEL_LOCALES[current_language()])


def _status_label(key: str) -> str:
    return gettext(LABELS[Status(key)]) if key in Status.__members__ else key


def _key_figures(data: DashboardData) -> list[dict[str, str]]:
    overdue = gettext(N_("%(overdue)s of %(open)s open requests"), overdue=format_number(data.overdue),
                      open=format_number(data.open))
    resolved = gettext(N_("of %(count)s resolved requests"), count=format_number(data.resolved))
    return [
        {"label": gettext(N_("Open requests")), "value": format_number(data.open), "note": ""},
        {"label": gettext(N_("Overdue")), "value": percent(data.overdue_share), "note": overdue},
        {"label": gettext(N_("Median time to resolve")), "value": duration(data.median_hours), "note": ""},
        {"label": gettext(N_("Time to resolve, 90th percentile")), "value": duration(data.p90_hours),
         "note": gettext(N_("9 requests in 10 are resolved within this time"))},
        {"label": gettext(N_("Resolved within the deadline")), "value": percent(data.within_sla_share),
         "note": resolved},
        {"label": gettext(N_("Requests counted")), "value": format_number(data.total), "note": ""},
    ]


def _count_rows(groups: tuple[GroupFigures, ...], names: dict[str, str]) -> list[dict[str, Any]]:
    return [{"label": names.get(group.key, group.key), "value": group.received} for group in groups]


def _time_rows(groups: tuple[GroupFigures, ...], names: dict[str, str]) -> list[dict[str, Any]]:
    timed = sorted((group for group in groups if group.median_hours is not None),
                   key=lambda group: -(group.median_hours or 0.0))
    return [{"label": names.get(group.key, group.key), "value": group.median_hours, "extent": group.p90_hours,
             "display": duration(group.median_hours, short=True), "detail": duration(group.p90_hours, short=True)}
            for group in timed]


def _service_table(groups: tuple[GroupFigures, ...], names: dict[str, str]) -> list[dict[str, str]]:
    return [{
        "label": names.get(group.key, group.key),
        "received": format_number(group.received),
        "open": format_number(group.open),
        "overdue": format_number(group.overdue),
        "median": duration(group.median_hours),
        "p90": duration(group.p90_hours),
        "within_sla": percent(group.within_sla_share),
    } for group in groups]
