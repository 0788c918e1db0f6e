"""The demo commune's optimised collection plan against fixed sector rounds: kilometres and trucks needed.

    .venv/bin/python bench/collection_plan.py                 # 30 s of search
    .venv/bin/python bench/collection_plan.py --seconds 60

Builds the demo commune (12 districts, ~800 containers, 8 trucks of three kinds, a garage and a landfill out of town)
in a temporary SQLite file and takes today's containers due. Then:

- **optimised**: the daily planner (`service.build_problem` + `routing.solve_collection`, PyVRP) for `--seconds`;
- **baseline, fixed sector rounds**: as many communes still work — each truck owns whole districts (districts dealt
  out largest first to the truck with the most spare capacity, as a dispatcher would), visits its containers in
  nearest-neighbour order from the garage, drives to the landfill whenever the next container would not fit, and
  ends at the landfill then the garage. The baseline ignores the market streets' time windows (which only favours
  it). A sector whose round is longer than its truck's shift needs a second truck (or crew) for the rest:
  "trucks needed" counts shifts, rounded up, per sector.

Both use the same distance matrix (shortest paths along the demo's street grid and the road out to the landfill) and
the same container weights, so the difference is the routing alone.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from majal.cleanliness import demo, routing, service
from majal.db import make_engine, make_sessionmaker
from majal.kit.audit import utcnow
from majal.migrate import upgrade
from majal.territory import service as territory
from majal.territory.demo import build_demo_territory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="search time of the optimised plan")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(engine)
        with make_sessionmaker(engine).begin() as db:
            territory.save_territory(db, build_demo_territory(), actor="bench")
            demo.load_inventory(db, utcnow(), actor="bench")
            built = service.build_problem(db, utcnow().date(), service.DEFAULT_THRESHOLD)
            district_of = [d.container.district_id for d in built.due]
        engine.dispose()
    problem = built.problem
    assert problem is not None
    out = Console(width=120)
    Console(stderr=True).print(f"{len(built.due)} containers due, searching {args.seconds:g} s …")
    optimised = routing.solve_collection(problem, seconds=args.seconds)
    sectors = sector_rounds(problem, district_of)

    table = Table(title=f"Demo commune, {len(built.due)} containers due, {len(problem.trucks)} trucks, "
                        f"distances: {built.source}")
    for heading in ("plan", "km", "trucks used", "trucks needed", "landfill trips", "containers served",
                    "longest round h"):
        table.add_column(heading, justify="left" if heading == "plan" else "right")
    longest = max((r.duration for r in optimised.routes), default=0)
    served = len(built.due) - len(optimised.unserved)
    table.add_row("optimised (PyVRP)", f"{optimised.distance / 1000:.1f}", str(len(optimised.routes)),
                  str(len(optimised.routes)), str(sum(r.trips for r in optimised.routes)), str(served),
                  f"{longest / 3600:.1f}")
    table.add_row("fixed sector rounds", f"{sectors.distance / 1000:.1f}", str(sectors.trucks_used),
                  str(sectors.trucks_needed), str(sectors.trips), str(sectors.served),
                  f"{sectors.longest / 3600:.1f}")
    out.print(table)
    saved = 1 - optimised.distance / sectors.distance if sectors.distance else 0.0
    out.print(f"Optimised plan: {saved:.1%} fewer km than the fixed sector rounds; "
              f"{sectors.trucks_needed - len(optimised.routes)} fewer trucks needed. Baseline: fixed sectors, "
              f"nearest-neighbour order, same distances and weights.", highlight=False)
    return 0


class SectorResult:
    def __init__(self) -> None:
        self.distance = 0
        self.trips = 0
        self.served = 0
        self.trucks_used = 0
        self.trucks_needed = 0
        self.longest = 0


def sector_rounds(problem: routing.CollectionProblem, district_of: list[int]) -> SectorResult:
    sectors = assign_districts(problem, district_of)
    result = SectorResult()
    for index, nodes in sectors.items():
        if not nodes:
            continue
        distance, duration, trips = nearest_neighbour_round(problem, problem.trucks[index], nodes)
        result.distance += distance
        result.trips += trips
        result.served += len(nodes)
        result.trucks_used += 1
        result.trucks_needed += math.ceil(duration / problem.trucks[index].shift_duration)
        result.longest = max(result.longest, duration)
    return result


def assign_districts(problem: routing.CollectionProblem, district_of: list[int]) -> dict[int, list[int]]:
    """Districts, heaviest first, each to the truck with the most spare capacity (its kilograms per shift)."""
    weight: dict[int, int] = {}
    members: dict[int, list[int]] = {}
    for node, district in zip(problem.containers, district_of, strict=True):
        weight[district] = weight.get(district, 0) + int(problem.pickups[node, 0])
        members.setdefault(district, []).append(node)
    load = dict.fromkeys(range(len(problem.trucks)), 0.0)
    sectors: dict[int, list[int]] = {index: [] for index in load}
    for district in sorted(weight, key=lambda d: -weight[d]):
        chosen = min(load, key=lambda t: (load[t] + weight[district]) / problem.trucks[t].capacity[0])
        load[chosen] += weight[district]
        sectors[chosen] += members[district]
    return sectors


def nearest_neighbour_round(problem: routing.CollectionProblem, truck: routing.TruckSpec,
                            nodes: list[int]) -> tuple[int, int, int]:
    """Distance, duration and landfill trips of a nearest-neighbour round through `nodes`."""
    left = set(nodes)
    here, load = truck.depot, np.zeros(2, dtype=np.int64)
    distance = duration = 0
    trips = 0
    while left:
        nearest = min(left, key=lambda n: (problem.distances[here, n], n))
        if ((load + problem.pickups[nearest]) > np.asarray(truck.capacity)).any():
            distance += int(problem.distances[here, truck.landfill])
            duration += int(problem.durations[here, truck.landfill]) + int(problem.service[truck.landfill])
            here, load = truck.landfill, np.zeros(2, dtype=np.int64)
            trips += 1
            continue
        distance += int(problem.distances[here, nearest])
        duration += int(problem.durations[here, nearest]) + int(problem.service[nearest])
        load += problem.pickups[nearest]
        here = nearest
        left.remove(nearest)
    distance += int(problem.distances[here, truck.landfill]) + int(problem.distances[truck.landfill, truck.depot])
    duration += (int(problem.durations[here, truck.landfill]) + int(problem.service[truck.landfill])
                 + int(problem.durations[truck.landfill, truck.depot]))
    return distance, duration, trips + 1


if __name__ == "__main__":
    sys.exit(main())
