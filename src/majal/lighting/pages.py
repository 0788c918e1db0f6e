"""Public lighting's pages for the lighting department: overview and KPIs, lamp map, cabinet, work orders,
retrofit scenarios."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_percent
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from majal.accounts.deps import current_user
from majal.accounts.models import User
from majal.kit.errors import MajalError
from majal.kit.i18n import BABEL_LOCALES, N_, current_language, format_number, gettext, localized_name
from majal.kit.validation import RowId
from majal.kit.web import DB, Audience, render, verify_csrf
from majal.lighting import formats, service
from majal.lighting.models import WorkOrder
from majal.territory import service as territory

router = APIRouter()
PREFIX = "/console/lighting"


def _settings(request: Request) -> tuple[float, float]:
    settings = request.app.state.settings
    return settings.lighting_tariff_mad_per_kwh, settings.lighting_co2_kg_per_kwh


def _percent(share: float | None) -> str:
    return gettext(N_("No data yet")) if share is None else format_percent(
        share, format="#,##0.0 %", locale=BABEL_LOCALES[current_language()])


def _hours(hours: float | None) -> str:
    if hours is None:
        return gettext(N_("No data yet"))
    if hours < 48:
        return gettext(N_("%(count)s h"), count=format_number(hours, 1))
    return gettext(N_("%(count)s days"), count=format_number(hours / 24, 1))


def _months() -> list[dict[str, str]]:
    locale = BABEL_LOCALES[current_language()]
    return [{"short": format_date(date(2026, month, 1), "MMM", locale=locale),
             "long": format_date(date(2026, month, 1), "MMMM", locale=locale)} for month in range(1, 13)]


@router.get(PREFIX, tags=[Audience.staff], include_in_schema=False)
def overview(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
             year: Annotated[int, Query(ge=2000, le=2100)] = 0) -> Response:
    service.check_lighting_staff(user)
    year = year or date.today().year
    tariff, co2 = _settings(request)
    figures = service.kpis(db)
    report = service.energy_report(db, year, tariff, co2) if figures.lamps else None
    districts = {district.id: localized_name(district) for district in territory.overview(db).districts}
    return render(request, "lighting/overview.html", {
        "year": year, "kpis": figures, "report": report, "tariff": tariff, "co2": co2,
        "key_figures": _key_figures(figures, report),
        "months": _months(),
        "series": [] if report is None else [
            {"name": gettext(N_("Energy (MWh)")), "values": [round(v / 1000, 1) for v in report.monthly.kwh]},
            {"name": gettext(N_("Cost (thousand MAD)")), "values": [round(v / 1000, 1) for v in report.monthly.mad]},
        ],
        "by_district": [] if report is None else [
            {"label": districts.get(district_id, "—"), "value": round(kwh / 1000, 1),
             "display": gettext(N_("%(value)s MWh"), value=format_number(kwh / 1000, 0))}
            for district_id, kwh, _mad in report.by_district],
        "by_technology": [] if report is None else [
            {"label": gettext(formats.TECHNOLOGY_LABELS[formats.Technology(name)]), "value": round(kwh / 1000, 1),
             "display": gettext(N_("%(value)s MWh"), value=format_number(kwh / 1000, 0)), "lamps": lamps}
            for name, lamps, kwh in report.by_technology],
        **_fault_charts(service.fault_months(db), figures.lamps),
        "cabinets": service.cabinet_list(db),
        "cabinet_energy": {} if report is None else {code: kwh for code, kwh, _mad in report.by_cabinet},
    })


def _fault_charts(months: list[service.FaultMonth], lamps: int) -> dict[str, Any]:
    locale = BABEL_LOCALES[current_language()]
    return {
        "fault_months": [{"short": format_date(m.month, "MMM", locale=locale),
                          "long": format_date(m.month, "MMMM y", locale=locale)} for m in months],
        "fault_series": [{"name": gettext(N_("Faults per 1,000 lamps")),
                          "values": [round(m.opened / lamps * 1000, 1) if lamps else 0 for m in months]}],
        "repair_rows": [{"label": format_date(m.month, "MMMM y", locale=locale), "value": m.mean_hours_to_repair,
                         "display": _hours(m.mean_hours_to_repair)} for m in months],
    }


def _key_figures(figures: service.Kpis, report: service.EnergyReport | None) -> list[dict[str, str]]:
    rows = [
        {"label": gettext(N_("Lamps")), "value": format_number(figures.lamps), "note": ""},
        {"label": gettext(N_("Lamps working")), "value": _percent(figures.working_share),
         "note": gettext(N_("%(count)s lamps waiting for repair"), count=format_number(figures.open_orders))},
        {"label": gettext(N_("Faults per 1,000 lamps")),
         "value": "—" if figures.faults_per_1000 is None else format_number(figures.faults_per_1000, 1),
         "note": gettext(N_("over the last 12 months"))},
        {"label": gettext(N_("Mean time to repair")), "value": _hours(figures.mean_hours_to_repair),
         "note": gettext(N_("%(count)s repairs in 12 months"), count=format_number(figures.repaired))},
    ]
    if report is not None:
        rows += [
            {"label": gettext(N_("Energy this year")),
             "value": gettext(N_("%(value)s MWh"), value=format_number(report.total_kwh / 1000)), "note": ""},
            {"label": gettext(N_("Cost this year")),
             "value": gettext(N_("%(value)s MAD"), value=format_number(report.total_mad)), "note": ""},
            {"label": gettext(N_("CO₂ this year")),
             "value": gettext(N_("%(value)s t"), value=format_number(report.total_co2_t)), "note": ""},
        ]
    return rows


@router.get(PREFIX + "/map", tags=[Audience.staff], include_in_schema=False)
def lamp_map(request: Request, db: DB, user: Annotated[User, Depends(current_user)]) -> Response:
    service.check_lighting_staff(user)
    commune = territory.overview(db).commune
    return render(request, "lighting/map.html", {"commune": commune, "counts": service.state_counts(db),
                                                 "labels": _state_labels()})


def _state_labels() -> dict[str, str]:
    return {key: gettext(label) for key, label in service.STATE_LABELS.items()}


@router.get(PREFIX + "/cabinets/{cabinet_id}", tags=[Audience.staff], include_in_schema=False)
def cabinet_page(request: Request, db: DB, cabinet_id: RowId, user: Annotated[User, Depends(current_user)]
                 ) -> Response:
    service.check_lighting_staff(user)
    found = service.cabinet(db, cabinet_id)
    tariff, co2 = _settings(request)
    lamps = service.cabinet_streetlights(db, cabinet_id)
    states = service.lamp_states(db, [lamp.id for lamp in lamps])
    energy = service.cabinet_energy(db, found.id, date.today().year, tariff, co2)
    return render(request, "lighting/cabinet.html", {
        "cabinet": found, "lamps": lamps, "states": states, "labels": _state_labels(), "energy": energy,
        "technologies": {t.value: gettext(label) for t, label in formats.TECHNOLOGY_LABELS.items()},
        "programme": service.programme_text(found), "programmes": service.programme_list(db),
    })


@router.post(PREFIX + "/cabinets/{cabinet_id}/programme", tags=[Audience.staff], include_in_schema=False,
             dependencies=[Depends(verify_csrf)])
def assign(db: DB, cabinet_id: RowId, user: Annotated[User, Depends(current_user)],
           programme: Annotated[str, Form(max_length=40)] = "") -> Response:
    service.assign_cabinet_programme(db, user, cabinet_id, programme)
    return RedirectResponse(f"{PREFIX}/cabinets/{cabinet_id}", status_code=303)


@router.get(PREFIX + "/programmes", tags=[Audience.staff], include_in_schema=False)
def programmes_page(request: Request, db: DB, user: Annotated[User, Depends(current_user)]) -> Response:
    service.check_lighting_staff(user)
    return _programmes(request, db, {})


def _programmes(request: Request, db: DB, values: dict[str, str], error: str | None = None) -> Response:
    return render(request, "lighting/programmes.html", {
        "programmes": [(p, service.steps_text(p)) for p in service.programme_list(db)],
        "counts": service.programme_cabinet_counts(db), "values": values, "error": error,
    }, status_code=400 if error else 200)


@router.post(PREFIX + "/programmes", tags=[Audience.staff], include_in_schema=False,
             dependencies=[Depends(verify_csrf)])
def save_programme(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
                   code: Annotated[str, Form(max_length=40)] = "", name: Annotated[str, Form(max_length=200)] = "",
                   steps: Annotated[str, Form(max_length=1000)] = "") -> Response:
    try:
        service.change_programme(db, user, code, name, steps)  # checks everything before it writes
    except MajalError as refused:
        if refused.status_code in (401, 403):
            raise
        return _programmes(request, db, {"code": code, "name": name, "steps": steps}, refused.translated())
    return RedirectResponse(PREFIX + "/programmes", status_code=303)


@router.get(PREFIX + "/work-orders", tags=[Audience.staff], include_in_schema=False)
def work_orders(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
                status: Annotated[str, Query(max_length=20)] = "open",
                page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    rows, total = service.work_order_queue(db, user, status, page)
    return render(request, "lighting/work_orders.html", {
        "rows": [_order(order) for order in rows], "total": total, "page": page, "status": status,
        "pages": max((total + service.PAGE_SIZE - 1) // service.PAGE_SIZE, 1),
        "statuses": [("open", gettext(N_("To do or in progress")))] + [
            (key, gettext(label)) for key, label in service.STATUS_LABELS.items() if key != "open"],
    })


def _order(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.id, "pole": order.streetlight.pole_number, "cabinet_id": order.streetlight.cabinet_id,
        "fault": gettext(service.FAULT_LABELS.get(order.fault, order.fault)),
        "status": order.status, "status_label": gettext(service.STATUS_LABELS[order.status]),
        "opened_at": order.opened_at, "closed_at": order.closed_at,
        "reports": [link.service_request_id for link in order.links],
        "moves": [(target, gettext(service.STATUS_LABELS[target]))
                  for target in service.WORK_ORDER_MOVES.get(order.status, ())],
    }


@router.post(PREFIX + "/work-orders/{work_order_id}/status", tags=[Audience.staff], include_in_schema=False,
             dependencies=[Depends(verify_csrf)])
def move(request: Request, db: DB, work_order_id: RowId, user: Annotated[User, Depends(current_user)],
         target: Annotated[str, Form(max_length=20)] = "", note: Annotated[str, Form(max_length=2000)] = ""
         ) -> Response:
    secret = request.app.state.secret_key
    service.move_work_order(db, user, work_order_id, target, note, secret=secret)
    return RedirectResponse(PREFIX + "/work-orders", status_code=303)


@router.get(PREFIX + "/retrofit", tags=[Audience.staff], include_in_schema=False)
def retrofit(request: Request, db: DB, user: Annotated[User, Depends(current_user)],
             technology: Annotated[str, Query(max_length=20)] = "hps",
             district: Annotated[str, Query(max_length=40)] = "",
             min_power_w: Annotated[float, Query(ge=0, le=formats.MAX_POWER_W)] = 0,
             led_power_w: Annotated[float, Query(ge=0, le=100_000)] = 60,
             unit_price_mad: Annotated[float, Query(ge=0, le=1_000_000)] = 2500) -> Response:
    service.check_lighting_staff(user)
    tariff, co2 = _settings(request)
    districts = territory.overview(db).districts
    chosen = next((d for d in districts if d.code == district), None)
    technology = technology if technology in ("", *[t.value for t in formats.Technology]) else "hps"
    choice = service.RetrofitChoice(technology, chosen.id if chosen else None, min_power_w, led_power_w,
                                    unit_price_mad)
    result = service.retrofit_scenario(db, choice, date.today().year, tariff, co2)
    years = list(range(len(result.cumulative_mad)))
    return render(request, "lighting/retrofit.html", {
        "choice": choice, "district": district, "districts": districts, "result": result, "tariff": tariff,
        "technologies": [("", gettext(N_("Every lamp that is not LED")))] + [
            (t.value, gettext(label)) for t, label in formats.TECHNOLOGY_LABELS.items() if t != formats.Technology.led],
        "payback": gettext(N_("Never, at this price and power")) if result.payback_years is None else gettext(
            N_("%(years)s years"), years=format_number(result.payback_years, 1)),
        "years": [{"short": str(year), "long": gettext(N_("Year %(number)s"), number=year)} for year in years],
        "series": [
            {"name": gettext(N_("Savings to date (thousand MAD)")),
             "values": [round(result.savings_mad * year / 1000, 1) for year in years]},
            {"name": gettext(N_("Investment (thousand MAD)")),
             "values": [round(result.investment_mad / 1000, 1) for _year in years]},
        ],
    })
