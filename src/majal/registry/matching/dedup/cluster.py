"""Clusters from the scored pairs: identifiers first, then the model's pairs strongest first, never joining two
different identifiers; what stays uncertain, or one person in two households, goes to the review queue."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from majal.registry.matching.dedup.model import Model, Resolution


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


def form_clusters(
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
