"""Collection routing engine: capacitated vehicle routes with PyVRP, the daily collection plan, and a CVRPLIB reader
to benchmark the search.

A pure engine: plain data in (coordinates, demands, integer distance and duration matrices), plain data out; no web
framework, no database session.

- `cvrp`        the capacitated problem (`RoutingProblem`), `solve()`, and our own `route_cost` and `is_feasible`
- `cvrplib`     a CVRPLIB `.vrp` file read and checked into a `RoutingProblem` (`majal cleanliness solve-vrplib`)
- `collection`  the daily plan the cleanliness service asks for (`solve_collection`): a mixed fleet leaving its
                garages, reloading at the landfill, within shifts and the containers' time windows

The benchmark and the daily planner run the same PyVRP search, so the benchmark measures the engine the planner uses.

Numbering: in a `RoutingProblem` node 0 is the depot and nodes 1..n-1 are the clients, so a client's number is its node
index. That is the numbering of a CVRPLIB `.sol` file, where client k is node k+1 of the instance (whose nodes count
from 1, depot first).

We never trust the solver's word alone: both searches check the routes they return against the problem's own
matrices, and a disagreement with PyVRP's objective or verdict is a bug and raises `RoutingMismatch`.
"""

from majal.cleanliness.routing.collection import (
    DAY_SECONDS,
    NO_ROOM,
    TOO_HEAVY,
    UNSERVED_PRIZE,
    UNSERVED_REASONS,
    WINDOW_UNREACHABLE,
    CollectionProblem,
    CollectionResult,
    TruckRoute,
    TruckSpec,
    Visit,
    build_collection_model,
    check_collection,
    solve_collection,
    unservable_alone,
)
from majal.cleanliness.routing.cvrp import (
    DEFAULT_SEED,
    MAX_SEED,
    ProgressCallback,
    RoutingMismatch,
    RoutingProblem,
    RoutingResult,
    build_model,
    is_feasible,
    problem_data,
    route_cost,
    route_loads,
    solve,
)
from majal.cleanliness.routing.cvrplib import (
    MAX_COORDINATE,
    MAX_FILE_BYTES,
    MAX_NODES,
    MAX_QUANTITY,
    ROUNDING,
    InstanceError,
    euclidean_costs,
    read_vrplib,
    solve_vrplib,
)

__all__ = [
    "DAY_SECONDS",
    "DEFAULT_SEED",
    "MAX_COORDINATE",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "MAX_QUANTITY",
    "MAX_SEED",
    "NO_ROOM",
    "ROUNDING",
    "TOO_HEAVY",
    "UNSERVED_PRIZE",
    "UNSERVED_REASONS",
    "WINDOW_UNREACHABLE",
    "CollectionProblem",
    "CollectionResult",
    "InstanceError",
    "ProgressCallback",
    "RoutingMismatch",
    "RoutingProblem",
    "RoutingResult",
    "TruckRoute",
    "TruckSpec",
    "Visit",
    "build_collection_model",
    "build_model",
    "check_collection",
    "euclidean_costs",
    "is_feasible",
    "problem_data",
    "read_vrplib",
    "route_cost",
    "route_loads",
    "solve",
    "solve_collection",
    "solve_vrplib",
    "unservable_alone",
]
