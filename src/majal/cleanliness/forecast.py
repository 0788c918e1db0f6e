"""How full a container will be: a linear fill rate since it was last emptied. A pure engine over plain numbers.

A reading that drops by more than `EMPTIED_DROP` from the one before means the container was emptied in between;
the rate is the least-squares slope of the readings since then (at least two), else the slope from empty at the last
emptying to the latest reading, else unknown. The forecast never goes above 1 (a full container overflows; it does
not hold more) nor below the latest reading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

EMPTIED_DROP = 0.3
DAY = 86400.0


@dataclass(frozen=True)
class Forecast:
    fill: float | None  # expected fill at the moment asked, 0..1 (None without any reading)
    rate_per_day: float | None  # fill gained per day (None when unknown)
    emptied_at: datetime | None  # last emptying seen in the readings, if any
    last_fill: float | None
    last_at: datetime | None


def last_emptying(readings: Sequence[tuple[datetime, float]]) -> int:
    """Index of the first reading after the last emptying (0 when none is seen)."""
    start = 0
    for index in range(1, len(readings)):
        if readings[index - 1][1] - readings[index][1] > EMPTIED_DROP:
            start = index
    return start


def forecast(readings: Sequence[tuple[datetime, float]], at: datetime,
             emptied_at: datetime | None = None) -> Forecast:
    """The fill expected at `at`, from readings sorted by time and the last known emptying (e.g. a collection)."""
    before = [r for r in readings if emptied_at is not None and r[0] < emptied_at]
    readings = [r for r in readings if emptied_at is None or r[0] >= emptied_at]
    if not readings:
        if emptied_at is None or not before:
            return Forecast(None, None, emptied_at, None, None)
        # Emptied since the last reading: it fills again as fast as it did before.
        rate = _rate(before[last_emptying(before):], None)
        if rate is None:
            return Forecast(None, None, emptied_at, None, None)
        days = max((at - emptied_at).total_seconds(), 0.0) / DAY
        return Forecast(float(min(rate * days, 1.0)), rate, emptied_at, 0.0, emptied_at)
    start = last_emptying(readings)
    since = readings[start:]
    last_at, last_fill = since[-1]
    if start > 0:
        emptied_at = readings[start - 1][0]  # somewhere between these two readings; the earlier is cautious
    rate = _rate(since, emptied_at)
    if rate is None:
        return Forecast(last_fill, None, emptied_at, last_fill, last_at)
    expected = last_fill + rate * max((at - last_at).total_seconds(), 0.0) / DAY
    return Forecast(float(min(max(expected, last_fill), 1.0)), rate, emptied_at, last_fill, last_at)


def _rate(since: Sequence[tuple[datetime, float]], emptied_at: datetime | None) -> float | None:
    if len(since) >= 2:
        days = np.array([(moment - since[0][0]).total_seconds() / DAY for moment, _ in since])
        fills = np.array([fill for _, fill in since])
        if np.ptp(days) > 0:
            slope = float(np.polyfit(days, fills, 1)[0])
            return float(max(slope, 0.0))
    if emptied_at is not None:
        elapsed = (since[-1][0] - emptied_at).total_seconds() / DAY
        if elapsed > 0:
            return max(float(since[-1][1]) / elapsed, 0.0)
    return None
