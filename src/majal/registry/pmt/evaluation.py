"""Targeting evaluation: whom a threshold on the score reaches, against the consumption a survey measured.

For a threshold and its comparator (`score <= 9.743001`), on households (each household counts once):

- selected: the households whose score passes the threshold;
- poor: by default the households whose true ln(consumption per person) passes the same threshold — the score is a
  prediction of it, so this is the group the threshold means to reach — or, with `poor_share`, the poorest such
  share of households by true consumption;
- exclusion error: share of the poor who are not selected;
- inclusion error: share of the selected who are not poor;
- coverage of a decile: share of its households selected, deciles of true consumption per person (1 = poorest; the
  household at position r of n from the poorest is in decile ⌊10 r / n⌋ + 1, ties in their given order); the bottom
  quintile is deciles 1 and 2;
- AUC: the probability that a poor household has a lower score than a household that is not poor (ties count half):
  1 is perfect ranking, 0.5 is a coin toss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from majal.kit.errors import MajalError
from majal.kit.i18n import N_


@dataclass(frozen=True)
class TargetingReport:
    label: str
    comparator: str
    threshold: float
    households: int
    poor: int
    selected: int
    exclusion_error: float | None  # None when nobody is poor
    inclusion_error: float | None  # None when nobody is selected
    coverage_bottom_quintile: float
    coverage_by_decile: tuple[float, ...]
    auc: float | None  # None when everyone or no one is poor


def _passes(values: np.ndarray, comparator: str, threshold: float) -> np.ndarray:
    return values <= threshold if comparator == "<=" else values < threshold


def consumption_ranks(consumption_pc: np.ndarray) -> np.ndarray:
    """0 for the poorest household, n − 1 for the richest (stable: ties keep their order)."""
    order = np.argsort(consumption_pc, kind="stable")
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def auc(scores: np.ndarray, poor: np.ndarray) -> float | None:
    """P(score of a poor household < score of a non-poor one) + ½ P(equal), by the Mann–Whitney rank sum."""
    n_poor = int(poor.sum())
    n_other = len(poor) - n_poor
    if n_poor == 0 or n_other == 0:
        return None
    ranks = pl.Series(scores).rank("average").to_numpy()  # 1 … n, ties share their mean rank
    rank_sum_other = float(ranks[~poor].sum())
    pairs_other_above = rank_sum_other - n_other * (n_other + 1) / 2
    return pairs_other_above / (n_poor * n_other)


def evaluate(
    scores: np.ndarray, consumption_pc: np.ndarray, *, threshold: float, comparator: str = "<=", label: str = "",
    poor_share: float | None = None,
) -> TargetingReport:
    """See the module docstring. `scores` and `consumption_pc` are aligned, one value per household."""
    scores = np.asarray(scores, dtype=np.float64)
    consumption_pc = np.asarray(consumption_pc, dtype=np.float64)
    n = len(scores)
    if n == 0 or len(consumption_pc) != n:
        raise MajalError(N_("Targeting needs at least one household with a score and a consumption."))
    if comparator not in ("<=", "<"):
        raise MajalError(N_("Expected one of: %(expected)s."), where="comparator", expected="<=, <")
    if poor_share is not None and not 0 < poor_share < 1:
        raise MajalError(N_("Must be more than 0 and less than 1."), where="poor_share")
    ranks = consumption_ranks(consumption_pc)
    selected = _passes(scores, comparator, threshold)
    if poor_share is None:
        poor = _passes(np.log(consumption_pc), comparator, threshold)
    else:
        poor = ranks < round(poor_share * n)
    decile = ranks * 10 // n
    quintile = ranks * 5 // n
    per_decile = tuple(float(selected[decile == d].mean()) if np.any(decile == d) else 0.0 for d in range(10))
    n_poor, n_selected = int(poor.sum()), int(selected.sum())
    return TargetingReport(
        label=label, comparator=comparator, threshold=threshold, households=n, poor=n_poor, selected=n_selected,
        exclusion_error=float((poor & ~selected).sum() / n_poor) if n_poor else None,
        inclusion_error=float((selected & ~poor).sum() / n_selected) if n_selected else None,
        coverage_bottom_quintile=float(selected[quintile == 0].mean()) if np.any(quintile == 0) else 0.0,
        coverage_by_decile=per_decile,
        auc=auc(scores, poor),
    )
