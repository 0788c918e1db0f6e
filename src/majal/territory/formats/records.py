"""What a territory file holds once checked, its limits, and the problem it raises."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shapely.geometry import MultiPolygon

from majal.kit.errors import MajalError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_POPULATION = 10_000_000
MAX_NAME_LENGTH = 200
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")
GEOPACKAGE_LAYER = "districts"


@dataclass(frozen=True)
class CommuneInfo:
    code: str
    name_ar: str
    name_fr: str
    name_en: str
    centre_lon: float | None = None
    centre_lat: float | None = None


@dataclass(frozen=True)
class DistrictFeature:
    code: str
    name_ar: str
    name_fr: str
    name_en: str
    population: int
    geometry: MultiPolygon  # WGS84 lon/lat, valid, exterior rings counter-clockwise (RFC 7946)


@dataclass(frozen=True)
class TerritoryFile:
    commune: CommuneInfo | None
    districts: list[DistrictFeature]


class TerritoryProblem(MajalError):
    """A problem in a territory file. `where` locates it in JSON-path style, e.g. 'features[3].geometry
    (code=D03)', so it needs no translation."""

    code = "invalid_territory"

    def __init__(self, message: str, where: str | None = None, **params: Any) -> None:
        super().__init__(message, where=where, **params)

    def text(self, translate: Callable[[str], str] | None = None) -> str:
        """The message with its parameters filled, translated by `translate` (a gettext) when given."""
        template = translate(self.message) if translate else self.message
        return template % self.params if self.params else template


def shown(value: Any) -> str:
    """A short, safe rendering of an unexpected value for a message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
