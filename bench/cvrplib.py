"""Routing quality: our cost on CVRPLIB X instances against their best-known solutions; goal: mean gap <= 1 %.

    .venv/bin/python bench/cvrplib.py                      # the X instances in tests/data/cvrplib, 30 s each
    .venv/bin/python bench/cvrplib.py --seconds 5 --dir ../shared/data/cvrplib

For every `NAME.vrp` in the folder (with `NAME.sol` beside it for the baseline), runs the cleanliness routing engine —
the code behind `majal cleanliness solve-vrplib` — for `--seconds`, and prints instance, best-known cost, our cost, gap
and wall time. Baseline: the best-known solution (`Cost N` on the last line of the `.sol` file); gap = our cost /
best-known − 1. Every cost is recomputed by the engine from its routes with the instance's own rounding, and an
infeasible plan is marked as such. The figures depend on the machine's speed and load: the search is time-limited.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import vrplib
from rich.console import Console
from rich.table import Table

from majal.cleanliness import routing

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=ROOT / "tests" / "data" / "cvrplib", help="folder of .vrp files")
    parser.add_argument("--seconds", type=float, default=30.0, help="search time per instance (default 30)")
    parser.add_argument("--seed", type=int, default=routing.DEFAULT_SEED)
    args = parser.parse_args(argv)
    if not args.seconds > 0:
        parser.error("--seconds must be more than 0")

    instances = sorted(args.dir.glob("*.vrp"))
    if not instances:
        parser.error(f"no .vrp file in {args.dir}")
    out, progress = Console(), Console(stderr=True)
    table = Table(title=f"CVRPLIB gap to best-known — {args.seconds:g} s per instance, seed {args.seed}")
    for heading in ("instance", "clients", "best-known", "our cost", "gap %", "time s", "routes"):
        table.add_column(heading, justify="left" if heading == "instance" else "right")

    gaps = []
    for number, path in enumerate(instances, start=1):
        progress.print(f"[{number}/{len(instances)}] {path.name} …", highlight=False)
        problem = routing.read_vrplib(path)
        started = time.perf_counter()
        result = routing.solve(problem, seconds=args.seconds, seed=args.seed)
        elapsed = time.perf_counter() - started
        solution = path.with_suffix(".sol")
        best = int(vrplib.read_solution(solution)["cost"]) if solution.is_file() else None
        gap = (result.cost / best - 1) * 100 if best and result.feasible else None
        if gap is not None:
            gaps.append(gap)
        table.add_row(
            path.stem,
            str(problem.num_clients),
            str(best) if best is not None else "—",
            str(result.cost) if result.feasible else f"{result.cost} (infeasible)",
            f"{gap:.2f}" if gap is not None else "—",
            f"{elapsed:.1f}",
            str(len(result.routes)),
        )
    if gaps:
        table.add_section()
        table.add_row("mean", "", "", "", f"{statistics.fmean(gaps):.2f}", "", "")
    out.print(table)
    out.print(
        f"Baseline: best-known solutions (.sol). PyVRP {_version('pyvrp')}, vrplib {_version('vrplib')}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs (shared), {platform.machine()}.",
        highlight=False,
    )
    return 0


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
