"""Write load with a crash: Open311 clients, portal reporters and staff write at once; SIGKILL in the middle.

    .venv/bin/python bench/write_load.py --database sqlite
    .venv/bin/python bench/write_load.py --database postgresql   # EMPTIES the database at --postgres-url

50 writers by default (20 Open311 clients sharing one API key, 20 citizens on the portal, 10 staff members changing
statuses from the console; tests/writeload.py) write for --seconds against `python -m uvicorn majal.app:create_app`
in a child process. At --kill-after the server gets SIGKILL with requests in flight; it is restarted on the same
data, every POST that got no answer is sent again exactly as before (same Idempotency-Key, same form id), and the
load goes on to the end. Then the database is counted: every acknowledged write must be there once, none twice.
Goal: p99 <= 1 s on both databases, 0 lost, 0 duplicated. Exit status 1 when a write is lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for `tests.writeload`

from tests import crashlib, writeload

from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.migrate import upgrade
from majal.territory import service as territory
from majal.territory.demo import build_demo_territory

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/majal_bench"
KINDS = ("open311 post", "portal post", "staff status", "healthz")


def main() -> int:
    args = _arguments()
    kill_after = args.kill_after if args.kill_after is not None else args.seconds / 2
    data_dir = Path(tempfile.mkdtemp(prefix="majal-write-load-")).resolve()
    url = f"sqlite:///{data_dir / 'majal.db'}" if args.database == "sqlite" else args.postgres_url
    secret = secrets.token_urlsafe(32)
    writers = args.open311 + args.portal + args.staff
    print(f"Majal write load — {args.database}, {writers} writers ({args.open311} Open311 with one key, "
          f"{args.portal} portal, {args.staff} staff), {args.seconds:g} s, SIGKILL at {kill_after:g} s")
    print(f"data dir {data_dir}; {os.cpu_count()} CPUs; Python {platform.python_version()}")
    engine = make_engine(url)
    if args.database == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as db:
        territory.save_territory(db, build_demo_territory(), actor="bench")
    fixture = writeload.prepare(sessions, secret, args.staff)
    env = crashlib.server_env(url, data_dir, secret)
    env["MAJAL_REPORTS_PER_HOUR"] = "1000000"  # every citizen here comes from 127.0.0.1
    if args.threads:
        env["MAJAL_THREADS"] = str(args.threads)
    Settings(data_dir=data_dir)  # the data dir exists
    with crashlib.ServerProcess(env, data_dir / "server.log") as server:
        server.start()
        load = asyncio.run(_run(server, fixture, args, kill_after))
    result = writeload.check(engine, load)
    engine.dispose()
    _print(load, result, args)
    return 0 if result.ok else 1


async def _run(server: crashlib.ServerProcess, fixture: writeload.Fixture, args: argparse.Namespace,
               kill_after: float) -> writeload.Load:
    load = writeload.Load()
    end = load.started + args.seconds
    stop = asyncio.Event()
    tasks = _writers(server.url, fixture, args, load, end, stop)
    await asyncio.sleep(kill_after)
    load.killed_at = time.perf_counter()
    server.kill()
    in_flight = len(load.unanswered)
    await asyncio.gather(*tasks)  # every writer sees its connection cut and stops
    restart = server.start()
    print(f"SIGKILL at {load.killed_at - load.started:.1f} s with {in_flight} POSTs unanswered; "
          f"restarted in {restart:.1f} s")
    load.killed_at = None
    await writeload.send_again(server.url, load)  # the clients' retries, once the server is back
    stop = asyncio.Event()
    await asyncio.gather(*_writers(server.url, fixture, args, load, end, stop, generation=2))
    load.finished = time.perf_counter()
    return load


def _writers(url: str, fixture: writeload.Fixture, args: argparse.Namespace, load: writeload.Load, end: float,
             stop: asyncio.Event, generation: int = 1) -> list[asyncio.Future[None]]:
    """Writer numbers differ per generation, so markers stay unique across the restart."""
    base = 1000 * generation
    tasks = [asyncio.ensure_future(writeload.open311_writer(url, fixture.api_key, base + n, load, None, end))
             for n in range(args.open311)]
    tasks += [asyncio.ensure_future(writeload.portal_reporter(url, base + n, load, None, end))
              for n in range(args.portal)]
    tasks += [asyncio.ensure_future(writeload.staff_writer(url, username, fixture.requests_of[username], load, end,
                                                           tag=f"g{generation}"))
              for username in fixture.staff]

    async def probe_until_end() -> None:
        prober = asyncio.ensure_future(writeload.health_prober(url, load, stop, every=0.5))
        while time.perf_counter() < end and load.killed_at is None:
            await asyncio.sleep(0.1)
        stop.set()
        await prober

    return [*tasks, asyncio.ensure_future(probe_until_end())]


def _print(load: writeload.Load, result: writeload.Check, args: argparse.Namespace) -> None:
    writes = [s for s in load.samples if s.kind in KINDS[:3] and s.status is not None]
    print()
    print(f"| {'request':<14} | {'answered':>8} | {'per s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'5xx':>4} |")
    print(f"|{'-' * 16}|{'-' * 10}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|{'-' * 5}:|")
    for kind in KINDS:
        answered, rate, p50, p99 = load.figures(kind)
        errors = sum(1 for s in load.of(kind) if s.status is not None and s.status >= 500)
        print(f"| {kind:<14} | {answered:>8,} | {rate:>7.1f} | {p50:>7.0f} | {p99:>7.0f} | {errors:>4} |")
    latencies = [s.seconds * 1000 for s in writes]
    print(f"| {'all writes':<14} | {len(writes):>8,} | {len(writes) / load.seconds:>7.1f} | "
          f"{crashlib.percentile(latencies, 0.5):>7.0f} | {crashlib.percentile(latencies, 0.99):>7.0f} | "
          f"{sum(1 for s in writes if s.status >= 500):>4} |")  # type: ignore[operator]
    print()
    refused = sorted({s.status for s in writes if s.status not in (201, 303)})  # type: ignore[misc]
    print(f"other answers: {refused or 'none'}")
    print(result.summary())
    print(f"goal: p99 <= 1000 ms, 0 lost, 0 duplicated; baseline (before): 0 of 40 concurrent POSTs answered "
          f"(SQLite froze for minutes, PostgreSQL deadlocked) — {args.database}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--kill-after", type=float, default=None, help="default: half of --seconds")
    parser.add_argument("--open311", type=int, default=20)
    parser.add_argument("--portal", type=int, default=20)
    parser.add_argument("--staff", type=int, default=10)
    parser.add_argument("--threads", type=int, default=None, help="the server's MAJAL_THREADS")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
