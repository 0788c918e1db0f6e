"""Waste collection: the inventory, fill readings, which containers are due, and the daily plan (a background job).

access (who works on it) · assets (inventory files, the demo inventory) · readings (fill readings, emptyings,
forecasts) · due (the containers to empty on a day) · planning (the daily plan and its routes) · figures (plan
against actual, key figures).
"""

from __future__ import annotations

from majal.cleanliness.service.access import check_cleanliness_staff, may_plan
from majal.cleanliness.service.assets import (
    ImportResult,
    InventoryCounts,
    counts,
    district_locator,
    export_inventory,
    import_inventory,
    load_demo,
)
from majal.cleanliness.service.due import (
    ASSUMED_FILL,
    DEFAULT_THRESHOLD,
    DENSITY_KG_PER_L,
    OVERFLOW_RADIUS_M,
    OVERFLOW_SERVICE,
    Due,
    OverflowPin,
    due_containers,
    overflow_pins,
)
from majal.cleanliness.service.figures import DayFigures, Indicators, RouteActual, indicators, plan_vs_actual
from majal.cleanliness.service.planning import (
    DEFAULT_SECONDS,
    MAX_SECONDS,
    UNSERVED_MESSAGES,
    BuiltProblem,
    build_problem,
    plan,
    plan_geojson,
    plan_now,
    plan_route,
    plans,
    queue_plan,
    run_plan,
    run_queued_plans,
    take_queued_plan,
    unserved_message,
)
from majal.cleanliness.service.readings import (
    CLOCK_DRIFT,
    FILL_TOPIC,
    ContainerFill,
    container,
    container_fill,
    container_forecast,
    record_emptying,
    record_fill,
    store_fill_message,
)

__all__ = [
    "ASSUMED_FILL",
    "CLOCK_DRIFT",
    "DEFAULT_SECONDS",
    "DEFAULT_THRESHOLD",
    "DENSITY_KG_PER_L",
    "FILL_TOPIC",
    "MAX_SECONDS",
    "OVERFLOW_RADIUS_M",
    "OVERFLOW_SERVICE",
    "UNSERVED_MESSAGES",
    "BuiltProblem",
    "ContainerFill",
    "DayFigures",
    "Due",
    "ImportResult",
    "Indicators",
    "InventoryCounts",
    "OverflowPin",
    "RouteActual",
    "build_problem",
    "check_cleanliness_staff",
    "container",
    "container_fill",
    "container_forecast",
    "counts",
    "district_locator",
    "due_containers",
    "export_inventory",
    "import_inventory",
    "indicators",
    "load_demo",
    "may_plan",
    "overflow_pins",
    "plan",
    "plan_geojson",
    "plan_now",
    "plan_route",
    "plan_vs_actual",
    "plans",
    "queue_plan",
    "record_emptying",
    "record_fill",
    "run_plan",
    "run_queued_plans",
    "store_fill_message",
    "take_queued_plan",
    "unserved_message",
]
