"""The time now, and the window of dates people and devices may give: one check for readings, emptyings, plans and
cycles, so that a mistyped year (0202, 9999) is refused with the allowed range instead of stored or crashing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from majal.kit.errors import MajalError
from majal.kit.i18n import N_

EARLIEST_DAY = date(2000, 1, 1)  # nothing the commune records happened before
AHEAD = timedelta(days=366)  # plans and cycles are made at most a year ahead
OUTSIDE_WINDOW = N_("Enter a date from %(earliest)s to %(latest)s.")
OUTSIDE_MONTHS = N_("Enter a month from %(earliest)s to %(latest)s.")


def utcnow() -> datetime:
    return datetime.now(UTC)


def latest_day(today: date | None = None) -> date:
    return (today or utcnow().date()) + AHEAD


def check_day(day: date, where: str, *, latest: date | None = None) -> date:
    """`day`, if from 2000-01-01 to `latest` (a year from today unless given); else a refusal naming the range."""
    last = latest or latest_day()
    if not EARLIEST_DAY <= day <= last:
        raise MajalError(OUTSIDE_WINDOW, where=where, earliest=EARLIEST_DAY.isoformat(), latest=last.isoformat())
    return day


def check_moment(moment: datetime, where: str, *, latest: datetime | None = None) -> datetime:
    """`moment` in UTC (naive counts as UTC), if from 2000-01-01 to `latest` (a year from now unless given).

    Compared before it is converted: 0001-01-01T00:00+14:00 or 9999-12-31T23:59-12:00 has no UTC datetime."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    first = datetime.combine(EARLIEST_DAY, time(0), tzinfo=UTC)
    last = latest or utcnow() + AHEAD
    if not first <= aware <= last:
        raise MajalError(OUTSIDE_WINDOW, where=where, earliest=EARLIEST_DAY.isoformat(),
                         latest=last.date().isoformat())
    return aware.astimezone(UTC)


def check_month(year: int, month: int, where: str, *, months_ahead: int = 1, today: date | None = None) -> date:
    """The first day of the month, if from 2000-01 to `months_ahead` months after this one."""
    now = today or utcnow().date()
    last_index = now.year * 12 + now.month - 1 + months_ahead
    last_year, last_month = divmod(last_index, 12)
    if not 1 <= month <= 12 or not (EARLIEST_DAY.year, 1) <= (year, month) <= (last_year, last_month + 1):
        raise MajalError(OUTSIDE_MONTHS, where=where, earliest=EARLIEST_DAY.strftime("%Y-%m"),
                         latest=f"{last_year:04d}-{last_month + 1:02d}")
    return date(year, month, 1)


def to_utc(moment: datetime) -> datetime:
    """`moment` in UTC, for comparing instants (naive counts as UTC); an instant beyond what datetime holds in UTC
    (year 1 east of Greenwich, year 9999 west of it) becomes the earliest or latest datetime."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return aware.astimezone(UTC)
    except OverflowError:
        return (datetime.min if aware.year == 1 else datetime.max).replace(tzinfo=UTC)
