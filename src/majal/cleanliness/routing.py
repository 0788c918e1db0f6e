"""Collection routing engine: capacitated vehicle routes with PyVRP, and a CVRPLIB reader to benchmark it.

A pure engine: plain data in (coordinates, demands, an integer distance matrix), plain data out; no web framework,
no database session. The cleanliness service will build a `RoutingProblem` from its containers and fleet; the
benchmark command (`majal cleanliness solve-vrplib`) builds one from a CVRPLIB `.vrp` file. Both go through the same
`build_model()` and `solve()`, so the benchmark measures the engine the daily planner uses.

Numbering: node 0 is the depot and nodes 1..n-1 are the clients, so a client's number is its node index. That is the
numbering of a CVRPLIB `.sol` file, where client k is node k+1 of the instance (whose nodes count from 1, depot first).

We never trust the solver's word alone: `solve()` recomputes the cost of the routes it returns from the distance matrix
(`route_cost`) and checks them (`is_feasible`: every client exactly once, no truck over capacity, no more routes than
trucks); a disagreement with PyVRP's own objective or verdict is a bug and raises `RoutingMismatch`.

Growing into the daily planner: the landfill becomes a second depot listed in the vehicle type's `reload_depots`
(with `max_reloads`), a shift becomes `shift_duration` over a duration matrix, opening hours become client time
windows and a mixed fleet becomes one vehicle type per truck class. Each is a field of `RoutingProblem`, an argument
in `build_model()`, and a clause in `is_feasible()`; routes then split into trips at the reload depot.
"""

from __future__ import annotations

import math
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyvrp
import vrplib
from pyvrp.constants import MAX_VALUE
from pyvrp.exceptions import PenaltyBoundWarning
from pyvrp.stop import MaxIterations, MaxRuntime

from majal.kit.errors import MajalError
from majal.kit.i18n import N_

DEFAULT_SEED = 1
MAX_SEED = 2**32 - 1  # PyVRP's random number generator takes an unsigned 32-bit seed
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_NODES = 10_000  # the distance matrix is n² integers: 800 MB at this size
MAX_QUANTITY = 10**9  # capacity and demand
MAX_COORDINATE = 10**8  # edges shorter than 3·10⁸, so even 10,000 of them stay far below PyVRP's MAX_VALUE (2⁴⁴)

# CVRPLIB conventions (TSPLIB 95, section 2.1): the cost of an edge is the Euclidean distance between its end nodes,
# rounded by `nint` (to the nearest integer, halves up) for EUC_2D — the X set — or up / down for CEIL_2D / FLOOR_2D.
ROUNDING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "EUC_2D": lambda d: np.floor(d + 0.5),
    "CEIL_2D": np.ceil,
    "FLOOR_2D": np.floor,
}

# Everything a capacitated (CVRP) instance may say. Other keys (SERVICE_TIME, DISTANCE, TIME_WINDOW_SECTION, ...) add
# constraints this command does not model, so the file is refused rather than silently solved as another problem.
_SPECIFICATIONS = frozenset(
    {"NAME", "COMMENT", "TYPE", "DIMENSION", "CAPACITY", "VEHICLES", "EDGE_WEIGHT_TYPE", "NODE_COORD_TYPE",
     "DISPLAY_DATA_TYPE"}
)
_SECTIONS = frozenset({"NODE_COORD", "DEMAND", "DEPOT"})


class InstanceError(MajalError):
    """A problem in a VRPLIB instance file; `where` is `file:line` when the problem has a line."""

    code = "invalid_instance"


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


class _Budget:
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


def _check_budget(seconds: float, iterations: int | None) -> None:
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError("seconds must be a finite number above 0")
    if iterations is not None and iterations < 1:
        raise ValueError("iterations must be at least 1")


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
    _check_budget(seconds, iterations)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}")
    data = problem_data(problem)
    client_node = [client.location for client in data.clients()]
    started = time.perf_counter()
    with warnings.catch_warnings():
        # PyVRP warns when it struggles to reach feasibility; the result says so through `feasible`.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(data, _Budget(seconds, iterations, on_progress), seed=seed, collect_stats=False,
                             display=False)
    runtime = time.perf_counter() - started

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


def solve_vrplib(
    path: str | Path,
    seconds: float,
    seed: int = DEFAULT_SEED,
    on_progress: ProgressCallback | None = None,
    iterations: int | None = None,
) -> RoutingResult:
    """Read a CVRPLIB instance (refusing a malformed one with an `InstanceError`) and solve it."""
    return solve(read_vrplib(path), seconds=seconds, iterations=iterations, seed=seed, on_progress=on_progress)


def euclidean_costs(coords: np.ndarray, edge_weight_type: str = "EUC_2D") -> np.ndarray:
    """The (n, n) integer edge costs of a 2D instance under its EDGE_WEIGHT_TYPE convention (see `ROUNDING`)."""
    delta = coords[:, None, :] - coords[None, :, :]
    return ROUNDING[edge_weight_type](np.hypot(delta[..., 0], delta[..., 1])).astype(np.int64)


# ----------------------------------------------------------------------------------------------------
# Reading a CVRPLIB instance
#
# We build the model ourselves from `vrplib`'s parse rather than calling `pyvrp.read`: the benchmark then runs the very
# `build_model()` the daily planner uses, and `pyvrp.read` would by default ("round_func='none'") hand PyVRP unrounded
# Euclidean distances instead of the CVRPLIB convention. `vrplib` numbers nodes by row order (it drops the index
# column) and its errors carry no line number, so a light scan of the text comes first: it checks the layout and every
# value a CVRP needs, and names the line of the first problem.


@dataclass
class _Spec:
    value: str
    line: int


@dataclass
class _Section:
    line: int
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


@dataclass
class _Layout:
    name: str  # the file's name, for `where`
    specs: dict[str, _Spec] = field(default_factory=dict)
    sections: dict[str, _Section] = field(default_factory=dict)

    def where(self, line: int | None = None) -> str:
        return f"{self.name}:{line}" if line is not None else self.name


def read_vrplib(path: str | Path) -> RoutingProblem:
    """Read and check a CVRPLIB instance; the first problem found raises `InstanceError` naming it."""
    path = Path(path)
    text = _read_text(path)
    layout = _scan(text, path.name)
    dimension, capacity, vehicles, edge_weight_type = _check_specifications(layout)
    _check_rows(layout, "NODE_COORD", dimension, ("node", "x", "y"))
    demands = _check_demands(layout, dimension, capacity)
    _check_depot(layout)
    total = int(demands.sum())
    if vehicles is not None and total > vehicles * capacity:
        raise InstanceError(
            N_("The clients need %(total)s in all, more than %(vehicles)s vehicles of capacity %(capacity)s can "
               "carry."),
            where=layout.where(layout.specs["VEHICLES"].line), total=total, vehicles=vehicles, capacity=capacity,
        )

    try:
        instance: dict[str, Any] = vrplib.parse.parse_vrplib(text, compute_edge_weights=False)
        coords = np.asarray(instance["node_coord"], dtype=np.float64)
        parsed_demands = np.asarray(instance["demand"], dtype=np.int64)
    except (ValueError, RuntimeError, TypeError, KeyError, IndexError) as error:  # the scan should leave none
        raise InstanceError(
            N_("The file could not be read as a VRPLIB instance: %(detail)s"), where=layout.where(), detail=str(error)
        ) from None
    if coords.shape != (dimension, 2) or not np.array_equal(parsed_demands, demands):
        raise InstanceError(
            N_("The file could not be read as a VRPLIB instance: %(detail)s"), where=layout.where(),
            detail="NODE_COORD_SECTION / DEMAND_SECTION",
        )

    farthest = float(np.abs(coords).max())
    if farthest > MAX_COORDINATE:
        raise InstanceError(
            N_("Coordinates beyond ±%(limit)s are not supported; this instance has %(value)s."),
            where=layout.where(layout.sections["NODE_COORD"].line), limit=MAX_COORDINATE, value=f"{farthest:g}",
        )
    return RoutingProblem(
        coords=coords,
        demands=demands,
        capacity=capacity,
        distances=euclidean_costs(coords, edge_weight_type),
        num_vehicles=vehicles if vehicles is not None else dimension - 1,  # CVRPLIB X: as many trucks as needed
        name=layout.specs["NAME"].value if "NAME" in layout.specs else path.stem,
    )


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise InstanceError(N_("No such file: %(path)s"), path=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InstanceError(
            N_("The file is %(size_mb)s MB; the largest accepted instance file is %(max_mb)s MB."),
            where=path.name, size_mb=round(size / 1024 / 1024, 1), max_mb=MAX_FILE_BYTES // 1024 // 1024,
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InstanceError(
            N_("The file is not text (UTF-8 or ASCII): it cannot be a VRPLIB instance."), where=path.name
        ) from None
    if not text.strip():
        raise InstanceError(N_("The file is empty."), where=path.name)
    if "\x00" in text:
        raise InstanceError(
            N_("The file is not text (UTF-8 or ASCII): it cannot be a VRPLIB instance."), where=path.name
        )
    return text


def _scan(text: str, name: str) -> _Layout:
    """Split the text into `KEY : VALUE` specifications and `NAME_SECTION` blocks of rows, as `vrplib` does: blank
    lines and lines starting with `#` are skipped, and everything after `EOF` is ignored."""
    layout = _Layout(name)
    current: _Section | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "EOF" in line:
            break
        if "_SECTION" in line:
            key = line.strip(" :").removesuffix("_SECTION").upper()
            if key in layout.sections:
                raise InstanceError(N_("%(key)s appears twice."), where=layout.where(number), key=f"{key}_SECTION")
            current = layout.sections[key] = _Section(number)
        elif ":" in line:
            if current is not None:
                raise InstanceError(
                    N_("A specification (KEY : VALUE) comes after the data sections; they must all come first."),
                    where=layout.where(number),
                )
            key, value = re.split(r"\s*:\s*", line, maxsplit=1)
            key = key.upper()
            if key in layout.specs:
                raise InstanceError(N_("%(key)s appears twice."), where=layout.where(number), key=key)
            layout.specs[key] = _Spec(value.strip(), number)
        elif current is not None:
            current.rows.append((number, line.split()))
        else:
            raise InstanceError(
                N_("Line %(line)s is neither a specification (KEY : VALUE) nor a data section: this is not a VRPLIB "
                   "instance."),
                where=layout.where(), line=number,
            )
    if not layout.sections and "DIMENSION" not in layout.specs:
        raise InstanceError(
            N_("This is not a VRPLIB instance: it has neither a DIMENSION nor any data section."), where=layout.where()
        )
    return layout


def _check_specifications(layout: _Layout) -> tuple[int, int, int | None, str]:
    for key, spec in layout.specs.items():
        if key not in _SPECIFICATIONS:
            raise InstanceError(
                N_("%(key)s is not supported: this command solves capacitated vehicle routing (CVRP) instances only."),
                where=layout.where(spec.line), key=key,
            )
    for key, section in layout.sections.items():
        if key not in _SECTIONS:
            raise InstanceError(
                N_("%(key)s is not supported: this command solves capacitated vehicle routing (CVRP) instances only."),
                where=layout.where(section.line), key=f"{key}_SECTION",
            )
    if "TYPE" in layout.specs and layout.specs["TYPE"].value.upper() != "CVRP":
        raise InstanceError(
            N_("TYPE %(value)s is not supported: this command solves CVRP instances only."),
            where=layout.where(layout.specs["TYPE"].line), value=layout.specs["TYPE"].value,
        )
    dimension = _whole_number(layout, "DIMENSION", 2, MAX_NODES)
    capacity = _whole_number(layout, "CAPACITY", 1, MAX_QUANTITY)
    vehicles = _whole_number(layout, "VEHICLES", 1, MAX_NODES) if "VEHICLES" in layout.specs else None
    if "EDGE_WEIGHT_TYPE" not in layout.specs:
        raise InstanceError(N_("The %(key)s specification is missing."), where=layout.where(), key="EDGE_WEIGHT_TYPE")
    edge_weight_type = layout.specs["EDGE_WEIGHT_TYPE"].value.upper()
    if edge_weight_type not in ROUNDING:
        raise InstanceError(
            N_("EDGE_WEIGHT_TYPE %(value)s is not supported; use one of: %(choices)s."),
            where=layout.where(layout.specs["EDGE_WEIGHT_TYPE"].line),
            value=layout.specs["EDGE_WEIGHT_TYPE"].value, choices=", ".join(ROUNDING),
        )
    return dimension, capacity, vehicles, edge_weight_type


def _whole_number(layout: _Layout, key: str, low: int, high: int) -> int:
    if key not in layout.specs:
        raise InstanceError(N_("The %(key)s specification is missing."), where=layout.where(), key=key)
    spec = layout.specs[key]
    number = _integer(spec.value)
    if number is None or not low <= number <= high:
        raise InstanceError(
            N_("%(key)s must be a whole number from %(low)s to %(high)s, not %(value)s."),
            where=layout.where(spec.line), key=key, low=low, high=high, value=spec.value,
        )
    return number


def _integer(token: str) -> int | None:
    """The whole number a token spells (`12`, `12.0`), or None."""
    try:
        return int(token)
    except ValueError:
        try:
            value = float(token)
        except ValueError:
            return None
        return int(value) if math.isfinite(value) and value.is_integer() else None


def _check_rows(layout: _Layout, key: str, dimension: int, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """A section of `dimension` rows numbered 1..dimension in order, each of `columns` finite numbers."""
    section_name = f"{key}_SECTION"
    if key not in layout.sections:
        raise InstanceError(N_("The instance has no %(section)s."), where=layout.where(), section=section_name)
    section = layout.sections[key]
    for expected, (line, tokens) in enumerate(section.rows, start=1):
        if expected > dimension:
            raise InstanceError(
                N_("%(section)s has more than the %(dimension)s rows DIMENSION announces."),
                where=layout.where(line), section=section_name, dimension=dimension,
            )
        if len(tokens) != len(columns):
            raise InstanceError(
                N_("Each row of %(section)s holds %(expected)s values (%(columns)s); this one holds %(found)s."),
                where=layout.where(line), section=section_name, expected=len(columns), columns=" ".join(columns),
                found=len(tokens),
            )
        if _integer(tokens[0]) != expected:
            raise InstanceError(
                N_("The rows of %(section)s must be numbered 1 to %(dimension)s in order: %(expected)s was expected "
                   "here, not %(found)s."),
                where=layout.where(line), section=section_name, dimension=dimension, expected=expected,
                found=tokens[0],
            )
        for token in tokens[1:]:
            try:
                finite = math.isfinite(float(token))
            except ValueError:
                finite = False
            if not finite:
                raise InstanceError(N_("%(value)s is not a finite number."), where=layout.where(line), value=token)
    if len(section.rows) < dimension:
        raise InstanceError(
            N_("%(section)s has %(rows)s rows; DIMENSION announces %(dimension)s."),
            where=layout.where(section.line), section=section_name, rows=len(section.rows), dimension=dimension,
        )
    return section.rows


def _check_demands(layout: _Layout, dimension: int, capacity: int) -> np.ndarray:
    rows = _check_rows(layout, "DEMAND", dimension, ("node", "demand"))
    demands = np.zeros(dimension, dtype=np.int64)
    for node, (line, tokens) in enumerate(rows):
        demand = _integer(tokens[1])
        if demand is None or demand < 0:
            raise InstanceError(
                N_("A demand is a whole number of at least 0, not %(value)s."), where=layout.where(line),
                value=tokens[1],
            )
        if node == 0 and demand != 0:
            raise InstanceError(
                N_("The depot (node 1) has a demand of %(demand)s; it must be 0."), where=layout.where(line),
                demand=demand,
            )
        if demand > capacity:
            raise InstanceError(
                N_("Client %(client)s (node %(node)s) needs %(demand)s, more than the vehicle capacity of "
                   "%(capacity)s."),
                where=layout.where(line), client=node, node=node + 1, demand=demand, capacity=capacity,
            )
        demands[node] = demand
    return demands


def _check_depot(layout: _Layout) -> None:
    """One depot, node 1 (the first node), as CVRPLIB numbers its `.sol` files against; no section means the same."""
    section = layout.sections.get("DEPOT")
    if section is None:
        return
    tokens = [token for _line, row in section.rows for token in row]
    if tokens and tokens[-1] == "-1":
        tokens = tokens[:-1]
    if [_integer(token) for token in tokens] != [1]:
        raise InstanceError(
            N_("The DEPOT_SECTION must list node 1 alone (then -1): this command supports one depot, the first node."),
            where=layout.where(section.line),
        )


# ----------------------------------------------------------------------------------------------------
# The daily collection plan
#
# The same PyVRP search, on the real problem: containers are *pickups* in two dimensions (kilograms and litres of
# loose waste), each truck is its own vehicle type (a heterogeneous fleet), leaves its garage at the start of its
# shift, unloads at its landfill or transfer station whenever it is full (a reload depot) and ends the day there,
# empty, before driving back to the garage (a fixed leg, counted in its distance and taken off its shift). Markets
# and schools give some containers time windows. Every container is optional with a prize far above any detour, so
# the search serves all it can and the plan names the ones it could not, instead of failing as a whole.

UNSERVED_PRIZE = 10_000_000  # 10,000 km: no detour is worth leaving a container
DAY_SECONDS = 24 * 3600


@dataclass(frozen=True)
class TruckSpec:
    name: str
    capacity: tuple[int, int]  # kilograms, litres of loose waste (body volume × compaction)
    depot: int  # node of its garage
    landfill: int  # node of the landfill or transfer station it unloads at
    shift_start: int  # seconds since midnight
    shift_duration: int  # seconds, the whole shift including the drive back to the garage
    fixed_cost: int = 0  # metres-equivalent of taking this truck out at all: the search prefers fewer trucks


@dataclass(frozen=True, eq=False)
class CollectionProblem:
    """Nodes 0..num_sites-1 are garages and landfills; the others are containers to empty."""

    distances: np.ndarray  # (n, n) integers, metres
    durations: np.ndarray  # (n, n) integers, seconds of driving
    coords: np.ndarray  # (n, 2) lon, lat (for PyVRP's neighbourhoods and for maps)
    num_sites: int
    pickups: np.ndarray  # (n, 2) integers: kilograms and litres each container fills a truck with; 0 for sites
    service: np.ndarray  # (n,) seconds spent at each node (emptying a container, unloading at a landfill)
    windows: np.ndarray  # (n, 2) seconds since midnight, when a container may be emptied
    trucks: tuple[TruckSpec, ...]

    def __post_init__(self) -> None:
        n = len(self.coords)
        shapes = [self.distances.shape == (n, n), self.durations.shape == (n, n), self.pickups.shape == (n, 2),
                  self.service.shape == (n,), self.windows.shape == (n, 2)]
        if not all(shapes) or not 0 < self.num_sites < n or not self.trucks:
            raise ValueError("a collection problem needs sites, containers and trucks, with matching shapes")
        if (self.pickups < 0).any() or (self.pickups[: self.num_sites] != 0).any():
            raise ValueError("pickups are >= 0 and sites have none")
        for truck in self.trucks:
            if min(truck.capacity) <= 0 or not (0 <= truck.depot < self.num_sites and 0 <= truck.landfill
                                                < self.num_sites):
                raise ValueError(f"truck {truck.name}: capacity > 0, garage and landfill must be sites")

    @property
    def containers(self) -> range:
        return range(self.num_sites, len(self.coords))

    def return_leg(self, truck: TruckSpec) -> tuple[int, int]:
        """Distance and driving time from the truck's landfill back to its garage, after its last unloading."""
        return int(self.distances[truck.landfill, truck.depot]), int(self.durations[truck.landfill, truck.depot])

    def day_end(self, truck: TruckSpec) -> int:
        """The time by which the truck reaches its landfill for the last time: its shift's end, less the last
        unloading and the drive back."""
        return (truck.shift_start + truck.shift_duration - int(self.service[truck.landfill])
                - self.return_leg(truck)[1])


@dataclass(frozen=True)
class Visit:
    node: int
    trip: int  # 0 for the first load, 1 after the first unloading, ...
    arrival: int  # seconds since midnight when service starts
    departure: int
    load: tuple[int, int]  # what the truck carries when it leaves (kg, litres)


@dataclass(frozen=True)
class TruckRoute:
    truck: int  # index into problem.trucks
    visits: list[Visit]  # garage, containers and landfill visits in order, ending at the landfill
    distance: int  # metres, including the drive back to the garage
    duration: int  # seconds from leaving the garage to being back
    collected: tuple[int, int]  # kg, litres over the day
    trips: int  # loads taken to the landfill


@dataclass(frozen=True)
class CollectionResult:
    routes: list[TruckRoute]
    unserved: dict[int, str]  # container node → reason code (see `UNSERVED_REASONS`)
    distance: int
    runtime: float = 0.0
    iterations: int = 0


# Why a container stays unserved: found before the search (the first two) or left out by it (the last).
TOO_HEAVY, WINDOW_UNREACHABLE, NO_ROOM = "too_heavy", "window_unreachable", "no_room"
UNSERVED_REASONS = (TOO_HEAVY, WINDOW_UNREACHABLE, NO_ROOM)


def unservable_alone(problem: CollectionProblem, node: int) -> str | None:
    """Why no truck could empty this container even if it were the only one of the day, or None."""
    kg, litres = (int(v) for v in problem.pickups[node])
    if not any(kg <= t.capacity[0] and litres <= t.capacity[1] for t in problem.trucks):
        return TOO_HEAVY
    early, late = (int(v) for v in problem.windows[node])
    for truck in problem.trucks:
        arrival = max(truck.shift_start + int(problem.durations[truck.depot, node]), early)
        at_landfill = arrival + int(problem.service[node]) + int(problem.durations[node, truck.landfill])
        if arrival <= late and at_landfill <= problem.day_end(truck):
            return None
    return WINDOW_UNREACHABLE


def build_collection_model(problem: CollectionProblem, nodes: Sequence[int]) -> pyvrp.ProblemData:
    """PyVRP's data for the sites and the chosen container nodes (locations in that order)."""
    model = pyvrp.Model()
    order = list(range(problem.num_sites)) + list(nodes)
    locations = [model.add_location(float(problem.coords[i, 0]), float(problem.coords[i, 1])) for i in order]
    depots = [model.add_depot(locations[i], service_duration=int(problem.service[i]), name=str(i))
              for i in range(problem.num_sites)]
    for position, node in enumerate(nodes, start=problem.num_sites):
        model.add_client(
            locations[position], pickup=[int(v) for v in problem.pickups[node]],
            service_duration=int(problem.service[node]), tw_early=int(problem.windows[node, 0]),
            tw_late=int(problem.windows[node, 1]), prize=UNSERVED_PRIZE, required=False, name=str(node),
        )
    for truck in problem.trucks:
        model.add_vehicle_type(
            num_available=1, capacity=list(truck.capacity), start_depot=depots[truck.depot],
            end_depot=depots[truck.landfill], reload_depots=[depots[truck.landfill]], fixed_cost=truck.fixed_cost,
            tw_early=truck.shift_start, tw_late=problem.day_end(truck),
            shift_duration=problem.day_end(truck) - truck.shift_start, name=truck.name,
        )
    index = np.asarray(order)
    distances: Any = np.ascontiguousarray(problem.distances[np.ix_(index, index)], dtype=np.int64)
    durations: Any = np.ascontiguousarray(problem.durations[np.ix_(index, index)], dtype=np.int64)
    return model.data().replace(distance_matrices=[distances], duration_matrices=[durations])


def solve_collection(
    problem: CollectionProblem,
    *,
    seconds: float,
    iterations: int | None = None,
    seed: int = DEFAULT_SEED,
    on_progress: ProgressCallback | None = None,
) -> CollectionResult:
    """The day's routes: containers no truck could empty are set aside with their reason, the rest searched for
    `seconds` (or `iterations`, as in `solve`); whatever the search could not fit is returned as unserved
    (`NO_ROOM`)."""
    _check_budget(seconds, iterations)
    unserved = {node: reason for node in problem.containers if (reason := unservable_alone(problem, node))}
    nodes = [node for node in problem.containers if node not in unserved]
    if not nodes:
        return CollectionResult([], unserved, 0)
    data = build_collection_model(problem, nodes)
    order = list(range(problem.num_sites)) + nodes
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(data, _Budget(seconds, iterations, on_progress), seed=seed, collect_stats=False,
                             display=False)
    runtime = time.perf_counter() - started
    if not result.is_feasible():
        # Only optional clients: the empty plan is always feasible, so this is a bug, not the user's input.
        raise RoutingMismatch("PyVRP found no feasible collection plan, not even an empty one")
    routes = [_truck_route(problem, route, order) for route in result.best.routes()]
    served = [visit.node for route in routes for visit in route.visits if visit.node >= problem.num_sites]
    unserved |= {node: NO_ROOM for node in nodes if node not in set(served)}
    check_collection(problem, routes)
    distance = sum(route.distance for route in routes)
    solver_distance = sum(route.distance() + problem.return_leg(problem.trucks[route.vehicle_type()])[0]
                          for route in result.best.routes())
    if distance != solver_distance:
        raise RoutingMismatch(f"PyVRP's routes measure {solver_distance} m, ours {distance} m")
    return CollectionResult(routes, dict(sorted(unserved.items())), distance, runtime, result.num_iterations)


def _truck_route(problem: CollectionProblem, route: Any, order: list[int]) -> TruckRoute:
    truck = problem.trucks[route.vehicle_type()]
    visits: list[Visit] = []
    load = np.zeros(2, dtype=np.int64)
    for activity, scheduled in zip(route, route.schedule(), strict=True):
        node = order[activity.idx if activity.is_depot() else problem.num_sites + activity.idx]
        if activity.is_depot():
            load[:] = 0  # the garage at the start, the landfill afterwards: the truck leaves it empty
        else:
            load += problem.pickups[node]
        visits.append(Visit(node, scheduled.trip, scheduled.start_time, scheduled.end_time,
                            (int(load[0]), int(load[1]))))
    nodes = [visit.node for visit in visits]
    back_distance, back_duration = problem.return_leg(truck)
    distance = int(problem.distances[nodes[:-1], nodes[1:]].sum()) + back_distance
    collected = problem.pickups[[n for n in nodes if n >= problem.num_sites]].sum(axis=0)
    return TruckRoute(
        truck=route.vehicle_type(), visits=visits, distance=distance,
        duration=visits[-1].arrival - visits[0].arrival + int(problem.service[truck.landfill]) + back_duration,
        collected=(int(collected[0]), int(collected[1])), trips=route.num_trips(),
    )


def check_collection(problem: CollectionProblem, routes: Sequence[TruckRoute]) -> None:
    """Our own check of a plan: each container at most once, each truck once, from its garage to its landfill, no
    load over capacity between two unloadings, every container emptied in its window, every shift kept."""
    seen: set[int] = set()
    trucks = [route.truck for route in routes]
    if len(set(trucks)) != len(trucks):
        raise RoutingMismatch("a truck drives two routes")
    for route in routes:
        truck = problem.trucks[route.truck]
        if route.visits[0].node != truck.depot or route.visits[-1].node != truck.landfill:
            raise RoutingMismatch(f"{truck.name} does not go from its garage to its landfill")
        for visit in route.visits:
            if visit.node < problem.num_sites:
                if visit.node not in (truck.depot, truck.landfill):
                    raise RoutingMismatch(f"{truck.name} stops at a site that is not its own")
                continue
            if visit.node in seen:
                raise RoutingMismatch(f"container node {visit.node} is emptied twice")
            seen.add(visit.node)
            if visit.load[0] > truck.capacity[0] or visit.load[1] > truck.capacity[1]:
                raise RoutingMismatch(f"{truck.name} is over capacity at node {visit.node}")
            early, late = problem.windows[visit.node]
            if not early <= visit.arrival <= late:
                raise RoutingMismatch(f"node {visit.node} is emptied outside its window")
        if route.duration > truck.shift_duration:
            raise RoutingMismatch(f"{truck.name} works {route.duration} s, past its shift")
