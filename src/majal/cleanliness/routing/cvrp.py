"""The capacitated routing problem (CVRP) solved with PyVRP, and our own cost and feasibility checks of its routes.

`solve()` recomputes the cost of the routes it returns from the distance matrix (`route_cost`) and checks them
(`is_feasible`: every client exactly once, no truck over capacity, no more routes than trucks); a disagreement with
PyVRP's own objective or verdict is a bug and raises `RoutingMismatch`.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyvrp
from pyvrp.constants import MAX_VALUE
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations, MaxRuntime

DEFAULT_SEED = 1
MAX_SEED = 2**32 - 1  # PyVRP's random number generator takes an unsigned 32-bit seed


class RoutingMismatch(RuntimeError):
    """The solver and our own checks disagree about a solution: a bug, never the user's fault."""


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A capacitated routing problem. Node 0 is the depot, nodes 1..n-1 the clients."""

    coords: np.ndarray  # (n, 2) floats, x and y of each node (for maps; the costs come from `distances`)
    demands: np.ndarray  # (n,) integers, what each client fills a truck with; demands[0] == 0
    capacity: int  # what one truck holds
    distances: np.ndarray  # (n, n) integers, the cost of driving from node i to node j
    num_vehicles: int  # trucks available, i.e. the most routes a plan may have
    name: str = ""

    def __post_init__(self) -> None:
        n = len(self.demands)
        if n < 2:
            raise ValueError("a routing problem needs a depot and at least one client")
        if self.coords.shape != (n, 2) or self.distances.shape != (n, n):
            raise ValueError("coords must be (n, 2) and distances (n, n) for n demands")
        if self.demands[0] != 0 or (self.demands < 0).any() or self.capacity <= 0 or self.num_vehicles <= 0:
            raise ValueError("the depot has no demand, demands are >= 0, capacity and vehicles are > 0")
        if not np.issubdtype(self.distances.dtype, np.integer) or not np.issubdtype(self.demands.dtype, np.integer):
            raise ValueError("distances and demands are integers")

    @property
    def num_clients(self) -> int:
        return len(self.demands) - 1


@dataclass(frozen=True)
class RoutingResult:
    cost: int  # total distance of the routes, recomputed by `route_cost` from the problem's own distances
    routes: list[list[int]]  # each route's clients in visiting order (node numbers; the depot is left out)
    feasible: bool  # every client once, no truck over capacity, no more routes than trucks
    solver_cost: int | None = None  # PyVRP's objective for the same routes (None when it found nothing feasible)
    runtime: float = 0.0  # seconds spent in the solver
    iterations: int = 0
    loads: list[int] = field(default_factory=list)  # what each route collects


# ----------------------------------------------------------------------------------------------------
# Cost and feasibility, computed by us from the routes


def route_cost(distances: np.ndarray, routes: Sequence[Sequence[int]]) -> int:
    """Total cost of the routes, each leaving the depot (node 0), visiting its clients in order and coming back."""
    total = 0
    for route in routes:
        if route:
            path = np.concatenate(([0], np.asarray(route, dtype=np.int64), [0]))
            total += int(distances[path[:-1], path[1:]].sum())
    return total


def route_loads(demands: np.ndarray, routes: Sequence[Sequence[int]]) -> list[int]:
    return [int(demands[np.asarray(route, dtype=np.int64)].sum()) if route else 0 for route in routes]


def is_feasible(problem: RoutingProblem, routes: Sequence[Sequence[int]]) -> bool:
    """Every client exactly once, no depot or unknown node inside a route, no empty route, no truck over capacity,
    and no more routes than trucks."""
    visited = [node for route in routes for node in route]
    if sorted(visited) != list(range(1, problem.num_clients + 1)):
        return False
    if len(routes) > problem.num_vehicles or any(not route for route in routes):
        return False
    return all(load <= problem.capacity for load in route_loads(problem.demands, routes))


# ----------------------------------------------------------------------------------------------------
# Solving


def build_model(problem: RoutingProblem) -> pyvrp.Model:
    """The PyVRP model of the problem: one location per node, the depot, the clients and the fleet.

    The edges are not added here: `Model.add_edge` builds one Python object per pair of nodes, so `problem_data`
    hands the integer matrix to PyVRP in one piece instead.
    """
    model = pyvrp.Model()
    locations = [model.add_location(float(x), float(y)) for x, y in problem.coords]
    model.add_depot(locations[0], name="depot")
    for node in range(1, len(locations)):
        model.add_client(locations[node], delivery=[int(problem.demands[node])], name=str(node))
    model.add_vehicle_type(num_available=problem.num_vehicles, capacity=[problem.capacity])
    return model


def problem_data(problem: RoutingProblem) -> pyvrp.ProblemData:
    """PyVRP's problem data: the model's locations, clients and fleet with the problem's distance matrix. Durations
    equal distances, as PyVRP's own VRPLIB reader assumes; nothing is timed in a CVRP."""
    distances: Any = np.ascontiguousarray(problem.distances, dtype=np.int64)  # PyVRP's stubs misspell the array type
    return build_model(problem).data().replace(distance_matrices=[distances], duration_matrices=[distances])


ProgressCallback = Callable[[float, int | None], None]


class Budget:
    """PyVRP's `MaxRuntime`, and `MaxIterations` when a number of iterations is given (whichever ends first), also
    telling `on_progress` (at most ten times a second) the seconds spent so far and the best feasible cost found."""

    def __init__(self, seconds: float, iterations: int | None, on_progress: ProgressCallback | None) -> None:
        self._limit = MaxRuntime(seconds)
        self._iterations = MaxIterations(iterations) if iterations is not None else None
        self._on_progress = on_progress
        self._started: float | None = None
        self._last_report = -math.inf

    def __call__(self, best_cost: int) -> bool:
        now = time.perf_counter()
        if self._started is None:
            self._started = now
        if self._on_progress is not None and now - self._last_report >= 0.1:
            self._last_report = now
            self._on_progress(now - self._started, best_cost if best_cost < MAX_VALUE else None)
        out_of_time = self._limit(best_cost)
        return out_of_time or (self._iterations is not None and self._iterations(best_cost))


def check_budget(seconds: float, iterations: int | None) -> None:
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError("seconds must be a finite number above 0")
    if iterations is not None and iterations < 1:
        raise ValueError("iterations must be at least 1")


def search(data: pyvrp.ProblemData, seconds: float, iterations: int | None, seed: int,
           on_progress: ProgressCallback | None) -> tuple[pyvrp.Result, float]:
    """PyVRP's search within the budget, and the seconds it took."""
    started = time.perf_counter()
    with warnings.catch_warnings():
        # PyVRP warns when it struggles to reach feasibility; the result says so through feasibility checks.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(data, Budget(seconds, iterations, on_progress), seed=seed, collect_stats=False,
                             display=False)
    return result, time.perf_counter() - started


def solve(
    problem: RoutingProblem,
    *,
    seconds: float,
    iterations: int | None = None,
    seed: int = DEFAULT_SEED,
    on_progress: ProgressCallback | None = None,
) -> RoutingResult:
    """Search routes for `seconds` with PyVRP's iterated local search. The seed fixes the random choices; the time
    limit still lets a faster or less busy machine search further, so two runs may end on different plans. Given
    `iterations`, the search stops after that many (unless `seconds` run out first): the same plan on any machine."""
    check_budget(seconds, iterations)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}")
    data = problem_data(problem)
    client_node = [client.location for client in data.clients()]
    result, runtime = search(data, seconds, iterations, seed, on_progress)

    routes = [[client_node[visit.idx] for visit in route if visit.is_client()] for route in result.best.routes()]
    cost = route_cost(problem.distances, routes)
    feasible = is_feasible(problem, routes)
    solver_feasible = result.is_feasible() and result.best.is_complete()
    if feasible != solver_feasible:
        raise RoutingMismatch(f"PyVRP says feasible={solver_feasible}, our check says feasible={feasible}")
    solver_cost = int(result.cost()) if solver_feasible else None
    if solver_cost is not None and solver_cost != cost:
        raise RoutingMismatch(f"PyVRP's objective is {solver_cost}, the routes cost {cost}")
    return RoutingResult(
        cost=cost,
        routes=routes,
        feasible=feasible,
        solver_cost=solver_cost,
        runtime=runtime,
        iterations=result.num_iterations,
        loads=route_loads(problem.demands, routes),
    )
