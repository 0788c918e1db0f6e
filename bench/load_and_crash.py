"""Load and crash guard: concurrent staff sign in and read; the server is killed with SIGKILL mid-load and restarted.

    .venv/bin/python bench/load_and_crash.py --database sqlite
    .venv/bin/python bench/load_and_crash.py --database postgresql   # EMPTIES the database at --postgres-url

Each simulated staff member (one HTTP client and cookie jar each) loops: sign in (POST /login, a write: session,
login attempt and audit event in one transaction; *acknowledged* when the 303 with a session cookie arrives), read
/console with the new session, read the districts API. At --kill-after the server gets SIGKILL while requests are in
flight; it is restarted on the same data, the database is checked (every acknowledged session present once with its
user, sessions = successful attempts = login.success events per user), a sample of acknowledged sessions must still
open /console, and the load goes on to the end. The baseline is the same clients fetching a static file for 5 s.
Exit status 1 when any acknowledged write is missing, duplicated or half-written.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import secrets
import shutil
import sys
import tempfile
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for `tests.crashlib`

from tests import crashlib

from majal import demo
from majal.config import Settings
from majal.db import make_engine, make_sessionmaker
from majal.kit.security import password_hasher

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/majal_h5"
BASELINE_SECONDS = 5.0
CONSOLE_SAMPLE = 50


def main() -> int:
    args = _arguments()
    kill_after = args.kill_after if args.kill_after is not None else args.seconds / 2
    if not 0 < kill_after < args.seconds:
        sys.exit("--kill-after must fall inside the load (0 < kill-after < seconds)")
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="majal-crash-")).resolve()
    if data_dir.exists() and any(data_dir.iterdir()):
        sys.exit(f"{data_dir} is not empty: give a new or empty --data-dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{data_dir / 'majal.db'}" if args.database == "sqlite" else args.postgres_url
    secret = secrets.token_urlsafe(32)

    print(
        f"Majal load and crash guard — {args.database}, {args.clients} clients, {args.seconds:g} s, "
        f"SIGKILL at {kill_after:g} s"
    )
    hasher = password_hasher()
    print(
        f"data dir {data_dir}; {os.cpu_count()} CPUs; Python {platform.python_version()}; argon2 "
        f"time_cost={hasher.time_cost} memory_cost={hasher.memory_cost} KiB parallelism={hasher.parallelism}"
    )
    members = _build(url, data_dir, secret, args.clients)
    env = crashlib.server_env(url, data_dir, secret)
    engine = make_engine(url)
    rows: list[tuple[str, crashlib.Load]] = []
    notes: list[str] = []
    ok = True
    with crashlib.ServerProcess(env, data_dir / "server.log") as server:
        notes.append(f"server started in {server.start():.1f} s ({server.url})")
        rows.append(
            ("baseline: static file", asyncio.run(crashlib.run_static(server.url, args.clients, BASELINE_SECONDS)))
        )
        before = asyncio.run(crashlib.run_load(server.url, members, kill_after, kill=server.kill))
        rows.append(("load until SIGKILL", before))
        cut = before.in_flight_at_kill()
        notes.append(
            f"SIGKILL at {before.seconds:.1f} s: {len(cut)} requests in flight "
            f"({len(before.in_flight_at_kill('sign-in'))} sign-ins), none acknowledged"
        )
        notes.append(f"restarted: /healthz answered after {server.start():.1f} s")

        check = crashlib.check_writes(engine, before.acknowledged, before.sign_ins_sent)
        ok &= _report(notes, "after the restart", check)
        sample = random.sample(sorted(before.acknowledged), min(CONSOLE_SAMPLE, len(before.acknowledged)))
        statuses = crashlib.console_answers(server.url, sample)
        ok &= statuses == {200: len(sample)}
        notes.append(
            f"GET /console on the restarted server with {len(sample)} acknowledged sessions: "
            + ", ".join(f"{n} × {status}" for status, n in sorted(statuses.items()))
        )

        after = asyncio.run(crashlib.run_load(server.url, members, args.seconds - kill_after))
        rows.append(("load after restart", after))
        server.stop()
    before.merge(after)
    final = crashlib.check_writes(engine, before.acknowledged, before.sign_ins_sent)
    ok &= _report(notes, "at the end (both parts, after a clean stop)", final)
    engine.dispose()

    _table(rows)
    print()
    for note in notes:
        print(note)
    print(final.summary())
    print("PASS" if ok else f"FAIL (server log: {data_dir / 'server.log'})")
    if ok and args.data_dir is None:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if ok else 1


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=POSTGRES_URL,
        help=f"used with --database postgresql; its public schema is dropped first ({POSTGRES_URL})",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent staff members (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load (default 60)")
    parser.add_argument(
        "--kill-after",
        type=float,
        default=None,
        help="seconds into the load at which the server gets SIGKILL (default: half of --seconds)",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="a new or empty folder, kept afterwards (default: a temporary one, removed on success)",
    )
    return parser.parse_args()


def _build(url: str, data_dir: Path, secret: str, clients: int) -> list[crashlib.Member]:
    """A fresh database: the demo commune (migrations, districts, demo staff) and one manager per client."""
    if url.startswith("postgresql"):
        engine = make_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    demo.build(Settings(database_url=url, data_dir=data_dir, secret_key=secret))
    engine = make_engine(url)
    members = crashlib.create_members(make_sessionmaker(engine), clients, secrets.token_urlsafe(12))
    engine.dispose()
    return members


def _report(notes: list[str], when: str, check: crashlib.Check) -> bool:
    notes.append(
        f"{when}: {check.summary()}; {check.sessions} sessions = {check.audit_successes} login.success "
        f"events; committed but never acknowledged "
        f"(answer cut by the kill): {check.committed_unacknowledged}"
    )
    notes.extend(f"  {problem}" for problem in check.problems[:20])
    return check.ok


def _table(rows: list[tuple[str, crashlib.Load]]) -> None:
    print()
    print(f"{'phase':<34}{'seconds':>8}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for phase, load in rows:
        _row(phase, load, None)
        for kind in crashlib.kinds(load):
            if kind != "static":
                _row(f"  {_LABELS.get(kind, kind)}", load, kind)


_LABELS = {
    "login page": "GET /login (once per client)",
    "sign-in": "POST /login (sign-in, write)",
    "console": "GET /console",
    "districts": "GET /api/v1/territory/districts",
}


def _row(label: str, load: crashlib.Load, kind: str | None) -> None:
    requests, rate, p50, p99, errors = crashlib.figures(load, kind)
    seconds = f"{load.seconds:.1f}" if kind is None else ""
    print(f"{label:<34}{seconds:>8}{requests:>10}{rate:>9.1f}{p50:>9.1f}{p99:>9.1f}{errors:>8}")


if __name__ == "__main__":
    sys.exit(main())
