"""Open311 read benchmark: `GET /open311/v2/requests.json?service_code=…&status=open` over 1,000,000 stored requests.

    .venv/bin/python bench/open311_read.py                        # 1,000,000 rows, 20 s per endpoint, 32 connections
    .venv/bin/python bench/open311_read.py --rows 200000 --duration 10 --codes LIGHT_OUT,POTHOLE

The database is SQLite (the embedded default). It holds the demo commune (majal.demo.build: districts, catalogue,
staff, a year of demo requests) topped up with synthetic requests to --rows in all, drawn like the demo's history
(majal.requests.demo.history, vectorised): services weighted as in SERVICE_WEIGHTS, points inside the districts in
proportion to their population, requested over the last 365 days with more recent requests than old ones, and a
backlog: 30 % of the requests of the last 45 days are not fixed yet. About 4.8 % of all requests are still open, nearly
all of them from the last 45 days, i.e. inside Open311's default 90-day window. For LIGHT_OUT (weight 22 of 100, 22 %
of the requests) that is about 11,000 matching rows, so the answer is capped at Open311's 1000 (≈ 530 kB of JSON);
SIGN_MISSING (2 of 100) matches about 980 rows, all returned. The script prints the real counts and SQLite's plan.

The data goes to --data-dir (default bench/.data/open311-1m, git-ignored) and is reused by the next run when it holds
exactly --rows requests (the dates stay those of the day it was built). The app is served by uvicorn in its own
process with one worker, from this module's `bench_app` factory: the real `create_app(Settings())` with one more
route, `GET /bench/constant` → {"ok": true}, the bare endpoint of the same app (same middleware), and one more row for
`GET /bench/constant/{size}`, a constant as large as the first code's answer: the ceiling set by moving that many
bytes through the app and the sockets, against which the query's own cost shows. Load comes from wrk
(a separate process, closed loop: each connection sends its next request when the previous answer arrives) on
127.0.0.1. wrk sends no Accept-Encoding, so those answers are not compressed; one more row (--no-gzip drops it) asks
for gzip, as most HTTP clients do. Goal: the Open311 query at ≥ 50 % of the bare endpoint's requests/s, p99 < 50 ms.
The machine's load (other processes included) is printed beside the figures: they are only comparable between runs
on an equally quiet machine.

One file past 400 lines on purpose: a benchmark is read, copied and run as one script (data, server, load, figures).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
CONSTANT_PATH = "/bench/constant"
OPEN311_PATH = "/open311/v2/requests.json"
DEFAULT_CODES = "LIGHT_OUT,SIGN_MISSING"
BATCH = 50_000
SEED = 311
GOAL_RATIO, GOAL_P99_MS = 0.5, 50.0
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # as majal.requests.service
DAY = 86_400.0
INSTALL_WRK = "wrk is missing: install it with `sudo apt-get install -y wrk` (Debian/Ubuntu), then run this again."


def bench_app() -> Any:
    """uvicorn factory: the Majal app configured from MAJAL_* (as `majal serve`), plus the bare constant route."""
    from fastapi import Response

    from majal.app import create_app
    from majal.config import Settings

    app = create_app(Settings())

    @app.get(CONSTANT_PATH, include_in_schema=False)
    async def constant() -> dict[str, bool]:
        return {"ok": True}

    sized: dict[int, bytes] = {}

    @app.get(CONSTANT_PATH + "/{size:int}", include_in_schema=False)
    async def constant_of_size(size: int) -> Response:
        """As many bytes as an Open311 answer: what moving the answer alone costs, app and sockets included."""
        if size not in sized:
            sized[size] = b"[" + b" " * max(size - 2, 0) + b"]"
        return Response(sized[size], media_type="application/json")

    return app


# --- The data ----------------------------------------------------------------------------------------------------

def prepare(data_dir: Path, rows: int) -> tuple[str, str]:
    """The demo commune plus synthetic requests up to `rows`; returns the database URL and what was done."""
    from sqlalchemy import func, select

    from majal import demo
    from majal.config import Settings
    from majal.db import make_engine
    from majal.migrate import upgrade
    from majal.requests.models import ServiceRequest

    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'majal.db'}"
    settings = Settings(database_url=url, data_dir=data_dir)
    engine = make_engine(url)
    stored = 0
    if (data_dir / "majal.db").exists():
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(ServiceRequest)) or 0
    if stored == rows:
        upgrade(engine)  # a reused database gets the migrations (indexes) the code now has
        engine.dispose()
        return url, f"reused {data_dir} ({rows:,} requests, {_data_age(data_dir)})"
    if stored > rows:
        sys.exit(f"{data_dir} holds {stored:,} requests, more than --rows {rows:,}: give another --data-dir")
    started = time.perf_counter()
    demo.build(settings)
    added = _top_up(engine, rows)
    engine.dispose()
    (data_dir / "bench.json").write_text(json.dumps({"rows": rows, "generated_at": datetime.now(UTC).isoformat()}))
    seconds = time.perf_counter() - started
    return url, f"built {data_dir}: demo commune + {added:,} synthetic requests in {seconds:.0f} s"


def _data_age(data_dir: Path) -> str:
    try:
        generated = datetime.fromisoformat(json.loads((data_dir / "bench.json").read_text())["generated_at"])
    except (OSError, ValueError, KeyError):
        return "age unknown"
    days = (datetime.now(UTC) - generated).total_seconds() / DAY
    stale = "; dates are relative to that day, delete the folder for fresh ones" if days > 7 else ""
    return f"generated {days:.1f} days ago{stale}"


def _top_up(engine: Any, rows: int) -> int:
    """Insert synthetic requests until `rows` are stored: Core executemany, one transaction per batch."""
    import numpy as np
    from rich.progress import Progress
    from sqlalchemy import func, insert, select

    from majal.requests.models import Service, ServiceRequest
    from majal.territory.models import District

    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(ServiceRequest)) or 0
        services = {code: (service_id, sla) for service_id, code, sla in connection.execute(
            select(Service.id, Service.code, Service.sla_hours))}
        districts = list(connection.execute(select(District.id, District.geometry, District.population)
                                            .order_by(District.id)))
        taken = set(connection.scalars(select(ServiceRequest.tracking_code)))
    now = time.time()
    rng = np.random.default_rng(SEED + stored)
    table = ServiceRequest.__table__
    added, serial = 0, stored
    with Progress() as progress:
        task = progress.add_task("synthetic requests", total=rows - stored)
        while stored + added < rows:
            size = min(BATCH, rows - stored - added)
            batch = synthetic_requests(rng, size, serial, now, services, districts, taken)
            serial += size
            with engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB while loading
                connection.execute(insert(table), batch)
            added += len(batch)
            progress.update(task, advance=len(batch))
    return added


def synthetic_requests(rng: Any, size: int, serial: int, now: float, services: dict[str, tuple[int, int]],
                       districts: list[Any], taken: set[str]) -> list[dict[str, Any]]:
    """`size` rows for service_requests, drawn as majal.requests.demo.history does, with numpy."""
    import numpy as np
    import shapely

    from majal.requests.demo import DESCRIPTIONS, SERVICE_WEIGHTS
    from majal.requests.workflow import Status

    codes = sorted(SERVICE_WEIGHTS)
    weights = np.array([SERVICE_WEIGHTS[code] for code in codes], dtype=float)
    service_index = rng.choice(len(codes), size=size, p=weights / weights.sum())
    shares = np.array([population for _id, _geometry, population in districts], dtype=float)
    district_index = rng.choice(len(districts), size=size, p=shares / shares.sum())
    lon, lat = np.empty(size), np.empty(size)
    for index, (_id, geometry, _population) in enumerate(districts):
        wanted = np.flatnonzero(district_index == index)
        lon[wanted], lat[wanted] = _points_in(geometry, len(wanted), rng, shapely)

    age_days = (1 - rng.power(1.3, size=size)) * 365  # more recent requests than old ones
    requested = now - age_days * DAY - rng.integers(0, 600, size=size) * 60.0
    sla = np.array([services[code][1] for code in codes], dtype=float)[service_index]
    acknowledged = requested + rng.exponential(6, size=size) * 3600
    resolved = requested + sla * rng.lognormal(-0.2, 0.6, size=size) * 3600
    roll = rng.random(size)
    backlog = (now - requested < 45 * DAY) & (rng.random(size) < 0.3)  # recent, not fixed yet
    resolved[backlog] = now + DAY
    waiting = np.array([Status.new, Status.acknowledged, Status.in_progress])[rng.choice(3, size, p=[0.2, 0.3, 0.5])]
    status = np.where(
        roll < 0.04, Status.rejected, np.where(
            roll < 0.09, Status.duplicate, np.where(
                resolved > now, np.where(acknowledged < now, waiting, Status.new),
                np.where(resolved + 7 * DAY < now, Status.closed, Status.resolved))))
    fixed = np.isin(status, [Status.resolved, Status.closed])
    closed = np.where(status == Status.closed, resolved + 7 * DAY, np.nan)
    acknowledged = np.where((acknowledged < now) & (status != Status.new), acknowledged, np.nan)
    resolved = np.where(fixed, resolved, np.nan)
    updated = np.where(~np.isnan(closed), closed, np.where(~np.isnan(resolved), resolved,
                                                          np.where(~np.isnan(acknowledged), acknowledged, requested)))
    expected = requested + sla * 3600
    numbers = rng.integers(1, 240, size=size)

    service_ids = [services[code][0] for code in codes]
    district_ids = [district_id for district_id, _geometry, _population in districts]
    rows = []
    for i in range(size):
        tracking = _tracking_code(serial + i)
        if tracking in taken:  # one of the demo's random codes: vanishingly rare, skip the row
            continue
        code = codes[service_index[i]]
        rows.append({
            "tracking_code": tracking, "token": str(uuid.uuid4()), "service_id": service_ids[service_index[i]],
            "status": str(status[i]), "status_notes": "", "description": DESCRIPTIONS[code].format(n=numbers[i]),
            "lat": float(lat[i]), "lon": float(lon[i]), "address_string": "",
            "district_id": district_ids[district_index[i]], "media_url": "", "attribute_values": {},
            "contact_sealed": None, "source": "web",
            "requested_at": _moment(requested[i]), "updated_at": _moment(updated[i]),
            "expected_at": _moment(expected[i]), "resolved_at": _moment(resolved[i]),
        })
    return rows


def _points_in(geometry: Any, count: int, rng: Any, shapely: Any) -> tuple[Any, Any]:
    import numpy as np

    min_x, min_y, max_x, max_y = geometry.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < count:
        x = rng.uniform(min_x, max_x, size=2 * (count - len(xs)) + 16)
        y = rng.uniform(min_y, max_y, size=len(x))
        inside = shapely.contains_xy(geometry, x, y)
        xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
    return xs[:count], ys[:count]


def _tracking_code(serial: int) -> str:
    """A unique XXX-XXX-XXX code per serial number (an odd multiplier is a bijection modulo 32**9)."""
    value = (serial * 0x9E3779B97F4A7C15 + 0x5DEECE66D) % 32**9
    letters = []
    for _ in range(9):
        value, digit = divmod(value, 32)
        letters.append(TRACKING_ALPHABET[digit])
    return f"{''.join(letters[:3])}-{''.join(letters[3:6])}-{''.join(letters[6:])}"


def _moment(timestamp: float) -> datetime | None:
    return None if timestamp != timestamp else datetime.fromtimestamp(float(timestamp), UTC)  # NaN: no moment


def query_facts(url: str, codes: list[str]) -> list[str]:
    """How many rows each benchmarked query matches, and SQLite's plan for the statements the app runs for it
    (caught on their way to the database while majal.requests.service.search answers the same query)."""
    from sqlalchemy import event, func, select
    from sqlalchemy.orm import Session

    import majal.models  # noqa: F401 (every mapper, for the relationships between domains)
    from majal.db import make_engine
    from majal.kit.audit import utcnow
    from majal.requests import service
    from majal.requests.models import Service, ServiceRequest
    from majal.requests.schemas import RequestQuery
    from majal.requests.workflow import OPEN

    engine = make_engine(url)
    statements: list[tuple[str, Any]] = []

    def catch(_connection: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if "FROM service_requests" in statement and "ORDER BY" in statement:
            statements.append((statement, parameters))

    lines = []
    count = select(func.count()).select_from(ServiceRequest)
    opened = ServiceRequest.status.in_(sorted(OPEN))
    with engine.connect() as connection:
        total = connection.scalar(count) or 0
        open_total = connection.scalar(count.where(opened)) or 0
        lines.append(f"{total:,} requests stored, {open_total:,} open ({open_total / max(total, 1):.1%})")
        for code in codes:
            of_service = ServiceRequest.service_id == select(Service.id).where(Service.code == code).scalar_subquery()
            service_rows = connection.scalar(count.where(of_service)) or 0
            recent = ServiceRequest.requested_at >= utcnow() - service.DEFAULT_WINDOW
            matching = connection.scalar(count.where(of_service, opened, recent)) or 0
            lines.append(f"{code}: {service_rows:,} requests, {matching:,} open in the last 90 days "
                         f"→ the answer holds {min(matching, 1000):,} (Open311 caps at 1000)")
            statements.clear()
            event.listen(engine, "before_cursor_execute", catch)
            with Session(engine) as db:
                service.search(db, RequestQuery(service_codes=(code,), statuses=("open",)))
            event.remove(engine, "before_cursor_execute", catch)
            for statement, parameters in statements:
                plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
                lines.append("  plan: " + "; ".join(row[-1] for row in plan))
    engine.dispose()
    return lines


# --- The server and the load -------------------------------------------------------------------------------------

class Server:
    """`python -m uvicorn open311_read:bench_app --factory` with one worker, in its own process."""

    def __init__(self, url: str, data_dir: Path, log: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "MAJAL_DATABASE_URL": url, "MAJAL_DATA_DIR": str(data_dir)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH_DIR), env.get("PYTHONPATH")]))
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "open311_read:bench_app", "--factory", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", "1", "--no-access-log", "--log-level", "warning"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 60.0) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                sys.exit(f"the server stopped (status {self.process.returncode}); see {self.log.name}")
            try:
                fetch(self.base + CONSTANT_PATH)
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        sys.exit(f"the server did not answer within {timeout:.0f} s; see {self.log.name}")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str, gzipped: bool = False) -> tuple[int, bytes]:
    """Status and body as sent (still compressed when gzipped)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip" if gzipped else "identity"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (http://127.0.0.1 only)
        return int(answer.status), answer.read()


@dataclass
class Result:
    label: str
    path: str
    status: int
    body_bytes: int
    records: int | None
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    server_cpu: float  # share of one core
    wrk_cpu: float
    machine_busy: float  # share of all cores
    load: tuple[float, float, float]


def run_wrk(server: Server, label: str, path: str, gzipped: bool, args: argparse.Namespace) -> Result:
    status, body = fetch(server.base + path, gzipped)
    records = None
    if path.startswith(OPEN311_PATH) and status == 200:
        records = len(json.loads(gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body))
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--latency", "--timeout", "10s"]
    if gzipped:
        command += ["-H", "Accept-Encoding: gzip"]
    if args.warmup > 0:  # warm the page cache, the threadpool and the connections' code paths
        subprocess.run([*command, f"-d{args.warmup}s", server.base + path], capture_output=True, check=True)
    cpu_before, machine_before = server.cpu_seconds(), _machine_ticks()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    output = subprocess.run([*command, f"-d{args.duration}s", server.base + path],
                            capture_output=True, text=True, check=True).stdout
    elapsed = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy, total = (after - before for after, before in zip(_machine_ticks(), machine_before, strict=True))
    wrk_cpu = (children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime) / elapsed
    figures = parse_wrk(output)
    return Result(label, path, status, len(body), records, figures["rate"], figures["p50"], figures["p99"],
                  int(figures["requests"]), figures["errors"], (server.cpu_seconds() - cpu_before) / elapsed,
                  wrk_cpu, busy / total if total else 0.0, os.getloadavg())


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, p50 and p99 (from --latency's distribution), the request count and any errors."""
    def latency(percent: str) -> float:
        match = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.MULTILINE)
        if not match:
            raise ValueError(f"no {percent}% line in wrk's output:\n{output}")
        return float(match.group(1)) * UNITS_MS[match.group(2)]

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    count = re.search(r"^\s*(\d+) requests in", output, re.MULTILINE)
    if not rate or not count:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = [line.strip() for line in output.splitlines() if line.strip().startswith(("Socket errors", "Non-2xx"))]
    return {"rate": float(rate.group(1)), "p50": latency("50"), "p99": latency("99"), "requests": int(count.group(1)),
            "errors": "; ".join(errors)}


def print_table(results: list[Result]) -> bool:
    bare = results[0]
    print()
    print(f"{'endpoint':<58}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'bytes':>10}{'records':>9}{'× bare':>8}  goal")
    passed = True
    for result in results:
        ratio = result.rate / bare.rate if bare.rate else 0.0
        goal = "-"
        if result.path.startswith(OPEN311_PATH):
            ok = ratio >= GOAL_RATIO and result.p99_ms < GOAL_P99_MS
            passed &= ok
            goal = ("PASS" if ok else "FAIL") + f" (≥ {GOAL_RATIO:.0%} and p99 < {GOAL_P99_MS:g} ms)"
        records = "" if result.records is None else f"{result.records:,}"
        print(f"{result.label:<58}{result.rate:>9.1f}{result.p50_ms:>9.1f}{result.p99_ms:>9.1f}"
              f"{result.body_bytes:>10,}{records:>9}{ratio:>8.3f}  {goal}")
    print()
    print("during each run: server CPU (share of one core), wrk CPU, all cores busy (anyone's), load average")
    for result in results:
        load = " ".join(f"{value:.2f}" for value in result.load)
        print(f"  {result.label:<56} server {result.server_cpu:>5.0%}  wrk {result.wrk_cpu:>5.0%}  "
              f"machine {result.machine_busy:>5.0%}  load {load}  ({result.requests:,} requests, HTTP "
              f"{result.status}{'; ' + result.errors if result.errors else ''})")
    return passed


def main() -> int:
    args = _arguments()
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    data_dir = Path(args.data_dir or BENCH_DIR / ".data" / f"open311-{_rows_label(args.rows)}").resolve()
    codes = [code.strip() for code in args.codes.split(",") if code.strip()]
    print(f"Majal Open311 read benchmark — SQLite, {args.rows:,} requests, wrk -t{args.threads} "
          f"-c{args.connections} -d{args.duration}s (after {args.warmup}s warm-up), one uvicorn worker")
    busy_before = _idle_check()
    print(f"{os.cpu_count()} CPUs; before the run the machine was {busy_before:.0%} busy (all cores, 2 s sample), "
          f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    url, what = prepare(data_dir, args.rows)
    print(what)
    for line in query_facts(url, codes):
        print(line)
    targets = [("GET " + CONSTANT_PATH + " (bare, same app)", CONSTANT_PATH, False)]
    targets += [(f"GET requests.json?service_code={code}&status=open",
                 f"{OPEN311_PATH}?service_code={code}&status=open", False) for code in codes]
    if args.gzip and codes:  # what most HTTP clients ask for: the app's GZipMiddleware compresses the answer
        targets.append((f"  same, {codes[0]}, Accept-Encoding: gzip",
                        f"{OPEN311_PATH}?service_code={codes[0]}&status=open", True))
    server = Server(url, data_dir, data_dir / "server.log")
    results = []
    try:
        print(f"server ready in {server.wait_ready():.1f} s at {server.base} (log: {server.log.name})")
        if codes:  # a constant as large as the first code's answer: the ceiling set by moving that many bytes
            size = len(fetch(f"{server.base}{OPEN311_PATH}?service_code={codes[0]}&status=open")[1])
            targets.insert(1, (f"GET {CONSTANT_PATH}/{size} (bare, {codes[0]}'s size)",
                               f"{CONSTANT_PATH}/{size}", False))
        for label, path, gzipped in targets:
            results.append(run_wrk(server, label, path, gzipped, args))
    finally:
        server.stop()
    passed = print_table(results)
    print()
    print("goal met" if passed else "goal not met (see the figures above)")
    return 0


def _rows_label(rows: int) -> str:
    if rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}m"
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


def _idle_check() -> float:
    before = _machine_ticks()
    time.sleep(2)
    busy, total = (after - first for after, first in zip(_machine_ticks(), before, strict=True))
    return busy / total if total else 0.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="service requests stored (default 1,000,000)")
    parser.add_argument("--data-dir", default=None,
                        help="where the SQLite database is built and kept (default bench/.data/open311-<rows>); "
                             "reused when it holds exactly --rows requests")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load first (default 3)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--codes", default=DEFAULT_CODES, help=f"service codes to query (default {DEFAULT_CODES})")
    parser.add_argument("--gzip", action=argparse.BooleanOptionalAction, default=True,
                        help="also load the first code with Accept-Encoding: gzip (default: yes)")
    args = parser.parse_args()
    if args.rows < 1 or args.duration < 1 or args.connections < 1 or args.threads < 1:
        parser.error("--rows, --duration, --connections and --threads must be positive")
    return args


if __name__ == "__main__":
    sys.exit(main())
