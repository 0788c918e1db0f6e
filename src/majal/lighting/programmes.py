"""Dimming programmes: steps from dusk to dawn, each at a light level, and what they mean night by night.

A boundary is `dusk` or `dawn`, optionally shifted by minutes (`dusk+15`, `dawn-30`), or a wall-clock time
(`23:00`). A programme must run from its first boundary to its last without a gap or an overlap on every night of
the year: clock times move against the sun, so a step that is fine in winter can be empty or reversed in June, and
that is refused with the date it breaks on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from majal.kit.errors import MajalError
from majal.kit.i18n import N_
from majal.lighting.sun import Nights

BOUNDARY = re.compile(
    r"^(?:(?P<anchor>dusk|dawn)(?P<offset>[+-]\d{1,3})?|(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d))$")
STEP_TEXT = re.compile(r"^\s*(?P<span>[^@]+?)\s*@\s*(?P<level>\d{1,3})\s*%?\s*$")
MAX_STEPS = 12
MAX_OFFSET_MINUTES = 180


@dataclass(frozen=True)
class Step:
    start: str
    end: str
    level: float  # percent, 0–100


class ProgrammeProblem(MajalError):
    code = "invalid_programme"


def parse_text(text: str) -> list[Step]:
    """`dusk-23:00@100, 23:00-05:00@50, 05:00-dawn@100` → steps (checked by `validate`)."""
    steps = []
    for number, part in enumerate((p for p in text.split(",") if p.strip()), start=1):
        match = STEP_TEXT.match(part)
        span = _split_span(match["span"]) if match else None
        if match is None or span is None:
            raise ProgrammeProblem(N_("Step %(number)s is not written as START-END@LEVEL, e.g. dusk-23:00@100."),
                                   where="steps", number=number)
        steps.append(Step(span[0], span[1], float(match["level"])))
    return steps


def _split_span(span: str) -> tuple[str, str] | None:
    """`dawn-30-dawn` → (dawn-30, dawn): the dash that leaves a boundary on both sides."""
    text = span.replace(" ", "").replace("–", "-").replace("→", "-")
    for index, char in enumerate(text):
        if char == "-" and BOUNDARY.match(text[:index]) and BOUNDARY.match(text[index + 1:]):
            return text[:index], text[index + 1:]
    return None


def from_json(steps: list[dict[str, Any]]) -> list[Step]:
    return [Step(str(step["start"]), str(step["end"]), float(step["level"])) for step in steps]


def to_json(steps: list[Step]) -> list[dict[str, Any]]:
    return [{"start": step.start, "end": step.end, "level": step.level} for step in steps]


def to_text(steps: list[Step]) -> str:
    return ", ".join(f"{step.start}-{step.end}@{step.level:g}" for step in steps)


def boundary_hours(boundary: str, nights: Nights) -> np.ndarray:
    """A boundary on every night, in hours from each night's noon."""
    match = BOUNDARY.match(boundary)
    if match is None:
        raise ProgrammeProblem(N_("%(boundary)s is not a boundary: write dusk, dawn, dusk+15, dawn-30 or a time "
                                  "such as 23:00."), where="steps", boundary=boundary)
    if match["anchor"]:
        offset = int(match["offset"] or 0)
        if abs(offset) > MAX_OFFSET_MINUTES:
            raise ProgrammeProblem(N_("%(boundary)s: an offset from dusk or dawn is at most %(limit)s minutes."),
                                   where="steps", boundary=boundary, limit=MAX_OFFSET_MINUTES)
        base = nights.dusk if match["anchor"] == "dusk" else nights.dawn
        return base + offset / 60
    return nights.clock_hours(int(match["hour"]), int(match["minute"]))


def validate(steps: list[Step], nights: Nights) -> list[Step]:
    """Refuse a programme with no step, a level out of 0–100, a step that starts at or after its end, or two
    steps that leave a gap or overlap, on any night of `nights`."""
    if not steps:
        raise ProgrammeProblem(N_("A programme needs at least one step."), where="steps")
    if len(steps) > MAX_STEPS:
        raise ProgrammeProblem(N_("A programme has at most %(limit)s steps."), where="steps", limit=MAX_STEPS)
    if not BOUNDARY.match(steps[0].start) or not steps[0].start.startswith("dusk"):
        raise ProgrammeProblem(N_("The first step must start at dusk (or dusk shifted by minutes)."), where="steps")
    if not BOUNDARY.match(steps[-1].end) or not steps[-1].end.startswith("dawn"):
        raise ProgrammeProblem(N_("The last step must end at dawn (or dawn shifted by minutes)."), where="steps")
    bounds = []
    for number, step in enumerate(steps, start=1):
        if not 0 <= step.level <= 100:
            raise ProgrammeProblem(N_("Step %(number)s: the level must be between 0 and 100 %%."), where="steps",
                                   number=number)
        start, end = boundary_hours(step.start, nights), boundary_hours(step.end, nights)
        reversed_on = np.flatnonzero(end <= start)
        if reversed_on.size:
            raise ProgrammeProblem(N_("Step %(number)s (%(start)s to %(end)s) ends before it starts on the night "
                                      "of %(date)s."), where="steps", number=number, start=step.start,
                                   end=step.end, date=_night(nights, int(reversed_on[0])))
        bounds.append((start, end))
    for number in range(1, len(steps)):
        _check_joined(steps, bounds, number, nights)
    return steps


def _check_joined(steps: list[Step], bounds: list[tuple[np.ndarray, np.ndarray]], number: int,
                  nights: Nights) -> None:
    previous_end, start = bounds[number - 1][1], bounds[number][0]
    overlap = np.flatnonzero(start < previous_end - 1e-9)
    if overlap.size:
        raise ProgrammeProblem(N_("Steps %(first)s and %(second)s overlap on the night of %(date)s: step "
                                  "%(second)s starts at %(start)s, before step %(first)s ends at %(end)s."),
                               where="steps", first=number, second=number + 1, start=steps[number].start,
                               end=steps[number - 1].end, date=_night(nights, int(overlap[0])))
    gap = np.flatnonzero(start > previous_end + 1e-9)
    if gap.size:
        raise ProgrammeProblem(N_("Steps %(first)s and %(second)s leave a gap on the night of %(date)s: step "
                                  "%(first)s ends at %(end)s and step %(second)s starts at %(start)s."),
                               where="steps", first=number, second=number + 1, start=steps[number].start,
                               end=steps[number - 1].end, date=_night(nights, int(gap[0])))


def _night(nights: Nights, index: int) -> str:
    return nights.dates[index].isoformat()


def night_profile(steps: list[Step], nights: Nights) -> tuple[np.ndarray, np.ndarray]:
    """Per night: level-weighted hours Σ(level × hours) with level as a fraction, and hours lit at any level."""
    weighted = np.zeros(len(nights))
    lit = np.zeros(len(nights))
    for step in steps:
        hours = np.clip(boundary_hours(step.end, nights) - boundary_hours(step.start, nights), 0, None)
        weighted += step.level / 100 * hours
        if step.level > 0:
            lit += hours
    return weighted, lit


def level_at(steps: list[Step], nights: Nights, index: int, hour: float) -> float:
    """The programme's level at `hour` of night `index` (0 outside every step)."""
    for step in steps:
        start = float(boundary_hours(step.start, nights)[index])
        end = float(boundary_hours(step.end, nights)[index])
        if start <= hour < end:
            return step.level
    return 0.0
