"""Matching in the registry's database: one person, one record. This is what other domains call (social cases,
learning) to find who a person of their lists is.

Lists of persons without registry identifiers (Jisr referrals, training sign-ups, legacy municipal and NGO lists) are
stored with their national ids sealed beside keyed digests, like members (`lists`). A matching run (`run`) takes a
commune's members and its list persons not yet merged, and gives them to the entity-resolution engine
(`dedup.resolve`): the same IDCS or CNIE digest links two records for certain, then the Fellegi–Sunter model scores the
rest. Pairs at or above the model's threshold are linked (the list person merged into its survivor); pairs in the
uncertain band, alike records holding two identifiers and one person found in two households go to a review queue
(`views`). A social worker of the commune (or a programme officer) decides "same person" or "different people" with a
reason; every merge keeps both records as they were, and an undo restores them exactly (`merges`). Every read of the
queue's personal data is audit-logged; `access` says who may see which records.
"""

from majal.registry.matching.service.access import check_commune, pair_for, scope
from majal.registry.matching.service.lists import NATIONAL_ID_PURPOSE, import_list
from majal.registry.matching.service.merges import (
    DECISIONS,
    SNAPSHOT_FIELDS,
    decide,
    merge_for,
    merge_pair,
    snapshot,
    undo_merge,
)
from majal.registry.matching.service.run import WEB_RUN_LIMIT, RunResult, run_matching
from majal.registry.matching.service.views import (
    QUEUE_PAGE,
    REASON_LABELS,
    REASONS,
    STATUS_LABELS,
    STATUSES,
    PairRow,
    PairView,
    Queue,
    Side,
    pair_rows,
    pair_view,
    queue,
    runs,
)

__all__ = [
    "DECISIONS",
    "NATIONAL_ID_PURPOSE",
    "QUEUE_PAGE",
    "REASONS",
    "REASON_LABELS",
    "SNAPSHOT_FIELDS",
    "STATUSES",
    "STATUS_LABELS",
    "WEB_RUN_LIMIT",
    "PairRow",
    "PairView",
    "Queue",
    "RunResult",
    "Side",
    "check_commune",
    "decide",
    "import_list",
    "merge_for",
    "merge_pair",
    "pair_for",
    "pair_rows",
    "pair_view",
    "queue",
    "run_matching",
    "runs",
    "scope",
    "snapshot",
    "undo_merge",
]
