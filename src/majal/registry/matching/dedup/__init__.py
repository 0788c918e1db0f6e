"""Entity resolution: one person, one cluster, across Arabic and Latin spellings, at a million records.

A pure engine over Arrow tables (no web framework, no database session, no files):

1. **Deterministic rules first.**  Records that share an IDCS (10 digits) or a CNIE number are the same person.  Two
   records whose IDCS (or CNIE) differ are never merged, whatever the model says: such a pair goes to review.
2. **Probabilistic matching** (Fellegi–Sunter, with Splink on DuckDB) for everything else: blocking rules, comparisons
   on the Moroccan name keys of `matching.names` and on the names as written (Jaro-Winkler), birth date, sex, commune,
   phone; term-frequency adjustment on the name keys, so agreeing on "Mohammed" says less than agreeing on "Zemmouri".
   Training is deterministic: u by random sampling with a fixed seed (exact counts for exact agreements), m by
   expectation maximisation on fixed blocks, the trained parameters rounded before scoring.
3. **Clusters** from the pairs at or above `threshold`, joined strongest first (so an uncertain chain cannot merge two
   different identifiers), with each pair's probability; the pairs in the band [`review_from`, `threshold`) that
   stay in two clusters, clusters holding two identifiers, and one person in two households form the review queue.

The model is data (`Model`, `Field`): `splink_settings(model, "spark")` gives the same settings as a JSON-ready dict
for Splink's Spark backend, for when one machine is not enough.

Modules: `model` (the model as data), `settings` (its Splink settings), `preparation` (the records as the comparisons
read them), `resolution` (train, score, cluster), `cluster` (the clusters and the review queue), `evaluation`
(precision, recall, blocking recall) and `reading` (a persons CSV checked cell by cell).
"""

from majal.registry.matching.dedup.evaluation import Scores, blocking_recall, pairwise_scores
from majal.registry.matching.dedup.model import (
    FEBRL_MODEL,
    INPUT_COLUMNS,
    OPTIONAL_COLUMNS,
    PERSON_MODEL,
    Field,
    FieldKind,
    Model,
    Resolution,
)
from majal.registry.matching.dedup.preparation import CNIE, IDCS, national_id_kind, prepare, sex_code
from majal.registry.matching.dedup.reading import parse_persons_csv
from majal.registry.matching.dedup.resolution import resolve
from majal.registry.matching.dedup.settings import splink_settings

__all__ = [
    "CNIE",
    "FEBRL_MODEL",
    "IDCS",
    "INPUT_COLUMNS",
    "OPTIONAL_COLUMNS",
    "PERSON_MODEL",
    "Field",
    "FieldKind",
    "Model",
    "Resolution",
    "Scores",
    "blocking_recall",
    "national_id_kind",
    "pairwise_scores",
    "parse_persons_csv",
    "prepare",
    "resolve",
    "sex_code",
    "splink_settings",
]
