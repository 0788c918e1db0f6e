"""The dashboard's engine on hand-made rows whose figures are known, and on edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from majal.requests import stats
from majal.requests.stats import NO_DISTRICT, Columns, summarise

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
H = timedelta(hours=1)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


# service, district, status, requested_at, resolved_at, expected_at, lat, lon
ROWS = [
    ("A", "D1", "resolved", at(2025, 6, 1), at(2025, 6, 1) + 10 * H, at(2025, 6, 2), None, None),  # 10 h, on time
    ("A", "D1", "closed", at(2025, 5, 1), at(2025, 5, 1) + 20 * H, at(2025, 5, 2), None, None),  # 20 h, on time
    ("A", "D2", "resolved", at(2025, 4, 1), at(2025, 4, 1) + 30 * H, at(2025, 4, 2), None, None),  # 30 h, late
    # SQLite gives naive datetimes back: they are UTC.
    ("B", "D2", "closed", datetime(2025, 3, 1), datetime(2025, 3, 1) + 40 * H, datetime(2025, 3, 3), None, None),
    # Received before the window (the caller passes it, e.g. because it was still open until recently).
    ("B", None, "resolved", at(2024, 1, 10), at(2024, 1, 10) + 50 * H, at(2024, 1, 12), None, None),
    ("B", "D1", "new", at(2025, 6, 10), None, at(2025, 6, 11), 34.92, -2.32),  # overdue
    ("B", "D1", "in_progress", at(2025, 6, 14), None, at(2025, 6, 20), 34.92004, -2.32004),  # same grid cell
    # An aware datetime in another zone: 2 June 00:30 at UTC+1 is 1 June 23:30 UTC.
    ("A", "D2", "acknowledged", at(2025, 6, 1), None, datetime(2025, 6, 2, 0, 30, tzinfo=timezone(H)), 34.93, -2.33),
    ("A", "D2", "rejected", at(2025, 5, 20), None, at(2025, 5, 21), None, None),
    # Reopened after a fix that did not hold: open again, its old resolved_at does not count.
    ("A", "D1", "in_progress", at(2025, 6, 12), at(2025, 6, 13), at(2025, 6, 16), None, None),
]


@pytest.fixture(scope="module")
def figures() -> stats.DashboardData:
    return summarise(Columns.from_rows(ROWS), NOW)


def test_counts(figures: stats.DashboardData) -> None:
    assert figures.total == 10
    assert figures.by_status == (("new", 1), ("acknowledged", 1), ("in_progress", 2), ("resolved", 3),
                                 ("closed", 2), ("rejected", 1))
    assert [(g.key, g.received, g.open, g.overdue, g.resolved) for g in figures.by_service] == [
        ("A", 6, 2, 1, 3), ("B", 4, 2, 1, 2)]
    assert [(g.key, g.received) for g in figures.by_district] == [("D1", 5), ("D2", 4), (NO_DISTRICT, 1)]


def test_time_to_resolve_and_deadlines(figures: stats.DashboardData) -> None:
    # Resolved in 10, 20, 30, 40 and 50 hours: median 30; 90th percentile 40 + 0.6 × 10.
    assert figures.resolved == 5
    assert figures.median_hours == pytest.approx(30)
    assert figures.p90_hours == pytest.approx(46)
    assert figures.within_sla_share == pytest.approx(3 / 5)
    a, b = figures.by_service
    assert (a.median_hours, a.p90_hours, a.within_sla_share) == (pytest.approx(20), pytest.approx(28),
                                                                 pytest.approx(2 / 3))
    assert (b.median_hours, b.p90_hours, b.within_sla_share) == (pytest.approx(45), pytest.approx(49),
                                                                 pytest.approx(1 / 2))


def test_overdue_share(figures: stats.DashboardData) -> None:
    assert (figures.open, figures.overdue) == (4, 2)
    assert figures.overdue_share == pytest.approx(0.5)


def test_monthly_series(figures: stats.DashboardData) -> None:
    assert figures.since == at(2024, 7, 1)
    assert figures.months[0].month == at(2024, 7, 1) and figures.months[-1].month == at(2025, 6, 1)
    by_month = {m.month.strftime("%Y-%m"): (m.received, m.resolved) for m in figures.months}
    assert len(by_month) == 12
    assert by_month["2025-03"] == (1, 1)
    assert by_month["2025-04"] == (1, 1)
    assert by_month["2025-05"] == (2, 1)
    assert by_month["2025-06"] == (5, 1)
    assert sum(received for received, _ in by_month.values()) == 9  # the January 2024 request is outside


def test_heat_counts_open_requests_on_a_grid(figures: stats.DashboardData) -> None:
    points = sorted(figures.heat_points())
    assert [count for _lat, _lon, count in points] == [2, 1]
    assert points[0][:2] == [pytest.approx(34.92), pytest.approx(-2.32)]


def test_empty_input() -> None:
    empty = summarise(Columns.from_rows([]), NOW)
    assert (empty.total, empty.open, empty.resolved) == (0, 0, 0)
    assert empty.overdue_share is None and empty.median_hours is None and empty.p90_hours is None
    assert empty.within_sla_share is None
    assert empty.by_status == () and empty.by_service == () and empty.by_district == ()
    assert len(empty.months) == 12 and all(m.received == m.resolved == 0 for m in empty.months)
    assert empty.heat_points() == []


def test_everything_still_open() -> None:
    rows = [("A", "D1", "new", at(2025, 6, day), None, at(2025, 6, day + 2), None, None) for day in range(1, 11)]
    figures = summarise(Columns.from_rows(rows), NOW)
    assert (figures.open, figures.overdue) == (10, 10)
    assert figures.overdue_share == 1.0
    assert figures.median_hours is None and figures.within_sla_share is None
    assert figures.by_service[0].median_hours is None
    assert figures.months[-1].received == 10


def test_per_group_quantiles_match_numpy() -> None:
    rng = np.random.default_rng(7)
    groups = rng.integers(0, 9, 5000)
    values = rng.lognormal(3, 1, 5000)
    found = stats._group_quantiles(groups, values, 10, (0.5, 0.9))
    for group in range(9):
        assert found[:, group] == pytest.approx(np.quantile(values[groups == group], [0.5, 0.9]))
    assert np.isnan(found[:, 9]).all()  # a group without values


def test_arrays_and_rows_give_the_same_figures(figures: stats.DashboardData) -> None:
    def column(index: int) -> list:
        return [row[index] for row in ROWS]

    def times(index: int) -> np.ndarray:
        return np.array([None if value is None else stats._naive_utc(value) for value in column(index)],
                        dtype="datetime64[s]")

    from_arrays = summarise(Columns.from_arrays(
        column(0), [value or NO_DISTRICT for value in column(1)], column(2), times(3), times(4), times(5),
        [np.nan if value is None else value for value in column(6)],
        [np.nan if value is None else value for value in column(7)]), NOW)
    assert from_arrays.by_service == figures.by_service
    assert from_arrays.by_district == figures.by_district
    assert from_arrays.months == figures.months
    assert (from_arrays.median_hours, from_arrays.overdue_share) == (figures.median_hours, figures.overdue_share)
