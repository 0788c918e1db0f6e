"""Yearly public-lighting energy for 100,000 lamps on 1,000 cabinets, each with its own dimming programme, night by
night, against a per-lamp Python loop.

    .venv/bin/python bench/lighting_energy.py
    .venv/bin/python bench/lighting_energy.py --lamps 20000 --cabinets 200

Timed: dusk and dawn for every night of the year at Berkane (astral), each cabinet's programme turned into level-
weighted and lit hours night by night, then kWh per lamp per month (majal.lighting.energy) and the totals by cabinet.
Baseline: the same formula written as the obvious loop — for each lamp, for each night, for each step — run on 1,000
lamps and scaled up to the full count. Both must give the same kWh. The goal is at most 2 s for 100,000 lamps.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from majal.lighting import energy, programmes, sun

BERKANE = (34.92, -2.32)
YEAR = 2026
BASELINE_LAMPS = 1_000


def fleet(lamps: int, cabinets: int, seed: int = 1) -> tuple[energy.Lamps, list[list[programmes.Step]]]:
    rng = np.random.default_rng(seed)
    technology = rng.choice(3, size=lamps, p=[0.6, 0.1, 0.3])
    power = np.choose(technology, [rng.choice([100.0, 150.0, 250.0], lamps), rng.choice([250.0, 400.0], lamps),
                                   rng.choice([40.0, 60.0, 90.0, 120.0], lamps)])
    lamp_arrays = energy.Lamps(power, technology, technology == 2, rng.integers(0, cabinets, lamps))
    plans = []
    for _ in range(cabinets):  # every cabinet its own dimming hours and levels
        down, up = f"{int(rng.integers(22, 24)):02d}:{int(rng.choice([0, 30])):02d}", f"0{int(rng.integers(3, 5))}:00"
        plans.append([programmes.Step("dusk", down, 100.0), programmes.Step(down, up, float(rng.choice([30, 50, 70]))),
                      programmes.Step(up, "dawn", 100.0)])
    return lamp_arrays, plans


def vectorised(lamps: energy.Lamps, plans: list[list[programmes.Step]], cabinets: int) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    nights = sun.year_nights(*BERKANE, YEAR)
    profiles = [programmes.night_profile(plan, nights) for plan in plans]
    prepared = energy.Profiles(np.array([p[0] for p in profiles]), np.array([p[1] for p in profiles]), nights.months)
    kwh = energy.monthly_kwh(lamps, prepared)
    energy.group_totals(kwh, lamps.programme, cabinets)
    return kwh, time.perf_counter() - started


def loop(lamps: energy.Lamps, plans: list[list[programmes.Step]], count: int) -> tuple[np.ndarray, float]:
    """The formula as one would first write it: per lamp, per night, per step."""
    started = time.perf_counter()
    nights = sun.year_nights(*BERKANE, YEAR)
    kwh = np.zeros((count, 12))
    for lamp in range(count):
        socket = lamps.power_w[lamp] * energy.LOSS_BY_CODE[lamps.technology[lamp]] / 1000
        for night in range(len(nights)):
            one = sun.Nights([nights.dates[night]], [nights.noons[night]], nights.dusk[night:night + 1],
                             nights.dawn[night:night + 1])
            hours = 0.0
            for step in plans[lamps.programme[lamp]]:
                length = max(float(programmes.boundary_hours(step.end, one)[0]
                                   - programmes.boundary_hours(step.start, one)[0]), 0.0)
                level = step.level / 100 if lamps.dimmable[lamp] else (1.0 if step.level > 0 else 0.0)
                hours += level * length
            kwh[lamp, nights.dates[night].month - 1] += socket * hours
    return kwh, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lamps", type=int, default=100_000)
    parser.add_argument("--cabinets", type=int, default=1_000)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    lamps, plans = fleet(args.lamps, args.cabinets)
    kwh, seconds = vectorised(lamps, plans, args.cabinets)
    print(f"vectorised: {args.lamps:,} lamps × 365 nights, {args.cabinets:,} programmes: {seconds:.2f} s "
          f"(goal ≤ 2 s) — {kwh.sum() / 1e6:,.2f} GWh a year")
    sample = min(BASELINE_LAMPS, args.lamps)
    expected, loop_seconds = loop(lamps, plans, sample)
    scaled = loop_seconds * args.lamps / sample
    assert np.allclose(expected, kwh[:sample]), "the loop and the vectorised model disagree"
    print(f"per-lamp Python loop: {sample:,} lamps in {loop_seconds:.2f} s, scaled to {args.lamps:,}: {scaled:,.0f} s "
          f"— {scaled / seconds:,.0f}× slower; same kWh on the {sample:,} lamps")


if __name__ == "__main__":
    main()
