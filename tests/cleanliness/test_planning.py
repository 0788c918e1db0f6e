"""The daily plan: the engine on hand-made problems (capacity, landfill trips, shifts, windows, a mixed fleet, and the
containers it cannot serve), distances along a road graph, the fill forecast, and the plan as a background job."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from majal import cleanliness
from majal.cleanliness import distances, forecast, repository, routing, service
from majal.cleanliness.models import Container, FillReading
from majal.cli import app
from majal.kit import jobs

HOUR = 3600
# The engine's tests count the search's work, not its seconds: the same plan on a fast machine and on a busy one.
# (The cap is never reached on a working machine; PyVRP makes ~10,000 iterations a second on these problems.)
SEARCH = {"seconds": 60.0, "iterations": 2000}


def line_problem(pickups: list[tuple[int, int]], trucks: list[routing.TruckSpec],
                 windows: list[tuple[int, int]] | None = None, service_s: int = 60) -> routing.CollectionProblem:
    """Garage at x=0, landfill at x=10 km, containers at 1, 2, 3 … km along a straight road (1 m = 1 s at 3.6 km/h
    would be slow: durations are metres / 10, i.e. 36 km/h)."""
    xs = [0, 10_000] + [1000 * (k + 1) for k in range(len(pickups))]
    coords = np.array([[x, 0.0] for x in xs])
    dist = np.abs(np.subtract.outer(xs, xs)).astype(np.int64)
    n = len(xs)
    return routing.CollectionProblem(
        distances=dist, durations=dist // 10, coords=coords, num_sites=2,
        pickups=np.array([(0, 0), (0, 0), *pickups], dtype=np.int64),
        service=np.array([0, 600] + [service_s] * len(pickups), dtype=np.int64),
        windows=np.array([(0, routing.DAY_SECONDS)] * 2 + (windows or [(0, routing.DAY_SECONDS)] * len(pickups)),
                         dtype=np.int64).reshape(n, 2),
        trucks=tuple(trucks),
    )


def truck(name: str = "T", kg: int = 1000, litres: int = 10_000, hours: float = 8) -> routing.TruckSpec:
    return routing.TruckSpec(name, (kg, litres), depot=0, landfill=1, shift_start=5 * HOUR,
                             shift_duration=int(hours * HOUR))


def test_full_truck_goes_to_the_landfill_and_comes_back() -> None:
    problem = line_problem([(400, 1000)] * 5, [truck(kg=1000)])
    result = routing.solve_collection(problem, **SEARCH)
    assert not result.unserved
    (route,) = result.routes
    assert route.trips == 3  # 2000 kg in loads of at most 1000 kg
    landfill_visits = [v for v in route.visits if v.node == 1]
    assert len(landfill_visits) == 3 and route.visits[-1].node == 1
    assert all(v.load[0] <= 1000 for v in route.visits)
    # Its distance is the path through its stops plus the drive back to the garage.
    nodes = [v.node for v in route.visits]
    path = sum(int(problem.distances[a, b]) for a, b in itertools.pairwise(nodes))
    assert route.distance == path + 10_000 == result.distance


def test_container_heavier_than_any_truck_is_named_not_served() -> None:
    problem = line_problem([(300, 1000), (5000, 1000), (200, 20_000)], [truck(kg=1000, litres=10_000)])
    result = routing.solve_collection(problem, **SEARCH)
    assert result.unserved == {3: routing.TOO_HEAVY, 4: routing.TOO_HEAVY}
    assert [v.node for v in result.routes[0].visits if v.node >= 2] == [2]


def test_a_mixed_fleet_gives_the_heavy_container_to_the_big_truck() -> None:
    problem = line_problem([(300, 1000), (5000, 1000)], [truck("SMALL", kg=1000), truck("BIG", kg=8000)])
    result = routing.solve_collection(problem, **SEARCH)
    assert not result.unserved
    by_truck = {problem.trucks[r.truck].name: [v.node for v in r.visits if v.node >= 2] for r in result.routes}
    assert 3 in by_truck["BIG"]


def test_windows_that_cannot_all_be_met_leave_named_containers_out() -> None:
    # Six containers 1 km apart (100 s), each taking 20 minutes, all between 05:00 and 06:00, the shift starting at
    # 05:00 at the garage 1 km before the first: arrivals 05:01:40, 05:23:20, 05:45:00 fit, a fourth would be 06:06:40.
    window = (5 * HOUR, 6 * HOUR)
    problem = line_problem([(10, 10)] * 6, [truck()], windows=[window] * 6, service_s=20 * 60)
    result = routing.solve_collection(problem, **SEARCH)
    served = [v for v in result.routes[0].visits if v.node >= 2]
    assert len(served) == 3
    assert sorted([v.node for v in served] + list(result.unserved)) == list(range(2, 8))
    assert set(result.unserved.values()) == {routing.NO_ROOM}
    assert all(window[0] <= v.arrival <= window[1] for v in served)


def test_a_window_no_truck_can_reach_is_named_before_the_search() -> None:
    early = (0, 5 * HOUR)  # closes when the shift starts, and the container is 1 km away
    problem = line_problem([(10, 10), (10, 10)], [truck()], windows=[early, (0, routing.DAY_SECONDS)])
    result = routing.solve_collection(problem, **SEARCH)
    assert result.unserved == {2: routing.WINDOW_UNREACHABLE}


def test_the_shift_bounds_the_day() -> None:
    # 20 containers of an hour each cannot fit a 6-hour shift: the plan keeps the shift and names the rest.
    problem = line_problem([(10, 10)] * 20, [truck(hours=6)], service_s=HOUR)
    result = routing.solve_collection(problem, **SEARCH)
    (route,) = result.routes
    assert route.duration <= 6 * HOUR
    assert len(result.unserved) >= 15


def test_road_graph_distances_follow_the_roads_and_one_way_streets() -> None:
    # An L-shaped road from A to B through a corner C: the road is longer than the straight line.
    a, c, b = (-2.330, 34.920), (-2.330, 34.930), (-2.320, 34.930)
    graph = distances.build_graph([(np.array([a, c]), False), (np.array([c, b]), True)])
    points = np.array([a, b])
    matrices = distances.matrices(points, graph)
    legs = distances.haversine_m(np.array([a[0], c[0]]), np.array([a[1], c[1]]), np.array([c[0], b[0]]),
                                 np.array([c[1], b[1]]))
    assert matrices.source == "roads"
    assert matrices.distances[0, 1] == round(legs.sum())
    # B → A goes against the one-way street: no road path, so the great-circle estimate stands in.
    straight = distances.great_circle_matrix(points)[1, 0]
    assert matrices.distances[1, 0] == round(straight)
    assert matrices.durations[0, 1] == round(legs.sum() / (distances.TOWN_SPEED_KMH / 3.6))
    assert distances.matrices(points, None).source == "great_circle"


def test_fill_forecast_is_linear_since_the_last_emptying() -> None:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    readings = [(t0, 0.9), (t0 + timedelta(hours=12), 0.05), (t0 + timedelta(days=1, hours=12), 0.35),
                (t0 + timedelta(days=2, hours=12), 0.65)]
    seen = forecast.forecast(readings, t0 + timedelta(days=3, hours=12))
    assert seen.rate_per_day == pytest.approx(0.3)
    assert seen.fill == pytest.approx(0.95)
    assert seen.emptied_at == t0
    assert forecast.forecast(readings, t0 + timedelta(days=9)).fill == 1.0
    # Emptied since the last reading: it fills again at the rate it had.
    again = forecast.forecast(readings, t0 + timedelta(days=4), emptied_at=t0 + timedelta(days=3))
    assert again.fill == pytest.approx(0.3)
    assert forecast.forecast([], t0).fill is None


def test_sensor_containers_are_due_when_forecast_over_the_threshold(fleet: sessionmaker[Session]) -> None:
    today = datetime.now(UTC)
    midnight = today.replace(hour=0, minute=0, second=0, microsecond=0)
    with fleet.begin() as db:
        codes = repository.by_codes(db, Container)
        for code, fills in (("A1", (0.2, 0.4, 0.6)), ("A2", (0.05, 0.06, 0.07))):
            row = db.get(Container, codes[code])
            assert row is not None
            row.frequency_days = 0
            for days_ago, fill in zip((2, 1, 0), fills, strict=True):
                db.add(FillReading(container_id=row.id, at=midnight - timedelta(days=days_ago, hours=1), fill=fill,
                                   source="test"))
    with fleet.begin() as db:
        due = {d.container.code: d.reason for d in service.due_containers(db, today.date(), threshold=0.7)}
    assert due["A1"] == "fill" and "A2" not in due
    assert due["A3"] == "frequency" and due["M1"] == "frequency"


def test_plan_runs_as_a_background_job_and_stores_routes(fleet: sessionmaker[Session]) -> None:
    day = date.today()
    with fleet.begin() as db:
        codes = repository.by_codes(db, Container)
        heavy = db.get(Container, codes["A2"])
        assert heavy is not None
        heavy.kind, heavy.volume_l = "underground_3000", 80_000  # 9 t: heavier than any truck
        plan_id = service.queue_plan(db, day, seconds=1, threshold=0.7, actor="test").id
    assert cleanliness.DOMAIN.load(cleanliness.DOMAIN.tasks[service.PLAN_JOB]) is service.plan_job  # the worker's
    assert service.run_queued_plans(fleet) == 1
    assert service.run_queued_plans(fleet) == 0
    with fleet.begin() as db:
        plan = service.plan(db, plan_id)
        assert (plan.status, plan.progress, plan.due, plan.served) == ("done", 1.0, 4, 3)
        assert plan.unserved == [{"container_id": codes["A2"], "code": "A2", "reason": "too_heavy",
                                  "kg": 9000, "litres": 60000, "window": ""}]
        message, params = service.unserved_message(plan.unserved[0])
        assert message % params == "Heavier or bulkier than any truck can carry (9000 kg, 60000 L)."
        stops = [stop for route in plan.routes for stop in route.stops]
        assert {s["code"] for s in stops if s["kind"] == "container"} == {"A1", "A3", "M1"}
        market = next(s for s in stops if s["code"] == "M1")
        assert 5 * HOUR <= market["arrival_s"] <= 7 * HOUR
        assert plan.distance_m == sum(route.distance_m for route in plan.routes) > 0
        assert plan.distance_source == "great_circle"
        assert all(route.stops[0]["kind"] == "depot" and route.stops[-1]["kind"] == "landfill"
                   for route in plan.routes)


def test_a_plan_that_cannot_be_built_fails_with_its_reason(fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        plan_id = service.queue_plan(db, date.today(), seconds=1, threshold=0.7, actor="test").id
        for found in repository.trucks(db):
            found.active = False
    service.run_queued_plans(fleet)
    with fleet.begin() as db:
        plan = service.plan(db, plan_id)
        assert plan.status == "failed" and "no active truck" in plan.error


def test_a_plan_whose_worker_died_for_good_is_marked_failed(fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        plan = service.queue_plan(db, date.today(), seconds=1, threshold=0.7, actor="test")
        plan.status, plan.started_at = "running", datetime.now(UTC) - timedelta(hours=1)
        job = service.plan_job_of(db, plan.id)
        assert job is not None
        job.status, job.attempts, job.lease_until = "running", service.ATTEMPTS, datetime.now(UTC) - timedelta(1)
        plan_id = plan.id
    assert service.run_queued_plans(fleet) == 0  # its attempts are spent: the queue fails the job
    assert service.reconcile_plans(fleet) == 1  # and the plan says so
    with fleet.begin() as db:
        plan = service.plan(db, plan_id)
        assert plan.status == "failed" and "worker stopped" in plan.error
        assert service.plan_job_of(db, plan_id).status == "failed"  # type: ignore[union-attr]


def test_a_plan_cancelled_before_it_starts_is_not_computed(fleet: sessionmaker[Session]) -> None:
    with fleet.begin() as db:
        plan_id = service.queue_plan(db, date.today(), seconds=1, threshold=0.7, actor="test").id
        jobs.cancel(db, service.plan_job_of(db, plan_id).id, actor="test")  # type: ignore[union-attr]
    assert service.run_queued_plans(fleet) == 0
    service.reconcile_plans(fleet)
    with fleet.begin() as db:
        assert (service.plan(db, plan_id).status, service.plan(db, plan_id).routes) == ("cancelled", [])


def test_cli_plan_prints_routes_and_unserved(fleet: sessionmaker[Session], settings,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from majal.kit.cli import settings as cli_settings

    monkeypatch.setenv("MAJAL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    cli_settings.cache_clear()
    with fleet.begin() as db:
        market = db.get(Container, repository.by_codes(db, Container)["M1"])
        assert market is not None
        market.window_start_minutes, market.window_end_minutes = 240, 300  # 04:00-05:00: before any shift
    result = runner.invoke(app, ["cleanliness", "plan", "--seconds", "1"])
    cli_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "3 of 4 containers due" in result.output
    assert "M1: No truck can reach it within its time window 04:00–05:00" in result.output
    bad = runner.invoke(app, ["cleanliness", "plan", "--date", "tomorrow"])
    assert bad.exit_code == 1 and "--date: Enter a date as YYYY-MM-DD." in bad.output


runner = CliRunner()


def test_a_past_day_is_planned_as_things_stood_then(fleet: sessionmaker[Session]) -> None:
    today = datetime.now(UTC).replace(hour=0, minute=5, second=0, microsecond=0)
    with fleet.begin() as db:
        codes = repository.by_codes(db, Container)
        service.record_emptying(db, codes["A1"], today, "BIG", 90.0, source="test")
        a2 = db.get(Container, codes["A2"])
        assert a2 is not None
        a2.frequency_days = 0
        db.add(FillReading(container_id=a2.id, at=today - timedelta(days=2), fill=0.1, source="test"))
        db.add(FillReading(container_id=a2.id, at=today - timedelta(days=1, hours=12), fill=0.2, source="test"))
        db.add(FillReading(container_id=a2.id, at=today, fill=0.95, source="test"))  # after yesterday ended
    with fleet.begin() as db:
        yesterday = {d.container.code for d in service.due_containers(db, today.date() - timedelta(days=1))}
        now = {d.container.code for d in service.due_containers(db, today.date())}
    assert "A1" in yesterday and "A1" not in now  # emptied this morning: not due again today
    assert "A2" not in yesterday and "A2" in now  # the full reading came after yesterday
