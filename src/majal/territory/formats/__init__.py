"""Territory files: read and check district GeoJSON, write GeoJSON and GeoPackage.

A pure engine: bytes in, dataclasses out, no web framework and no database. Every problem is a
`TerritoryProblem` carrying an English msgid (marked with `N_`) and its parameters, so the caller shows it in
the user's language. Everything is checked before anything is returned: a bad file never half-imports.

records (what a file holds, its limits, the problem type) · reading (bytes → FeatureCollection → districts) ·
geometry (rings, positions, validity) · overlaps · geojson (writing) · geopackage (writing and reading).
"""

from __future__ import annotations

from majal.territory.formats.geojson import feature_collection
from majal.territory.formats.geopackage import read_geopackage, write_geopackage
from majal.territory.formats.overlaps import check_no_overlaps
from majal.territory.formats.reading import WGS84_CRS_NAMES, check_size, parse_territory
from majal.territory.formats.records import (
    CODE_PATTERN,
    GEOPACKAGE_LAYER,
    MAX_FILE_BYTES,
    MAX_NAME_LENGTH,
    MAX_POPULATION,
    CommuneInfo,
    DistrictFeature,
    TerritoryFile,
    TerritoryProblem,
)

__all__ = [
    "CODE_PATTERN",
    "GEOPACKAGE_LAYER",
    "MAX_FILE_BYTES",
    "MAX_NAME_LENGTH",
    "MAX_POPULATION",
    "WGS84_CRS_NAMES",
    "CommuneInfo",
    "DistrictFeature",
    "TerritoryFile",
    "TerritoryProblem",
    "check_no_overlaps",
    "check_size",
    "feature_collection",
    "parse_territory",
    "read_geopackage",
    "write_geopackage",
]
