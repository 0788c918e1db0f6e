"""The pure engines, checked against figures computed by hand: sun times, programmes, energy, retrofits, faults."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pytest

from majal.kit.i18n import language
from majal.lighting import energy, faults, programmes, sun
from majal.lighting.programmes import ProgrammeProblem, Step

BERKANE = (34.92, -2.32)
ECO50 = "dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100"


def one_night(dusk: float = 7.0, dawn: float = 19.0, day: date = date(2026, 11, 20)) -> sun.Nights:
    """A night with dusk at 19:00 and dawn at 07:00 local time (hours from the evening's noon)."""
    return sun.Nights([day], [datetime.combine(day, time(12), sun.TIMEZONE)], np.array([dusk]), np.array([dawn]))


def test_equinox_night_is_twelve_hours_minus_two_civil_twilights() -> None:
    # At 35° N the sun sinks 15°/h × cos 35° = 12.29°/h at the equinox: 6° of twilight take 29.3 min each side,
    # so civil dusk to civil dawn lasts 12 h − 2 × 0.488 h = 11.02 h.
    nights = sun.nights(*BERKANE, date(2026, 3, 20), 1)
    assert nights.dawn[0] - nights.dusk[0] == pytest.approx(11.02, abs=0.1)


def test_year_of_nights_has_about_4000_lit_hours_and_longer_winter_nights() -> None:
    nights = sun.year_nights(*BERKANE, 2026)
    length = nights.dawn - nights.dusk
    assert len(nights) == 365
    assert 3950 < length.sum() < 4150
    assert length[nights.dates.index(date(2026, 12, 21))] > length[nights.dates.index(date(2026, 6, 21))] + 4


def test_clock_hours_count_from_the_evening_noon() -> None:
    night = one_night()
    assert night.clock_hours(23, 0)[0] == pytest.approx(11.0)
    assert night.clock_hours(5, 0)[0] == pytest.approx(17.0)


def test_one_lamp_one_night_one_programme() -> None:
    # 19:00–23:00 at 100 % (4 h), 23:00–05:00 at 50 % (6 h × 0.5), 05:00–07:00 at 100 % (2 h): 9 weighted hours,
    # 12 lit hours.
    night = one_night()
    weighted, lit = programmes.night_profile(programmes.parse_text(ECO50), night)
    assert (weighted[0], lit[0]) == pytest.approx((9.0, 12.0))
    profiles = energy.Profiles(weighted[None, :], lit[None, :], night.months)
    lamps = energy.Lamps(np.array([100.0, 100.0]), np.array([2, 0]), np.array([True, False]), np.array([0, 0]))
    kwh = energy.monthly_kwh(lamps, profiles)
    # Dimmable LED: 100 W × 1.08 × 9 h = 0.972 kWh; sodium on a plain ballast burns at full power: 100 × 1.12 × 12.
    assert kwh[0, 10] == pytest.approx(0.972)
    assert kwh[1, 10] == pytest.approx(1.344)
    assert kwh.sum() == pytest.approx(0.972 + 1.344)


def test_costs_and_group_totals() -> None:
    kwh = np.array([[10.0, 0.0], [5.0, 5.0], [1.0, 1.0]])
    totals = energy.group_totals(kwh, np.array([1, 0, 1]), 2)
    assert totals.tolist() == [[5.0, 5.0], [11.0, 1.0]]
    priced = energy.cost(np.array([1000.0]), 1.2, 0.7)
    assert (priced.mad[0], priced.co2_t[0]) == pytest.approx((1200.0, 0.7))


def test_retrofit_savings_and_payback() -> None:
    # Ten 150 W sodium lamps, 365 nights of 12 lit hours (9 weighted): 150 × 1.12 × 12 × 365 = 735.84 kWh a lamp;
    # a 60 W dimmable LED: 60 × 1.08 × 9 × 365 = 212.868 kWh; saving 522.972 kWh × 1.2 MAD = 627.5664 MAD a year;
    # 3,000 MAD a lamp pays back in 3000 / 627.5664 = 4.7804 years.
    months = np.repeat(np.arange(1, 13), 31)[:365]
    profiles = energy.Profiles(np.full((1, 365), 9.0), np.full((1, 365), 12.0), months)
    lamps = energy.Lamps(np.full(12, 150.0), np.array([0] * 10 + [2, 2]), np.array([False] * 10 + [True] * 2),
                         np.zeros(12, dtype=np.int64))
    chosen = lamps.technology == 0
    result = energy.retrofit(lamps, profiles, chosen, 60.0, 3000.0, 1.2, 0.7, horizon_years=5)
    assert result.lamps == 10
    assert result.kwh_before == pytest.approx(7358.4)
    assert result.kwh_after == pytest.approx(2128.68)
    assert result.savings_mad == pytest.approx(6275.664)
    assert result.payback_years == pytest.approx(4.7804, abs=1e-4)
    assert result.co2_saved_t == pytest.approx(5229.72 * 0.7 / 1000)
    assert result.cumulative_mad[0] == -30000 and result.cumulative_mad[5] == pytest.approx(-30000 + 5 * 6275.664)


def test_a_retrofit_that_saves_nothing_never_pays_back() -> None:
    profiles = energy.Profiles(np.full((1, 31), 9.0), np.full((1, 31), 12.0), np.ones(31, dtype=np.int64))
    lamps = energy.Lamps(np.array([20.0]), np.array([2]), np.array([True]), np.array([0]))
    assert energy.retrofit(lamps, profiles, np.array([True]), 40.0, 1000.0, 1.2, 0.7).payback_years is None


def test_programme_text_round_trips() -> None:
    steps = programmes.parse_text("dusk+10-23:00@100, 23:00 - 05:00 @ 50%, 05:00-dawn-15@100")
    assert steps == [Step("dusk+10", "23:00", 100), Step("23:00", "05:00", 50), Step("05:00", "dawn-15", 100)]
    assert programmes.parse_text(programmes.to_text(steps)) == steps


@pytest.fixture(scope="module")
def year() -> sun.Nights:
    return sun.year_nights(*BERKANE, 2026)


def test_a_good_programme_passes_every_night(year: sun.Nights) -> None:
    assert programmes.validate(programmes.parse_text(ECO50), year)


BAD_PROGRAMMES = {
    "overlap": ("dusk-23:00@100, 22:00-dawn@50", "Steps 1 and 2 overlap"),
    "gap": ("dusk-23:00@100, 23:30-dawn@50", "Steps 1 and 2 leave a gap"),
    "reversed in summer": ("dusk-23:00@100, 23:00-05:30@50, 05:30-dawn@100", "Step 3 (05:30 to dawn) ends before"),
    "not from dusk": ("20:00-dawn@100", "first step must start at dusk"),
    "not to dawn": ("dusk-05:00@100", "last step must end at dawn"),
    "level": ("dusk-dawn@150", "between 0 and 100"),
    "bad boundary": ("dusk-25:00@100", "is not written as START-END@LEVEL"),
    "empty": ("", "at least one step"),
}


@pytest.mark.parametrize("case", sorted(BAD_PROGRAMMES))
def test_bad_programmes_are_refused_with_a_reason(year: sun.Nights, case: str) -> None:
    text, words = BAD_PROGRAMMES[case]
    with pytest.raises(ProgrammeProblem) as refused:
        programmes.validate(programmes.parse_text(text), year)
    with language("en"):
        assert words in refused.value.translated()


def test_the_summer_refusal_names_a_june_night(year: sun.Nights) -> None:
    # Civil dawn at Berkane around the June solstice is near 05:26 local time: a step from 05:30 to dawn is reversed.
    with pytest.raises(ProgrammeProblem) as refused:
        programmes.validate(programmes.parse_text("dusk-05:30@100, 05:30-dawn@100"), year)
    assert refused.value.params["date"][:7] in ("2026-05", "2026-06", "2026-07")


def test_level_at_follows_the_steps() -> None:
    steps, night = programmes.parse_text(ECO50), one_night()
    assert [programmes.level_at(steps, night, 0, hour) for hour in (6.0, 8.0, 12.0, 18.0, 20.0)] == [0, 100, 50,
                                                                                                       100, 0]


def expect(hour: float, level: float) -> faults.Expected:
    return faults.Expected(hour, 7.0, 19.0, level)


def test_fault_rules() -> None:
    # A 150 W sodium lamp should draw 150 × 1.12 = 168 W whenever it is on.
    assert faults.faults(False, 0, 0, expect(12.0, 50), 150, "hps", False) == ["out_at_night"]
    assert faults.faults(True, 100, 3.0, expect(12.0, 50), 150, "hps", False) == ["out_at_night"]
    assert faults.faults(True, 100, 168, expect(1.0, 0), 150, "hps", False) == ["lit_by_day"]
    assert faults.faults(True, 100, 300, expect(12.0, 100), 150, "hps", False) == ["power_deviation"]
    assert faults.faults(True, 100, 170, expect(12.0, 100), 150, "hps", False) == []
    # A dimmed LED at 50 % of 100 W draws 54 W: right; at dusk's grace period an unlit lamp is not yet a fault.
    assert faults.faults(True, 50, 54, expect(12.0, 50), 100, "led", True) == []
    assert faults.faults(False, 0, 0, expect(7.2, 100), 100, "led", True) == []
    assert faults.faults(False, 0, 0, expect(2.0, 0), 100, "led", True) == []
