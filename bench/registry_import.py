"""Registry import into the database: 100,000 households (~390,000 members) checked, written with their sealed
identifiers, scored and decided, in one transaction, as `majal registry import DIR` does.

    .venv/bin/python bench/registry_import.py                                   # SQLite, in a temporary file
    .venv/bin/python bench/registry_import.py --database-url postgresql+psycopg://postgres@127.0.0.1/majal_bench

The PostgreSQL database given is emptied (its public schema dropped and created again) before the run.
The figure is printed beside a baseline: the plain ORM way (one `Household` and `Member` object per record, each
identifier sealed with Fernet, flushed by the session), measured on 5,000 households and scaled linearly.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from majal.db import make_engine, make_sessionmaker
from majal.kit import crypto
from majal.kit.security import keyed_digest
from majal.migrate import upgrade
from majal.registry import service
from majal.registry.models import Household, Member
from majal.registry.pmt import data, synth

AS_OF = date(2026, 11, 23)
SECRET = "bench-secret"  # noqa: S105 (a throw-away key for a throw-away database)
BASELINE_HOUSEHOLDS = 5_000


def fresh_engine(url: str) -> Engine:
    engine = make_engine(url)
    if url.startswith("postgresql"):
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def population(households: int, folder: Path) -> data.PopulationFiles:
    hh, mm = synth.generate_frames(households, seed=11)
    folder.mkdir(parents=True, exist_ok=True)
    data.write_table(hh, folder, "households", ["parquet"])
    data.write_table(mm, folder, "members", ["parquet"])
    return data.read_population(folder)


def bulk(engine: Engine, files: data.PopulationFiles) -> tuple[float, dict[str, float]]:
    steps: dict[str, float] = {}
    started = time.perf_counter()
    with make_sessionmaker(engine).begin() as db:
        service.import_population(db, files, secret=SECRET, actor="bench", as_of=AS_OF,
                                  on_step=lambda name: steps.setdefault(name, time.perf_counter() - started))
    return time.perf_counter() - started, steps


def orm_baseline(engine: Engine, files: data.PopulationFiles) -> float:
    """One ORM object per record, Fernet per identifier: what the code would look like without the bulk path."""
    started = time.perf_counter()
    prepared = data.prepare(files.households, files.members, as_of=AS_OF)
    with make_sessionmaker(engine).begin() as db:
        for row in prepared.households.iter_rows(named=True):
            row["id"] = row.pop("household_id") + 10_000_000
            db.add(Household(tracking_code=service.new_tracking_codes(1, lambda _c: set())[0], address="", **row))
        db.flush()
        position = 0
        previous = None
        for row in prepared.members.drop("age").iter_rows(named=True):
            position = position + 1 if row["household_id"] == previous else 0
            previous = row["household_id"]
            idcs = row.pop("idcs")
            db.add(Member(household_id=row.pop("household_id") + 10_000_000, position=position,
                          idcs_sealed=crypto.seal(SECRET, "bench", {"v": idcs}),
                          idcs_digest=keyed_digest(SECRET, "baseline:" + idcs), **row))
        db.flush()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engine = fresh_engine(url)
        files = population(args.households, Path(folder) / "population")
        members = files.members.height
        seconds, steps = bulk(engine, files)
        small = population(BASELINE_HOUSEHOLDS, Path(folder) / "small")
        baseline = orm_baseline(engine, small) * args.households / BASELINE_HOUSEHOLDS
        engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database           {engine.dialect.name}")
    print(f"households         {args.households:,}  members {members:,}")
    print(f"import (bulk)      {seconds:7.1f} s   steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in steps.items()))
    print(f"baseline (ORM)     {baseline:7.1f} s   measured on {BASELINE_HOUSEHOLDS:,} households, scaled; "
          "no scoring")
    print(f"speed-up           {baseline / seconds:7.1f} ×")
    print(f"peak memory        {peak:7.0f} MB")


if __name__ == "__main__":
    main()
