"""Targeting metrics against values worked out by hand on a table of ten households."""

from __future__ import annotations

import math

import numpy as np
import pytest

from majal.kit.errors import MajalError
from majal.registry.pmt import evaluation

# household k (1 … 10) consumes 1000·k MAD per person a year: household 1 is the poorest, each is its own decile
CONSUMPTION = np.array([1000.0 * k for k in range(1, 11)])
SCORES = np.array([8.0, 8.5, 9.9, 8.2, 8.3, 9.5, 8.9, 9.8, 10.1, 10.5])
THRESHOLD = math.log(4500)  # 8.4118: poor = households 1–4; selected = scores ≤ 8.4118 = households 1, 4, 5


def test_errors_coverage_and_auc_by_hand() -> None:
    report = evaluation.evaluate(SCORES, CONSUMPTION, threshold=THRESHOLD)
    assert (report.households, report.poor, report.selected) == (10, 4, 3)
    assert report.exclusion_error == 2 / 4  # households 2 and 3 are poor and left out
    assert report.inclusion_error == 1 / 3  # household 5 is selected and not poor
    assert report.coverage_bottom_quintile == 1 / 2  # of households 1 and 2, only 1
    assert report.coverage_by_decile == (1, 0, 0, 1, 1, 0, 0, 0, 0, 0)
    # pairs (poor, not poor) where the poor household scores lower: 8.0 → 6, 8.5 → 5 (not 8.3), 9.9 → 2, 8.2 → 6
    assert report.auc == pytest.approx(19 / 24)


def test_poor_as_the_poorest_share() -> None:
    report = evaluation.evaluate(SCORES, CONSUMPTION, threshold=THRESHOLD, poor_share=0.3)
    assert report.poor == 3  # households 1, 2, 3
    assert report.exclusion_error == 2 / 3  # 2 and 3
    assert report.inclusion_error == 2 / 3  # 4 and 5
    # pairs: 8.0 → 7, 8.5 → 5 (8.2 and 8.3 below), 9.9 → 2 (10.1, 10.5)
    assert report.auc == pytest.approx(14 / 21)


def test_ties_count_half_and_strict_comparators() -> None:
    scores = np.array([9.0, 9.0, 9.0, 9.0])
    consumption = np.array([1.0, 2.0, 3.0, 4.0])
    assert evaluation.auc(scores, np.array([True, True, False, False])) == 0.5
    assert evaluation.auc(np.array([1.0, 2.0, 2.0, 3.0]), np.array([True, True, False, False])) == (2 + 1.5) / 4
    report = evaluation.evaluate(scores, consumption, threshold=9.0, comparator="<", poor_share=0.5)
    assert (report.selected, report.exclusion_error, report.inclusion_error) == (0, 1.0, None)
    report = evaluation.evaluate(scores, consumption, threshold=9.0, comparator="<=", poor_share=0.5)
    assert (report.selected, report.exclusion_error, report.inclusion_error) == (4, 0.0, 0.5)


def test_perfect_targeting() -> None:
    report = evaluation.evaluate(np.log(CONSUMPTION), CONSUMPTION, threshold=THRESHOLD)
    assert (report.exclusion_error, report.inclusion_error, report.auc) == (0.0, 0.0, 1.0)


def test_deciles_of_a_larger_table() -> None:
    consumption = np.arange(1, 21, dtype=float)[::-1]  # richest first in the file
    scores = np.log(consumption)
    report = evaluation.evaluate(scores, consumption, threshold=math.log(6.5))
    assert report.coverage_by_decile == (1, 1, 1, 0, 0, 0, 0, 0, 0, 0)  # 2 households a decile; 1 … 6 selected
    assert report.coverage_bottom_quintile == 1.0


def test_nothing_to_evaluate() -> None:
    with pytest.raises(MajalError):
        evaluation.evaluate(np.array([]), np.array([]), threshold=9.0)
    assert evaluation.auc(np.array([1.0, 2.0]), np.array([True, True])) is None
