"""The daily collection plan: the same PyVRP search as `cvrp.solve`, on the real problem.

Containers are *pickups* in two dimensions (kilograms and litres of loose waste), each truck is its own vehicle type (a
heterogeneous fleet), leaves its garage at the start of its shift, unloads at its landfill or transfer station whenever
it is full (a reload depot) and ends the day there, empty, before driving back to the garage (a fixed leg, counted in
its distance and taken off its shift). Markets and schools give some containers time windows. Every container is
optional with a prize far above any detour, so the search serves all it can and the plan names the ones it could not,
instead of failing as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyvrp

from majal.cleanliness.routing.cvrp import DEFAULT_SEED, ProgressCallback, RoutingMismatch, check_budget, search

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
    check_budget(seconds, iterations)
    unserved = {node: reason for node in problem.containers if (reason := unservable_alone(problem, node))}
    nodes = [node for node in problem.containers if node not in unserved]
    if not nodes:
        return CollectionResult([], unserved, 0)
    data = build_collection_model(problem, nodes)
    order = list(range(problem.num_sites)) + nodes
    result, runtime = search(data, seconds, iterations, seed, on_progress)
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
