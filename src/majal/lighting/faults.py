"""Fault rules for one lamp state: out at night, lit by day, power far from what the lamp should draw.

Pure: the caller gives the night's dusk and dawn and the programme; the rules give fault codes. A grace period
around dusk and dawn covers photocells and clocks that switch a few minutes apart from the sun.
"""

from __future__ import annotations

from dataclasses import dataclass

from majal.lighting.energy import LOSS_FACTORS

GRACE_HOURS = 0.5
POWER_TOLERANCE = 0.30  # ±30 %: a failing sodium ballast or a cycling lamp draws far outside it
MIN_POWER_SHARE_ON = 0.10  # "on" but under a tenth of the expected power: the lamp is out


class Fault:
    out_at_night = "out_at_night"
    lit_by_day = "lit_by_day"
    power_deviation = "power_deviation"
    citizen_report = "citizen_report"


@dataclass(frozen=True)
class Expected:
    """What the lamp should do at that moment: hours are from the night's noon (see `sun`)."""

    hour: float
    dusk: float
    dawn: float
    level: float  # the programme's level then, percent (0 outside the night)

    @property
    def night(self) -> bool:
        return self.dusk + GRACE_HOURS <= self.hour <= self.dawn - GRACE_HOURS and self.level > 0

    @property
    def day(self) -> bool:
        return self.hour < self.dusk - GRACE_HOURS or self.hour > self.dawn + GRACE_HOURS


def expected_power_w(rated_w: float, technology: str, dimmable: bool, level: float) -> float:
    share = level / 100 if dimmable else (1.0 if level > 0 else 0.0)
    return rated_w * LOSS_FACTORS[technology] * share


def faults(on: bool, level: float, power_w: float, expected: Expected, rated_w: float, technology: str,
           dimmable: bool) -> list[str]:
    found = []
    lit = on and level > 0
    drawn = expected_power_w(rated_w, technology, dimmable, level) if lit else 0.0
    if expected.night and (not lit or power_w < MIN_POWER_SHARE_ON * drawn):
        found.append(Fault.out_at_night)
    elif expected.day and lit and power_w > 0:
        found.append(Fault.lit_by_day)
    elif lit and drawn > 0 and abs(power_w - drawn) > POWER_TOLERANCE * drawn:
        found.append(Fault.power_deviation)
    return found
