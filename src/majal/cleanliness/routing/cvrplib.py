"""A CVRPLIB instance (`.vrp`) read and checked into a `RoutingProblem`, to benchmark the engine on the standard
instances (`majal cleanliness solve-vrplib`, `bench/cvrplib.py`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import vrplib

from majal.cleanliness.routing.cvrp import DEFAULT_SEED, ProgressCallback, RoutingProblem, RoutingResult, solve
from majal.kit.errors import MajalError
from majal.kit.i18n import N_

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
