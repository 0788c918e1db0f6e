"""The window of dates people and devices may give."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from majal.kit import clock
from majal.kit.errors import MajalError

TODAY = date(2026, 12, 3)


def test_days_from_2000_to_a_year_ahead() -> None:
    assert clock.check_day(date(2000, 1, 1), "day", latest=clock.latest_day(TODAY)) == date(2000, 1, 1)
    assert clock.check_day(date(2027, 12, 4), "day", latest=clock.latest_day(TODAY)) == date(2027, 12, 4)
    for day in (date(1999, 12, 31), date(2027, 12, 5), date(9999, 12, 31), date(1, 1, 1)):
        with pytest.raises(MajalError) as refused:
            clock.check_day(day, "day", latest=clock.latest_day(TODAY))
        assert str(refused.value) == "day: Enter a date from 2000-01-01 to 2027-12-04."


def test_moments_are_compared_before_they_are_converted() -> None:
    latest = datetime(2026, 12, 3, 12, tzinfo=UTC)
    east = timezone(timedelta(hours=14))
    assert clock.check_moment(datetime(2026, 12, 4, 1, tzinfo=east), "at", latest=latest) == datetime(
        2026, 12, 3, 11, tzinfo=UTC)
    assert clock.check_moment(datetime(2026, 5, 1), "at", latest=latest).tzinfo is UTC  # naive counts as UTC
    for moment in (datetime(1, 1, 1, tzinfo=east), datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12))),
                   datetime(2026, 12, 4, 2, 0, 1, tzinfo=east), datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)):
        with pytest.raises(MajalError, match=r"at: Enter a date from 2000-01-01 to 2026-12-03\."):
            clock.check_moment(moment, "at", latest=latest)


@pytest.mark.parametrize(("year", "month", "ok"), [
    (2000, 1, True), (2026, 12, True), (2027, 1, True), (2027, 2, False), (1999, 12, False), (9999, 12, False),
    (2026, 13, False), (2026, 0, False),
])
def test_months_from_2000_to_one_ahead(year: int, month: int, ok: bool) -> None:
    if ok:
        assert clock.check_month(year, month, "period", today=TODAY) == date(year, month, 1)
    else:
        with pytest.raises(MajalError, match=r"period: Enter a month from 2000-01 to 2027-01\."):
            clock.check_month(year, month, "period", today=TODAY)


def test_december_looks_ahead_into_the_next_year() -> None:
    assert clock.check_month(2027, 1, "period", today=date(2026, 12, 31)) == date(2027, 1, 1)
    with pytest.raises(MajalError, match="2027-01"):
        clock.check_month(2027, 2, "period", today=date(2026, 12, 31))


def test_to_utc_clamps_what_utc_cannot_hold() -> None:
    assert clock.to_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))) == datetime.min.replace(tzinfo=UTC)
    late = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-12)))
    assert clock.to_utc(late) == datetime.max.replace(tzinfo=UTC)
    assert clock.to_utc(datetime(2026, 5, 1, 14, tzinfo=timezone(timedelta(hours=14)))) == datetime(
        2026, 5, 1, tzinfo=UTC)
