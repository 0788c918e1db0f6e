"""When the sun sets and rises over the commune, night by night (astral), as hours from each day's local noon.

Counting from local noon keeps a night in one piece (dusk ≈ 7 h, midnight ≈ 12 h, dawn ≈ 18 h) and turns the whole
year into two arrays that the dimming and energy engines use without dates. Hours are real elapsed hours, so a
night across a change of legal time is as long as the sun made it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from astral import Observer
from astral.sun import dawn, dusk

TIMEZONE = ZoneInfo("Africa/Casablanca")
# Civil twilight (sun 6° below the horizon): photocells and astronomical clocks switch near it, and it gives the
# ~4,000 lit hours a year lighting designers count at Morocco's latitudes.
DEPRESSION_DEGREES = 6.0


@dataclass(frozen=True)
class Nights:
    """Every night of a period: the evening's date, dusk and next dawn in hours from that date's local noon."""

    dates: list[date]
    noons: list[datetime]  # aware, the origin of each night's hours
    dusk: np.ndarray
    dawn: np.ndarray
    _clock: dict[tuple[int, int], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.dates)

    @property
    def months(self) -> np.ndarray:
        """The month (1–12) each night starts in."""
        return np.array([day.month for day in self.dates], dtype=np.int64)

    def clock_hours(self, hour: int, minute: int) -> np.ndarray:
        """A wall-clock time on each night, as hours from its noon (afternoon and evening times are that day's,
        morning times the next day's). Programmes share a few clock times: each is worked out once."""
        known = self._clock.get((hour, minute))
        if known is not None:
            return known
        hours = np.empty(len(self.dates))
        for index, (day, noon) in enumerate(zip(self.dates, self.noons, strict=True)):
            when_day = day if hour >= 12 else day + timedelta(days=1)
            moment = datetime.combine(when_day, time(hour, minute), TIMEZONE)
            hours[index] = (moment - noon).total_seconds() / 3600
        hours.flags.writeable = False
        self._clock[(hour, minute)] = hours
        return hours


def nights(lat: float, lon: float, first: date, count: int) -> Nights:
    observer = Observer(latitude=lat, longitude=lon)
    dates = [first + timedelta(days=offset) for offset in range(count)]
    noons = [datetime.combine(day, time(12), TIMEZONE) for day in dates]
    dusks, dawns = np.empty(count), np.empty(count)
    for index, (day, noon) in enumerate(zip(dates, noons, strict=True)):
        evening = dusk(observer, day, tzinfo=UTC, depression=DEPRESSION_DEGREES)
        morning = dawn(observer, day + timedelta(days=1), tzinfo=UTC, depression=DEPRESSION_DEGREES)
        dusks[index] = (evening - noon).total_seconds() / 3600
        dawns[index] = (morning - noon).total_seconds() / 3600
    return Nights(dates, noons, dusks, dawns)


def year_nights(lat: float, lon: float, year: int) -> Nights:
    return nights(lat, lon, date(year, 1, 1), (date(year + 1, 1, 1) - date(year, 1, 1)).days)
