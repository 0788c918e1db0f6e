"""The routing engine and `majal cleanliness solve-vrplib`: CVRPLIB numbering and cost convention, route quality against
the best-known solutions, and a clear refusal of every malformed instance.

Costs and feasibility are recomputed here from the files with code independent of the engine (plain `math.hypot` over
the coordinates read line by line), so the engine cannot agree with itself by mistake.
"""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from majal.cleanliness import routing
from majal.cli import app

DATA = Path(__file__).resolve().parents[1] / "data" / "cvrplib"
X101 = DATA / "X-n101-k25.vrp"
X110 = DATA / "X-n110-k13.vrp"

runner = CliRunner()


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    monkeypatch.setenv("COLUMNS", "200")  # messages with long paths on one line


# ----------------------------------------------------------------------------------------------------
# Independent readers


def read_instance(path: Path) -> tuple[list[tuple[float, float]], list[int], int]:
    """Coordinates, demands and capacity, read line by line (node 1 first)."""
    coords: list[tuple[float, float]] = []
    demands: list[int] = []
    capacity = 0
    section = ""
    for line in path.read_text().splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "CAPACITY":
            capacity = int(words[-1])
        elif words[0].endswith("_SECTION"):
            section = words[0]
        elif words[0] == "EOF":
            break
        elif section == "NODE_COORD_SECTION":
            coords.append((float(words[1]), float(words[2])))
        elif section == "DEMAND_SECTION":
            demands.append(int(words[1]))
    return coords, demands, capacity


def read_sol(path: Path) -> tuple[list[list[int]], int]:
    routes, cost = [], -1
    for line in path.read_text().splitlines():
        if line.startswith("Route"):
            routes.append([int(word) for word in line.split(":", 1)[1].split()])
        elif line.startswith("Cost"):
            cost = int(line.split()[1])
    return routes, cost


def tsplib_cost(coords: list[tuple[float, float]], routes: list[list[int]]) -> int:
    """TSPLIB EUC_2D: each edge costs nint(Euclidean distance); client k is node k+1, i.e. coords[k]."""
    total = 0
    for route in routes:
        stops = [0, *route, 0]
        for a, b in itertools.pairwise(stops):
            (xa, ya), (xb, yb) = coords[a], coords[b]
            total += math.floor(math.hypot(xa - xb, ya - yb) + 0.5)
    return total


def solve_json(path: Path, *args: str) -> dict:
    result = runner.invoke(app, ["cleanliness", "solve-vrplib", str(path), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# ----------------------------------------------------------------------------------------------------
# Solving an X instance


@pytest.fixture(scope="module")
def x110_answer() -> dict:
    """A fixed amount of search, so the quality asserted below does not depend on how fast or busy the machine is
    (500 iterations take about a second; the time limit is only a safety net)."""
    return solve_json(X110, "--iterations", "500", "--seconds", "60", "--seed", "1")


def test_json_output_has_cost_routes_and_feasible(x110_answer: dict) -> None:
    assert set(x110_answer) == {"cost", "routes", "feasible"}
    assert isinstance(x110_answer["cost"], int)
    assert x110_answer["feasible"] is True
    assert all(isinstance(route, list) and route for route in x110_answer["routes"])
    assert all(isinstance(client, int) for route in x110_answer["routes"] for client in route)


def test_routes_visit_every_client_once_within_capacity(x110_answer: dict) -> None:
    _coords, demands, capacity = read_instance(X110)
    visited = [client for route in x110_answer["routes"] for client in route]
    assert sorted(visited) == list(range(1, len(demands)))  # clients 1..109; the depot (node 1) is left out
    for route in x110_answer["routes"]:
        assert sum(demands[client] for client in route) <= capacity


def test_cost_is_the_tsplib_cost_of_the_routes(x110_answer: dict) -> None:
    coords, _demands, _capacity = read_instance(X110)
    assert x110_answer["cost"] == tsplib_cost(coords, x110_answer["routes"])


def test_cost_is_close_to_the_best_known(x110_answer: dict) -> None:
    _routes, best_known = read_sol(X110.with_suffix(".sol"))
    assert best_known <= x110_answer["cost"] <= best_known * 1.03


@pytest.mark.parametrize("instance", [X101, X110], ids=lambda path: path.stem)
def test_best_known_routes_cost_exactly_their_sol_cost(instance: Path) -> None:
    """The `.sol` routes, fed to the engine, give the `.sol` cost: same numbering, same rounding."""
    routes, best_known = read_sol(instance.with_suffix(".sol"))
    problem = routing.read_vrplib(instance)
    assert routing.route_cost(problem.distances, routes) == best_known
    assert routing.is_feasible(problem, routes)
    coords, _demands, _capacity = read_instance(instance)
    assert tsplib_cost(coords, routes) == best_known


def test_reader_takes_the_instance_as_written() -> None:
    problem = routing.read_vrplib(X101)
    coords, demands, capacity = read_instance(X101)
    assert problem.name == "X-n101-k25"
    assert problem.capacity == capacity == 206
    assert problem.num_clients == 100
    assert problem.num_vehicles == 100  # the X set does not limit the fleet (its best-known plan has 26 routes)
    assert problem.demands.tolist() == demands
    assert problem.coords.tolist() == [list(xy) for xy in coords]


def test_summary_without_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cleanliness", "solve-vrplib", str(tiny_instance(tmp_path)), "--seconds", "0.2"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "tiny: cost 40, 2 routes for 4 clients." in text
    assert "Every client is visited once" in text
    assert "{" not in result.stdout


def test_summary_follows_the_terminal_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "fr_MA.UTF-8")
    result = runner.invoke(app, ["cleanliness", "solve-vrplib", str(tiny_instance(tmp_path)), "--seconds", "0.2"])
    assert result.exit_code == 0, result.output
    assert "tiny : coût 40, 2 tournées pour 4 clients." in " ".join(result.stdout.split())


# ----------------------------------------------------------------------------------------------------
# The engine on plain data


def line_problem(capacity: int = 2, vehicles: int = 4) -> routing.RoutingProblem:
    """Depot at 0, two clients 10 to the east and two 10 to the west: two routes of cost 20 each when capacity is 2."""
    coords = np.array([[0, 0], [10, 0], [10, 1], [-10, 0], [-10, 1]], dtype=float)
    return routing.RoutingProblem(
        coords=coords,
        demands=np.array([0, 1, 1, 1, 1]),
        capacity=capacity,
        distances=routing.euclidean_costs(coords),
        num_vehicles=vehicles,
        name="line",
    )


def test_solve_finds_the_obvious_plan_and_reports_progress() -> None:
    seen: list[float] = []
    result = routing.solve(line_problem(), seconds=0.2, on_progress=lambda elapsed, _best: seen.append(elapsed))
    assert result.feasible
    assert result.cost == result.solver_cost == 42
    assert sorted(sorted(route) for route in result.routes) == [[1, 2], [3, 4]]
    assert result.loads == [2, 2]
    assert seen and seen == sorted(seen)


def test_a_number_of_iterations_gives_the_same_plan_on_any_machine() -> None:
    first, second = (routing.solve(line_problem(capacity=3), seconds=60, iterations=300, seed=4) for _ in range(2))
    assert first.iterations == second.iterations == 300
    assert (first.routes, first.cost) == (second.routes, second.cost)
    with pytest.raises(ValueError, match="iterations"):
        routing.solve(line_problem(), seconds=1, iterations=0)


def test_too_few_trucks_is_reported_infeasible() -> None:
    result = routing.solve(line_problem(capacity=1, vehicles=2), seconds=0.1)
    assert not result.feasible
    assert result.solver_cost is None


def test_feasibility_check() -> None:
    problem = line_problem()
    assert routing.is_feasible(problem, [[1, 2], [3, 4]])
    assert not routing.is_feasible(problem, [[1, 2], [3]])  # client 4 missed
    assert not routing.is_feasible(problem, [[1, 2], [3, 4, 1]])  # client 1 twice
    assert not routing.is_feasible(problem, [[1, 2, 3], [4]])  # load 3 > capacity 2
    assert not routing.is_feasible(problem, [[1, 2], [3, 4], []])  # an empty route
    assert not routing.is_feasible(problem, [[0, 1, 2], [3, 4]])  # the depot inside a route
    assert not routing.is_feasible(line_problem(capacity=4, vehicles=1), [[1, 2], [3, 4]])  # two routes, one truck
    assert routing.route_cost(problem.distances, [[1, 2], [3, 4]]) == 42
    assert routing.route_cost(problem.distances, [[1, 3]]) == 40


def test_rounding_conventions() -> None:
    coords = np.array([[0, 0], [1, 1], [3, 4]], dtype=float)  # sqrt(2) = 1.41, 5, sqrt(13) = 3.61
    assert routing.euclidean_costs(coords, "EUC_2D")[0].tolist() == [0, 1, 5]
    assert routing.euclidean_costs(coords, "CEIL_2D")[0].tolist() == [0, 2, 5]
    assert routing.euclidean_costs(coords, "FLOOR_2D")[1].tolist() == [1, 0, 3]


# ----------------------------------------------------------------------------------------------------
# Malformed instances: exit 1, a message naming the problem, no JSON


def tiny_instance(folder: Path, **replace: str) -> Path:
    text = TINY
    for old, new in replace.items():
        text = text.replace(old.replace("_", " "), new)
    path = folder / "tiny.vrp"
    path.write_text(text)
    return path


TINY = """NAME : tiny
TYPE : CVRP
DIMENSION : 5
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 2
NODE_COORD_SECTION
1 0 0
2 10 0
3 10 0
4 -10 0
5 -10 0
DEMAND_SECTION
1 0
2 1
3 1
4 1
5 1
DEPOT_SECTION
1
-1
EOF
"""


def x101_without(lines_from: str, lines_to: str) -> str:
    text = X101.read_text()
    return text[: text.index(lines_from)] + text[text.index(lines_to):]


def x101_with(old: str, new: str) -> str:
    text = X101.read_text()
    assert old in text
    return text.replace(old, new, 1)


BAD_INSTANCES = {
    "empty": ("", "tiny.vrp: The file is empty."),
    "blank lines": ("\n  \n\t\n", "The file is empty."),
    "garbage": (
        "Lorem ipsum dolor sit amet\nconsectetur adipiscing elit\n",
        "Line 1 is neither a specification (KEY : VALUE) nor a data section: this is not a VRPLIB instance.",
    ),
    "json": ('{"cost": 1}', "it has neither a DIMENSION nor any data section"),
    "text with colons": (
        "Dear colleague: here is the file\n", "it has neither a DIMENSION nor any data section"
    ),
    "no DEMAND_SECTION": (x101_without("DEMAND_SECTION", "DEPOT_SECTION"), "The instance has no DEMAND_SECTION."),
    "no NODE_COORD_SECTION": (
        x101_without("NODE_COORD_SECTION", "DEMAND_SECTION"), "The instance has no NODE_COORD_SECTION."
    ),
    "no DIMENSION": (x101_with("DIMENSION : \t101", ""), "The DIMENSION specification is missing."),
    "no CAPACITY": (x101_with("CAPACITY : \t206", ""), "The CAPACITY specification is missing."),
    "no EDGE_WEIGHT_TYPE": (
        x101_with("EDGE_WEIGHT_TYPE : \tEUC_2D", ""), "The EDGE_WEIGHT_TYPE specification is missing."
    ),
    "demand above capacity": (
        x101_with("\n6\t58", "\n6\t207"),
        "X-n101-k25.vrp:115: Client 5 (node 6) needs 207, more than the vehicle capacity of 206.",
    ),
    "GEO distances": (
        x101_with("EUC_2D", "GEO"),
        "X-n101-k25.vrp:5: EDGE_WEIGHT_TYPE GEO is not supported; use one of: EUC_2D, CEIL_2D, FLOOR_2D.",
    ),
    "explicit matrix": (x101_with("EUC_2D", "EXPLICIT"), "EDGE_WEIGHT_TYPE EXPLICIT is not supported"),
    "time windows": (
        x101_with("DEPOT_SECTION", "TIME_WINDOW_SECTION\n1 0 100\nDEPOT_SECTION"),
        "TIME_WINDOW_SECTION is not supported: this command solves capacitated vehicle routing (CVRP) instances only.",
    ),
    "route length limit": (x101_with("CAPACITY", "DISTANCE : 200\nCAPACITY"), "X-n101-k25.vrp:6: DISTANCE is not"),
    "VRPTW": (x101_with("TYPE : \tCVRP", "TYPE : VRPTW"), "TYPE VRPTW is not supported"),
    "dimension word": (
        x101_with("DIMENSION : \t101", "DIMENSION : many"),
        "DIMENSION must be a whole number from 2 to 10000, not many.",
    ),
    "zero capacity": (x101_with("CAPACITY : \t206", "CAPACITY : 0"), "CAPACITY must be a whole number from 1"),
    "dimension too small": (
        x101_with("DIMENSION : \t101", "DIMENSION : 100"),
        "NODE_COORD_SECTION has more than the 100 rows DIMENSION announces.",
    ),
    "dimension too large": (
        x101_with("DIMENSION : \t101", "DIMENSION : 102"), "NODE_COORD_SECTION has 101 rows; DIMENSION announces 102."
    ),
    "rows out of order": (
        x101_with("\n3\t792\t5\n", "\n4\t792\t5\n"),
        "X-n101-k25.vrp:10: The rows of NODE_COORD_SECTION must be numbered 1 to 101 in order: 3 was expected here,",
    ),
    "missing coordinate": (
        x101_with("\n3\t792\t5\n", "\n3\t792\n"),
        "Each row of NODE_COORD_SECTION holds 3 values (node x y); this one holds 2.",
    ),
    "coordinate not a number": (x101_with("\n3\t792\t5\n", "\n3\t792\tfive\n"), "five is not a finite number."),
    "coordinate infinite": (x101_with("\n3\t792\t5\n", "\n3\t792\tinf\n"), "inf is not a finite number."),
    "coordinate too far": (x101_with("\n3\t792\t5\n", "\n3\t792\t1e12\n"), "Coordinates beyond ±100000000"),
    "fractional demand": (x101_with("\n6\t58", "\n6\t1.5"), "A demand is a whole number of at least 0, not 1.5."),
    "negative demand": (x101_with("\n6\t58", "\n6\t-3"), "A demand is a whole number of at least 0, not -3."),
    "depot with demand": (
        x101_with("DEMAND_SECTION\t\t\n1\t0", "DEMAND_SECTION\n1\t5"), "The depot (node 1) has a demand of 5"
    ),
    "two depots": (x101_with("\t1\t\n\t-1", "1\n2\n-1"), "this command supports one depot, the first node."),
    "depot elsewhere": (x101_with("\t1\t\n\t-1", "7\n-1"), "The DEPOT_SECTION must list node 1 alone"),
    "specification after a section": (
        x101_with("DEPOT_SECTION", "VEHICLES : 30\nDEPOT_SECTION"),
        "A specification (KEY : VALUE) comes after the data sections",
    ),
    "twice": (x101_with("CAPACITY", "CAPACITY : 100\nCAPACITY"), "X-n101-k25.vrp:7: CAPACITY appears twice."),
    "too few vehicles": (
        x101_with("CAPACITY", "VEHICLES : 5\nCAPACITY"),
        "The clients need 5147 in all, more than 5 vehicles of capacity 206 can carry.",
    ),
}


@pytest.mark.parametrize(("content", "message"), BAD_INSTANCES.values(), ids=BAD_INSTANCES.keys())
def test_malformed_instance_is_refused_by_name(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / ("X-n101-k25.vrp" if "X-n101-k25" in message else "tiny.vrp")
    path.write_text(content)
    assert_refused([str(path)], message)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    assert_refused([str(tmp_path / "nowhere.vrp")], f"No such file: {tmp_path / 'nowhere.vrp'}")
    assert_refused([str(tmp_path)], "No such file")  # a folder is not an instance


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.vrp"
    path.write_bytes(bytes(range(256)))
    assert_refused([str(path)], "The file is not text (UTF-8 or ASCII): it cannot be a VRPLIB instance.")
    path.write_bytes(b"NAME : x\x00\x00\n")
    assert_refused([str(path)], "The file is not text")


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tiny.vrp"
    with path.open("wb") as big:
        big.truncate(routing.MAX_FILE_BYTES + 1)
    assert_refused([str(path)], "the largest accepted instance file is 50 MB")


@pytest.mark.parametrize("seconds", ["0", "-1", "nan", "inf"])
def test_time_limit_must_be_positive(seconds: str) -> None:
    assert_refused([str(X101), "--seconds", seconds], "--seconds: Must be more than 0.")


def test_refusals_follow_the_terminal_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "fr_MA.UTF-8")
    path = tmp_path / "X-n101-k25.vrp"
    path.write_text(x101_without("DEMAND_SECTION", "DEPOT_SECTION"))
    assert_refused([str(path)], "Erreur : X-n101-k25.vrp: L’instance n’a pas de DEMAND_SECTION.")
    monkeypatch.setenv("LC_ALL", "ar_MA.UTF-8")
    assert_refused([str(path)], "خطأ: X-n101-k25.vrp: لا تتضمن المسألة القسم DEMAND_SECTION.")


def assert_refused(args: list[str], message: str) -> None:
    short = [] if "--seconds" in args else ["--seconds", "0.1"]
    result = runner.invoke(app, ["cleanliness", "solve-vrplib", *args, *short, "--json"])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""  # no JSON, nothing half-printed
    assert message in " ".join(result.stderr.split())
