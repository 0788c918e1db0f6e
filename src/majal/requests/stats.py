"""The service-requests dashboard's figures, computed from plain columns with numpy (no web, no session).

Input: one row per request — service code, district code, status, requested_at, resolved_at, expected_at, lat, lon —
either as a list of tuples (`Columns.from_rows`) or as numpy arrays (`Columns.from_arrays`, or `Columns` itself with
categories already coded, as a data frame would hold them). Output: a frozen `DashboardData`.

Definitions:
- *open*: new, acknowledged or in progress; *overdue*: open and past its `expected_at`; the overdue share is
  overdue / open.
- *time to resolve*: `resolved_at − requested_at` of requests that are resolved or closed (a request reopened after a
  fix is open again and does not count); median and 90th percentile use linear interpolation (numpy's default).
- *resolved within SLA*: the share of those resolved requests whose `resolved_at` is not after `expected_at`.
- the monthly series covers the `months` calendar months (UTC) up to and including the one holding `now`: requests
  received in each month, and requests resolved (by `resolved_at`) in each month.
- the heat layer: open requests with a location, counted on a grid of `cell_degrees` (points are snapped to the
  grid's cell centres, so the layer shows where problems are without pinpointing anyone's door).

Everything is vectorised: one sort for the per-service percentiles, `bincount` for every count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from majal.requests.workflow import OPEN, Status

RESOLVED = frozenset({Status.resolved, Status.closed})
NO_DISTRICT = ""  # the district key of requests without a location inside the commune
DEFAULT_MONTHS = 12
DEFAULT_CELL_DEGREES = 0.0005  # about 55 m north-south at Morocco's latitudes

Row = tuple[str, str | None, str, datetime, datetime | None, datetime, float | None, float | None]
Times = npt.NDArray[np.datetime64]
Codes = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Columns:
    """Requests as columns. Categories are coded: `service[i]` indexes `service_keys`, and so on; times are
    `datetime64[s]` in UTC with NaT where missing; lat/lon are NaN where missing."""

    service_keys: tuple[str, ...]
    service: Codes
    district_keys: tuple[str, ...]
    district: Codes
    status_keys: tuple[str, ...]
    status: Codes
    requested_at: Times
    resolved_at: Times
    expected_at: Times
    lat: Floats
    lon: Floats

    def __len__(self) -> int:
        return len(self.service)

    @classmethod
    def from_rows(cls, rows: Sequence[Row]) -> Columns:
        """From `(service, district, status, requested_at, resolved_at, expected_at, lat, lon)` tuples; naive
        datetimes are taken as UTC (SQLite gives them back naive), a missing district as `NO_DISTRICT`."""
        service_keys, service = _factorize(row[0] for row in rows)
        district_keys, district = _factorize(row[1] or NO_DISTRICT for row in rows)
        status_keys, status = _factorize(str(row[2]) for row in rows)
        return cls(
            service_keys, service, district_keys, district, status_keys, status,
            _times(row[3] for row in rows), _times(row[4] for row in rows), _times(row[5] for row in rows),
            np.array([np.nan if row[6] is None else row[6] for row in rows], dtype=np.float64),
            np.array([np.nan if row[7] is None else row[7] for row in rows], dtype=np.float64),
        )

    @classmethod
    def from_arrays(cls, service: npt.ArrayLike, district: npt.ArrayLike, status: npt.ArrayLike,
                    requested_at: npt.ArrayLike, resolved_at: npt.ArrayLike, expected_at: npt.ArrayLike,
                    lat: npt.ArrayLike, lon: npt.ArrayLike) -> Columns:
        """From arrays of codes (strings) and `datetime64` values."""
        service_keys, service_codes = _unique(service)
        district_keys, district_codes = _unique(district)
        status_keys, status_codes = _unique(status)
        return cls(
            service_keys, service_codes, district_keys, district_codes, status_keys, status_codes,
            np.asarray(requested_at, dtype="datetime64[s]"), np.asarray(resolved_at, dtype="datetime64[s]"),
            np.asarray(expected_at, dtype="datetime64[s]"),
            np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64),
        )


@dataclass(frozen=True)
class GroupFigures:
    """One service's (or district's) figures."""

    key: str
    received: int
    open: int
    overdue: int
    resolved: int
    median_hours: float | None
    p90_hours: float | None
    within_sla_share: float | None


@dataclass(frozen=True)
class MonthFigures:
    month: datetime  # the first day of the month, 00:00 UTC
    received: int
    resolved: int


@dataclass(frozen=True, eq=False)
class DashboardData:
    now: datetime
    since: datetime  # the first day of the first month of the series
    total: int
    open: int
    overdue: int
    overdue_share: float | None  # None when nothing is open
    resolved: int
    median_hours: float | None  # None when nothing is resolved
    p90_hours: float | None
    within_sla_share: float | None
    by_status: tuple[tuple[str, int], ...]  # workflow order, statuses with at least one request
    by_service: tuple[GroupFigures, ...]  # most received first
    by_district: tuple[GroupFigures, ...]  # most received first
    months: tuple[MonthFigures, ...]  # oldest first
    heat: Floats  # shape (n, 3): latitude, longitude, open requests in that cell

    def heat_points(self) -> list[list[float]]:
        """`[[lat, lon, count], ...]`, as Leaflet.heat takes them."""
        return [[round(float(lat), 6), round(float(lon), 6), int(count)] for lat, lon, count in self.heat]


def window_start(now: datetime, months: int = DEFAULT_MONTHS) -> datetime:
    """The first instant (UTC) of the first of the `months` calendar months ending with the one holding `now`."""
    current = np.datetime64(_naive_utc(now), "M").astype(np.int64)
    first = np.datetime64(int(current) - (months - 1), "M").astype("datetime64[s]")
    return first.astype(datetime).replace(tzinfo=UTC)


def summarise(columns: Columns, now: datetime, months: int = DEFAULT_MONTHS,
              cell_degrees: float = DEFAULT_CELL_DEGREES) -> DashboardData:
    """Every figure of the dashboard, over the rows given (the caller chooses them: usually the requests received
    in the window plus older ones still open)."""
    now64 = np.datetime64(_naive_utc(now), "s")
    status_codes = columns.status
    open_mask = _in(status_codes, columns.status_keys, OPEN)
    resolved_mask = _in(status_codes, columns.status_keys, RESOLVED) & ~np.isnat(columns.resolved_at)
    overdue_mask = open_mask & (columns.expected_at < now64)  # NaT compares False
    hours = np.zeros(len(columns), dtype=np.float64)
    spent = (columns.resolved_at[resolved_mask] - columns.requested_at[resolved_mask]).astype(np.float64)
    hours[resolved_mask] = np.maximum(spent, 0.0) / 3600.0
    in_sla = resolved_mask & (columns.resolved_at <= columns.expected_at)

    open_count, overdue_count, resolved_count = int(open_mask.sum()), int(overdue_mask.sum()), int(resolved_mask.sum())
    overall = _quantiles(hours[resolved_mask])
    return DashboardData(
        now=now,
        since=window_start(now, months),
        total=len(columns),
        open=open_count,
        overdue=overdue_count,
        overdue_share=overdue_count / open_count if open_count else None,
        resolved=resolved_count,
        median_hours=overall[0],
        p90_hours=overall[1],
        within_sla_share=int(in_sla.sum()) / resolved_count if resolved_count else None,
        by_status=_by_status(columns),
        by_service=_groups(columns.service_keys, columns.service, open_mask, overdue_mask, resolved_mask, hours,
                           in_sla),
        by_district=_groups(columns.district_keys, columns.district, open_mask, overdue_mask, resolved_mask, hours,
                            in_sla),
        months=_months(columns, resolved_mask, now64, months),
        heat=_heat(columns.lat[open_mask], columns.lon[open_mask], cell_degrees),
    )


# --- the pieces --------------------------------------------------------------------------------------------------

def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _factorize(values: Iterable[str]) -> tuple[tuple[str, ...], Codes]:
    index: dict[str, int] = {}
    codes = np.fromiter((index.setdefault(value, len(index)) for value in values), dtype=np.int64)
    return tuple(index), codes


def _unique(values: npt.ArrayLike) -> tuple[tuple[str, ...], Codes]:
    keys, codes = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return tuple(str(key) for key in keys), codes.astype(np.int64).reshape(-1)


def _times(values: Iterable[datetime | None]) -> Times:
    return np.array([None if value is None else _naive_utc(value) for value in values], dtype="datetime64[s]")


def _in(codes: Codes, keys: tuple[str, ...], wanted: frozenset[Status]) -> npt.NDArray[np.bool_]:
    chosen = np.array([key in wanted for key in keys], dtype=bool)
    return chosen[codes] if len(keys) else np.zeros(len(codes), dtype=bool)


def _quantiles(values: Floats) -> tuple[float | None, float | None]:
    if not len(values):
        return None, None
    median, p90 = np.quantile(values, [0.5, 0.9])
    return float(median), float(p90)


def _by_status(columns: Columns) -> tuple[tuple[str, int], ...]:
    counts = np.bincount(columns.status, minlength=len(columns.status_keys))
    found = {key: int(count) for key, count in zip(columns.status_keys, counts, strict=True) if count}
    ordered: list[str] = [status.value for status in Status if status.value in found]
    ordered += sorted(key for key in found if key not in ordered)  # statuses this version does not know
    return tuple((key, found[key]) for key in ordered)


def _groups(keys: tuple[str, ...], codes: Codes, open_mask: npt.NDArray[np.bool_],
            overdue_mask: npt.NDArray[np.bool_], resolved_mask: npt.NDArray[np.bool_], hours: Floats,
            in_sla: npt.NDArray[np.bool_]) -> tuple[GroupFigures, ...]:
    size = len(keys)
    received = np.bincount(codes, minlength=size)
    opened = np.bincount(codes[open_mask], minlength=size)
    overdue = np.bincount(codes[overdue_mask], minlength=size)
    resolved = np.bincount(codes[resolved_mask], minlength=size)
    within = np.bincount(codes[in_sla], minlength=size)
    median, p90 = _group_quantiles(codes[resolved_mask], hours[resolved_mask], size, (0.5, 0.9))
    figures = [
        GroupFigures(
            key, int(received[i]), int(opened[i]), int(overdue[i]), int(resolved[i]),
            None if np.isnan(median[i]) else float(median[i]), None if np.isnan(p90[i]) else float(p90[i]),
            int(within[i]) / int(resolved[i]) if resolved[i] else None,
        )
        for i, key in enumerate(keys) if received[i]
    ]
    return tuple(sorted(figures, key=lambda group: (-group.received, group.key)))


def _group_quantiles(groups: Codes, values: Floats, size: int, levels: tuple[float, ...]) -> Floats:
    """Quantiles of `values` within each group, shape (len(levels), size); NaN for an empty group. One sort for
    every group, then numpy's linear interpolation between the two order statistics around each level."""
    result = np.full((len(levels), size), np.nan)
    if not len(values):
        return result
    order = np.lexsort((values, groups))
    ordered = values[order]
    counts = np.bincount(groups, minlength=size)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    present = counts > 0
    first, last = starts[present], counts[present] - 1
    for row, level in enumerate(levels):
        position = last * level
        low = np.floor(position).astype(np.int64)
        high = np.ceil(position).astype(np.int64)
        below, above = ordered[first + low], ordered[first + high]
        result[row, present] = below + (above - below) * (position - low)
    return result


def _months(columns: Columns, resolved_mask: npt.NDArray[np.bool_], now64: np.datetime64,
            months: int) -> tuple[MonthFigures, ...]:
    last = int(now64.astype("datetime64[M]").astype(np.int64))
    first = last - (months - 1)

    def per_month(moments: Times) -> npt.NDArray[np.int64]:
        index = moments[~np.isnat(moments)].astype("datetime64[M]").astype(np.int64) - first
        return np.bincount(index[(index >= 0) & (index < months)], minlength=months)

    received = per_month(columns.requested_at)
    resolved = per_month(columns.resolved_at[resolved_mask])
    return tuple(
        MonthFigures(np.datetime64(first + i, "M").astype("datetime64[s]").astype(datetime).replace(tzinfo=UTC),
                     int(received[i]), int(resolved[i]))
        for i in range(months)
    )


def _heat(lat: Floats, lon: Floats, cell: float) -> Floats:
    located = ~(np.isnan(lat) | np.isnan(lon))
    if not located.any():
        return np.empty((0, 3), dtype=np.float64)
    row = np.round(lat[located] / cell).astype(np.int64)  # |row|, |column| < 2**30 for any cell over 1e-6 degree
    column = np.round(lon[located] / cell).astype(np.int64)
    cells, counts = np.unique((row << 31) + (column + (1 << 30)), return_counts=True)
    rows, columns = cells >> 31, (cells & ((1 << 31) - 1)) - (1 << 30)
    return np.column_stack([rows * cell, columns * cell, counts]).astype(np.float64)
