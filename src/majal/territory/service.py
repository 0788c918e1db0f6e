"""The commune's territory: importing and exporting districts, and finding the district of a point."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy.orm import Session

from majal.kit import audit
from majal.kit.errors import MajalError, NotFound
from majal.kit.geo import first_covering, geodesic_area_m2, valid_lon_lat
from majal.kit.i18n import N_, localized_name
from majal.territory import formats, repository
from majal.territory.models import Commune, District

COORDINATE_DECIMALS = 7  # about 1 cm: more is noise


@dataclass(frozen=True)
class ImportResult:
    commune_code: str
    created: int
    updated: int


@dataclass(frozen=True)
class Overview:
    commune: Commune | None
    districts: list[District]

    @property
    def population(self) -> int:
        return sum(district.population for district in self.districts)


def import_territory(db: Session, data: bytes, actor: str = "cli") -> ImportResult:
    """Validate a GeoJSON file completely, then add or update its districts in one transaction."""
    parsed = formats.parse_territory(data)
    return save_territory(db, parsed, actor)


def save_territory(db: Session, parsed: formats.TerritoryFile, actor: str) -> ImportResult:
    commune = _target_commune(db, parsed)
    existing = {district.code: district for district in commune.districts}
    incoming = {feature.code for feature in parsed.districts}
    kept = [_as_feature(district) for code, district in existing.items() if code not in incoming]
    formats.check_no_overlaps(kept + list(parsed.districts))
    created = 0
    for feature in parsed.districts:
        district = existing.get(feature.code)
        if district is None:
            district = District(code=feature.code)
            commune.districts.append(district)
            created += 1
        _fill(district, feature)
    if parsed.commune is None or parsed.commune.centre_lon is None:
        _centre_on_districts(commune)
    db.flush()
    result = ImportResult(commune.code, created, len(parsed.districts) - created)
    audit.record(
        db,
        actor,
        "territory.import",
        "commune",
        commune.code,
        {"created": result.created, "updated": result.updated},
    )
    return result


def _target_commune(db: Session, parsed: formats.TerritoryFile) -> Commune:
    info = parsed.commune
    if info is None:
        communes = repository.communes(db)
        if len(communes) != 1:
            raise MajalError(
                N_(
                    'The file does not name its commune: add a top-level "commune" member with '
                    "code, name_ar, name_fr and name_en."
                ),
                where="commune",
            )
        return communes[0]
    commune = repository.commune_by_code(db, info.code)
    if commune is None:
        commune = Commune(code=info.code, centre_lon=0.0, centre_lat=0.0)
        db.add(commune)
    commune.name_ar, commune.name_fr, commune.name_en = info.name_ar, info.name_fr, info.name_en
    if info.centre_lon is not None and info.centre_lat is not None:
        commune.centre_lon, commune.centre_lat = info.centre_lon, info.centre_lat
    return commune


def _fill(district: District, feature: formats.DistrictFeature) -> None:
    district.name_ar, district.name_fr, district.name_en = feature.name_ar, feature.name_fr, feature.name_en
    district.population = feature.population
    district.geometry = feature.geometry
    district.area_m2 = geodesic_area_m2(feature.geometry)
    district.min_lon, district.min_lat, district.max_lon, district.max_lat = feature.geometry.bounds


def _centre_on_districts(commune: Commune) -> None:
    union = shapely.union_all([district.geometry for district in commune.districts])
    centre = union.point_on_surface()
    commune.centre_lon, commune.centre_lat = centre.x, centre.y


def _as_feature(district: District) -> formats.DistrictFeature:
    return formats.DistrictFeature(
        code=district.code,
        name_ar=district.name_ar,
        name_fr=district.name_fr,
        name_en=district.name_en,
        population=district.population,
        geometry=district.geometry,
    )


def overview(db: Session) -> Overview:
    communes = repository.communes(db)
    commune = communes[0] if communes else None
    return Overview(commune, repository.districts(db, commune.id) if commune else [])


def locate(db: Session, lon: float, lat: float) -> District:
    """The district a point falls in (a point on a shared edge goes to the district with the lowest code)."""
    if not valid_lon_lat(lon, lat):
        raise MajalError(N_("Longitude must be between -180 and 180 and latitude between -90 and 90."))
    candidates = repository.districts_with_box_around(db, lon, lat)
    index = first_covering([district.geometry for district in candidates], lon, lat)
    if index is None:
        raise NotFound(N_("This point is outside the commune's districts."))
    return candidates[index]


def district_by_code(db: Session, code: str) -> District | None:
    return repository.district_by_code(db, code.strip())


@dataclass(frozen=True)
class CommuneSummary:
    code: str
    name: str  # in the reader's language
    name_ar: str
    name_fr: str
    name_en: str
    centre: tuple[float, float]  # longitude, latitude
    population: int
    district_count: int


@dataclass(frozen=True)
class DistrictFigures:
    code: str
    name: str  # in the reader's language
    name_ar: str
    name_fr: str
    name_en: str
    population: int
    area_km2: float
    density_per_km2: float


@dataclass(frozen=True)
class DistrictShape:
    id: str  # the district's code
    geometry: dict[str, Any]  # GeoJSON, WGS84, rounded to COORDINATE_DECIMALS
    properties: DistrictFigures


def commune_summary(db: Session) -> CommuneSummary:
    current = overview(db)
    commune = current.commune
    if commune is None:
        raise NotFound(N_("No commune has been set up yet."))
    return CommuneSummary(
        code=commune.code,
        name=localized_name(commune),
        name_ar=commune.name_ar,
        name_fr=commune.name_fr,
        name_en=commune.name_en,
        centre=(commune.centre_lon, commune.centre_lat),
        population=current.population,
        district_count=len(current.districts),
    )


def district_figures(district: District) -> DistrictFigures:
    area_km2 = district.area_m2 / 1e6
    return DistrictFigures(
        code=district.code,
        name=localized_name(district),
        name_ar=district.name_ar,
        name_fr=district.name_fr,
        name_en=district.name_en,
        population=district.population,
        area_km2=round(area_km2, 3),
        density_per_km2=round(district.population / area_km2, 1) if area_km2 else 0.0,
    )


def district_shapes(db: Session) -> list[DistrictShape]:
    """The commune's districts with their outlines, for a map (an RFC 7946 FeatureCollection)."""
    return [
        DistrictShape(
            id=district.code,
            geometry=mapping(shapely.set_precision(district.geometry, 10**-COORDINATE_DECIMALS)),
            properties=district_figures(district),
        )
        for district in overview(db).districts
    ]


def export_features(db: Session) -> tuple[formats.CommuneInfo | None, list[formats.DistrictFeature]]:
    current = overview(db)
    info = None
    if current.commune is not None:
        commune = current.commune
        info = formats.CommuneInfo(
            commune.code,
            commune.name_ar,
            commune.name_fr,
            commune.name_en,
            commune.centre_lon,
            commune.centre_lat,
        )
    return info, [_as_feature(district) for district in current.districts]


def export_geojson(db: Session) -> dict[str, Any]:
    info, features = export_features(db)
    return formats.feature_collection(features, info)


def export_geopackage(db: Session, path: Path) -> int:
    _info, features = export_features(db)
    if not features:
        raise MajalError(N_("There are no districts to export yet."))
    formats.write_geopackage(path, features)
    return len(features)
