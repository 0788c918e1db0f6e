"""Entity resolution at scale: a million synthetic Moroccan person records, end to end, against Splink's defaults.

    .venv/bin/python bench/dedup.py                    # 1,000,000 records, seed 1
    .venv/bin/python bench/dedup.py --n 200000 --no-baseline

1. Writes `--n` synthetic records (`majal registry synth-persons`: names in both scripts, variants, typing errors,
   swaps, missing fields, wrong dates) and their truth to a temporary folder (not timed).
2. Runs the code behind `majal registry dedup` on that CSV in a child process, end to end: read and check the file,
   name keys, identifiers, Splink training, scoring, clustering, and writing the three result files.  Prints its wall
   time and steps, pairs compared, peak memory (the child's maximum resident set size), pairwise precision, recall
   and F1 against the truth, and blocking recall (the share of true pairs that any blocking rule compares).
3. Baseline, in another child on the same CSV: Splink with its default name comparisons (`NameComparison` on the
   names as written, lower-cased), `DateOfBirthComparison`, exact sex, commune, identifier and phone, blocked on the
   raw names and dates the same way, trained the same way (u by random sampling, m by expectation maximisation on
   name and date blocks, as sampled), clustered at the same threshold.
4. FEBRL3 and FEBRL4 (tests/data/febrl): F1 and blocking recall of the FEBRL model.

The goal is at most two minutes for a million records on this machine (2 cores); figures depend on its load, which
is printed first.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
FEBRL = ROOT / "tests" / "data" / "febrl"


# ----------------------------------------------------------------------------------------------------------------
# Children


def majal_child(input_path: Path, output: Path) -> dict[str, Any]:
    from majal.registry.matching.cli import run_dedup

    summary = run_dedup(input_path, output)
    return {"seconds": summary.seconds, "compared": summary.compared, "timings": summary.timings,
            "clusters": summary.clusters, "review": summary.review}


def splink_child(input_path: Path, output: Path) -> dict[str, Any]:
    """Splink as documented, with its default name comparisons, on the same file."""
    import logging

    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from majal.registry.matching.dedup import PERSON_MODEL, parse_persons_csv

    started = time.perf_counter()
    records = parse_persons_csv(input_path.read_bytes())
    columns: dict[str, Any] = {"unique_id": pa.array(range(records.num_rows), type=pa.int64())}
    for name in ("first_name", "last_name", "birth_date", "sex", "commune", "national_id", "phone"):
        values = records.column(name).to_pylist() if name in records.column_names else [None] * records.num_rows
        columns[name] = pa.array([(v or "").strip().lower() or None for v in values], type=pa.string())
    table = pa.table(columns)
    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI()
    frame = db_api.register(table, dataset_display_name="records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),  # with term frequencies on its exact level, by default
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("commune").configure(term_frequency_adjustments=True),
            cl.ExactMatch("national_id"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name", "commune"),
            block_on("first_name", "last_name", "substr(birth_date, 1, 4)"),
            block_on("first_name", "birth_date"),
            block_on("last_name", "birth_date"),
            block_on("birth_date", "commune"),
            block_on("national_id"),
            block_on("phone"),
        ],
    )
    linker = Linker(frame, settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "birth_date")], recall=PERSON_MODEL.deterministic_recall)
    linker.training.estimate_u_using_random_sampling(max_pairs=PERSON_MODEL.u_pairs, seed=0)
    for rule in (block_on("first_name", "last_name"), block_on("birth_date")):  # sampled as ours are
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True, max_pairs=PERSON_MODEL.em_pairs)
    predictions = linker.inference.predict()
    count = int(db_api.duckdb_con.sql(f"select count(*) from {predictions.physical_name}").fetchall()[0][0])  # noqa: S608
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=PERSON_MODEL.threshold)
    ids = records.column("id").to_pylist()
    rows = db_api.duckdb_con.sql(
        f"select unique_id, cluster_id from {clusters.physical_name} order by unique_id").fetchall()  # noqa: S608
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "cluster_id"])
        writer.writerows((ids[unique_id], ids[cluster]) for unique_id, cluster in rows)
    return {"seconds": time.perf_counter() - started, "compared": count}


def run_child(kind: str, input_path: Path, output: Path) -> dict[str, Any]:
    """Run one pipeline in a child process; its own peak memory comes back through wait4."""
    with tempfile.TemporaryFile(mode="w+") as report:
        process = subprocess.Popen(
            [sys.executable, __file__, "--child", kind, "--input", str(input_path), "--output", str(output)],
            stdout=report, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{kind} child failed with status {process.returncode}")
        report.seek(0)
        result: dict[str, Any] = json.loads(report.read().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


# ----------------------------------------------------------------------------------------------------------------
# Scoring against the truth


def read_column(path: Path, key: str, value: str) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row[key]: row[value] for row in csv.DictReader(handle)}


def scores(clusters_file: Path, truth: dict[str, str]) -> str:
    from majal.registry.matching.dedup import pairwise_scores

    clusters = read_column(clusters_file, "id", "cluster_id")
    ids = list(truth)
    result = pairwise_scores([clusters[i] for i in ids], [truth[i] for i in ids])
    return (f"precision {result.precision:.4f}, recall {result.recall:.4f}, F1 {result.f1:.4f} "
            f"({result.correct_pairs:,} of {result.true_pairs:,} true pairs found, {result.predicted_pairs:,} "
            f"predicted)")


def blocking_recall(records: pa.Table, truth: dict[str, str]) -> float:
    """The share of true pairs that at least one of the model's blocking rules puts in front of it."""
    from splink import block_on

    from majal.registry.matching.dedup import PERSON_MODEL, prepare

    prepared = prepare(records, PERSON_MODEL).append_column(
        "entity", pa.array([truth[i] for i in records.column("id").to_pylist()], type=pa.string()))
    rules = " or ".join(f"({block_on(*rule).get_blocking_rule('duckdb').blocking_rule_sql})"
                        for rule in PERSON_MODEL.blocking)
    con = duckdb.connect()
    con.register("p", prepared)
    con.execute("create table t as select a.unique_id a, b.unique_id b from p a join p b "
                "on a.entity = b.entity and a.unique_id < b.unique_id")
    total, found = con.sql(
        f"select count(*), count(*) filter (where {rules}) from t "  # noqa: S608 - rules come from the model
        "join p l on l.unique_id = t.a join p r on r.unique_id = t.b").fetchall()[0]
    return float(found) / float(total)


def febrl_lines() -> list[str]:
    from majal.registry.matching import dedup

    def load(name: str, source: str | None = None) -> pa.Table:
        with (FEBRL / name).open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle, skipinitialspace=True))
        header = [column.strip() for column in rows[0]]
        columns = {column: [row[i].strip() for row in rows[1:]] for i, column in enumerate(header)}
        columns["id"] = columns.pop("rec_id")
        if source:
            columns["source"] = [source] * len(columns["id"])
        return pa.table(columns)

    lines = []
    for label, table, source in (
        ("FEBRL3 dedupe", load("dataset3.csv"), None),
        ("FEBRL4 link", pa.concat_tables([load("dataset4a.csv", "a"), load("dataset4b.csv", "b")]), "source"),
    ):
        started = time.perf_counter()
        resolution = dedup.resolve(table, dedup.FEBRL_MODEL, source=source, keep_blocked_pairs=True)
        elapsed = time.perf_counter() - started
        ids = table.column("id").to_pylist()
        truth = [record.split("-")[1] for record in ids]
        result = dedup.pairwise_scores(resolution.clusters.column("cluster_id").to_pylist(), truth)
        assert resolution.blocked is not None
        recall = dedup.blocking_recall(resolution.blocked, ids, truth)
        lines.append(f"{label}: {table.num_rows:,} records, {resolution.compared:,} pairs compared, blocking recall "
                     f"{recall:.4f}; precision {result.precision:.4f}, recall {result.recall:.4f}, "
                     f"F1 {result.f1:.4f} ({elapsed:.1f} s)")
    return lines


# ----------------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="synthetic records (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-baseline", action="store_true", help="skip Splink's defaults")
    parser.add_argument("--no-febrl", action="store_true", help="skip FEBRL3 and FEBRL4")
    parser.add_argument("--child", choices=("majal", "splink"), help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child = majal_child if args.child == "majal" else splink_child
        print(json.dumps(child(args.input, args.output)))
        return 0

    from majal.registry.matching.cli import sibling
    from majal.registry.matching.persons import synthesize

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    with tempfile.TemporaryDirectory(prefix="majal-dedup-bench-") as folder:
        work = Path(folder)
        people = work / "persons.csv"
        started = time.perf_counter()
        records = synthesize(args.n, args.seed)
        import pyarrow.csv as pacsv

        pacsv.write_csv(records.drop_columns(["person_id"]), people)
        truth = dict(zip(records.column("id").to_pylist(), records.column("person_id").to_pylist(), strict=True))
        print(f"data: {args.n:,} synthetic records of {len(set(truth.values())):,} persons (seed {args.seed}), "
              f"{people.stat().st_size / 2**20:.0f} MiB of CSV, written in {time.perf_counter() - started:.1f} s "
              "(not timed below)")
        recall = blocking_recall(records.drop_columns(["person_id"]), truth)

        output = work / "clusters.csv"
        ours = run_child("majal", people, output)
        steps = ", ".join(f"{name} {seconds:.1f}" for name, seconds in ours["timings"].items())
        print(f"majal registry dedup: {ours['seconds']:.1f} s end to end (goal ≤ 120 s; in the engine: {steps}), "
              f"peak memory {ours['peak_mb']:,.0f} MiB")
        print(f"  pairs compared {ours['compared']:,}; blocking recall {recall:.4f}; {ours['clusters']:,} clusters, "
              f"{ours['review']:,} items to review")
        print(f"  {scores(output, truth)}")
        pairs_rows = sum(1 for _ in sibling(output, "pairs").open(encoding="utf-8")) - 1
        print(f"  wrote {output.name}, {sibling(output, 'pairs').name} ({pairs_rows:,} pairs), "
              f"{sibling(output, 'review').name}")

        if not args.no_baseline:
            baseline_output = work / "splink_clusters.csv"
            theirs = run_child("splink", people, baseline_output)
            print(f"baseline, Splink with its default name comparisons: {theirs['seconds']:.1f} s, peak memory "
                  f"{theirs['peak_mb']:,.0f} MiB, pairs compared {theirs['compared']:,}")
            print(f"  {scores(baseline_output, truth)}")
    if not args.no_febrl:
        for line in febrl_lines():
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
