"""Resolving: the model trained (deterministically) and scored with Splink on DuckDB, then the pairs clustered."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from majal.registry.matching.dedup.cluster import form_clusters
from majal.registry.matching.dedup.model import PERSON_MODEL, Model, Resolution
from majal.registry.matching.dedup.preparation import column_strings, prepare
from majal.registry.matching.dedup.settings import settings_creator


def resolve(
    records: pa.Table,
    model: Model = PERSON_MODEL,
    *,
    seed: int = 0,
    source: str | None = None,
    keep_blocked_pairs: bool = False,
    on_step: Callable[[str], None] | None = None,
    threads: int | None = None,
) -> Resolution:
    """Cluster `records` (an `id` column plus the model's columns, all strings) into persons.

    `source` names a column holding two values (two lists to link, each free of duplicates: FEBRL4); without it the
    records are deduplicated.  `keep_blocked_pairs` also returns every pair the blocking rules compared (to measure
    their recall).  `on_step` hears "prepare", "train", "score", "cluster" as each starts.
    """
    from splink import DuckDBAPI, Linker, block_on
    from splink.internals.exceptions import EMTrainingException

    clock = _Clock(on_step)
    clock.step("prepare")
    ids = column_strings(records, "id")
    prepared = prepare(records, model)
    link = source is not None
    if records.num_rows < 2:  # nothing to compare
        clock.step("cluster")
        empty = pa.table({"unique_id_l": pa.array([], pa.int64()), "unique_id_r": pa.array([], pa.int64()),
                          "match_probability": pa.array([], pa.float64()), "match_weight": pa.array([], pa.float64())})
        resolution = form_clusters(ids, prepared, empty, model, column_strings(records, "household_id"))
        clock.step("")
        resolution.timings = clock.timings
        return resolution
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    try:
        db_api = DuckDBAPI(connection=connection)
        if source is not None:
            sources = column_strings(records, source)
            names = sorted({value for value in sources if value is not None})
            if len(names) != 2:
                raise ValueError("linking needs exactly two sources")
            mask = pa.array([value == names[0] for value in sources])
            inputs = [
                db_api.register(prepared.filter(mask), dataset_display_name="list_a"),
                db_api.register(prepared.filter(pc.invert(mask)), dataset_display_name="list_b"),
            ]
        else:
            inputs = [db_api.register(prepared, dataset_display_name="records")]
        frames: Any = inputs if link else inputs[0]
        logging.getLogger("splink").setLevel(logging.ERROR)
        linker = Linker(frames, settings_creator(model, link=link), log_level=None)

        clock.step("train")
        linker.training.estimate_probability_two_random_records_match(
            [block_on(*rule) for rule in model.deterministic], recall=model.deterministic_recall)
        linker.training.estimate_u_using_random_sampling(max_pairs=model.u_pairs, seed=seed, min_count_per_level=None)
        settings = _exact_u(linker.misc.save_model_to_json(), connection, [frame.physical_name for frame in inputs])
        # A short list may have no pair agreeing on the deterministic rules: then take one match in a thousand pairs.
        settings["probability_two_random_records_match"] = settings["probability_two_random_records_match"] or 1e-3
        linker = Linker(frames, settings, log_level=None)
        for rule in model.training:
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), estimate_without_term_frequencies=True, max_pairs=model.em_pairs)
            except EMTrainingException:
                continue  # a short list may have no pair in a training block: its comparisons keep Splink's priors
        # Parallel sums make the last bits of the trained parameters vary from run to run; rounded, they do not,
        # and the same records always give the same pairs, probabilities and clusters.
        trained = _rounded(linker.misc.save_model_to_json())
        linker = Linker(frames, trained, log_level=None)

        clock.step("score")
        table = linker.inference.predict().physical_name
        # Table and column names below come from Splink and the model, never from the records.
        compared = int(connection.sql(f"select count(*) from {table}").fetchall()[0][0])  # noqa: S608
        candidates = _arrow(connection.sql(
            f"select unique_id_l, unique_id_r, match_probability, match_weight from {table} "  # noqa: S608
            f"where match_probability >= {float(model.review_from)!r} order by unique_id_l, unique_id_r"))
        blocked = None
        if keep_blocked_pairs:
            blocked_ids = _arrow(connection.sql(f"select unique_id_l, unique_id_r from {table}"))  # noqa: S608
            id_array = pa.array(ids, type=pa.string())
            blocked = pa.table({"id_l": pc.take(id_array, blocked_ids.column(0)),
                                "id_r": pc.take(id_array, blocked_ids.column(1))})
    finally:
        connection.close()

    clock.step("cluster")
    resolution = form_clusters(ids, prepared, candidates, model, column_strings(records, "household_id"))
    clock.step("")
    resolution.compared = compared
    resolution.timings = clock.timings
    resolution.blocked = blocked
    resolution.model_json = trained
    return resolution


class _Clock:
    def __init__(self, on_step: Callable[[str], None] | None):
        self.on_step = on_step
        self.timings: dict[str, float] = {}
        self.current = ""
        self.started = time.perf_counter()

    def step(self, name: str) -> None:
        now = time.perf_counter()
        if self.current:
            self.timings[self.current] = now - self.started
        self.current, self.started = name, now
        if name and self.on_step is not None:
            self.on_step(name)


_EXACT_LEVEL = re.compile(r'^"?(\w+)_l"? = "?(\w+)_r"?$')


def _exact_u(settings: dict[str, Any], connection: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, Any]:
    """Replace the sampled u of each exact-match level by its exact value, counted over every pair of records.

    Random sampling draws its pairs from a few thousand records, so its u for a skewed column (communes, common
    names) can be a third off; expectation maximisation then drifts far from the truth, because the excess agreement
    among non-matches has to be explained by matches.  An exact match on one column is counted exactly from value
    frequencies; the other levels keep their sampled shares of what remains.
    """
    for comparison in settings["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        match = _EXACT_LEVEL.match(levels[0]["sql_condition"]) if levels else None
        if match is None or match[1] != match[2] or levels[0].get("fix_u_probability"):
            continue
        column = match[1]
        if len(tables) == 1:
            agreeing, total = connection.sql(
                f'select sum(n * (n - 1)), sum(n) * (sum(n) - 1) from (select count(*) n from {tables[0]} '  # noqa: S608
                f'where "{column}" is not null group by "{column}")').fetchall()[0]
        else:
            agreeing, total = connection.sql(
                f'select sum(l.n * r.n), (select count("{column}") from {tables[0]}) * '  # noqa: S608
                f'(select count("{column}") from {tables[1]}) from '
                f'(select "{column}" v, count(*) n from {tables[0]} where "{column}" is not null group by 1) l join '
                f'(select "{column}" v, count(*) n from {tables[1]} where "{column}" is not null group by 1) r '
                f'on l.v = r.v').fetchall()[0]
        if not total or agreeing is None:
            continue
        exact = max(float(agreeing) / float(total), 1e-9)
        rest = [level for level in levels[1:] if level.get("u_probability") is not None]
        share = sum(level["u_probability"] for level in rest)
        levels[0]["u_probability"] = exact
        for level in rest:
            level["u_probability"] = level["u_probability"] / share * (1.0 - exact) if share else None
    return settings


def _rounded(settings: dict[str, Any], digits: int = 9) -> dict[str, Any]:
    def significant(value: float) -> float:
        return float(f"{value:.{digits}g}")

    if settings.get("probability_two_random_records_match"):
        settings["probability_two_random_records_match"] = significant(settings["probability_two_random_records_match"])
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            for key in ("m_probability", "u_probability"):
                if level.get(key) is not None:
                    level[key] = significant(level[key])
    return settings


def _arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # DuckDB 2 renamed it
    table: pa.Table = fetch()
    return table
