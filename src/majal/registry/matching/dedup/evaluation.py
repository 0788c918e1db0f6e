"""How good a clustering is: pairwise precision, recall and F1 against the truth, and the blocking rules' recall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa


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
