"""Districts in a GeoPackage (one layer, EPSG:4326), written and read back with the GeoJSON checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely

from majal.territory.formats.reading import check_crs, parse_document
from majal.territory.formats.records import GEOPACKAGE_LAYER, DistrictFeature


def write_geopackage(path: str | Path, districts: list[DistrictFeature]) -> None:
    """Write a GeoPackage with one layer, "districts" (EPSG:4326, MultiPolygon), replacing any such file."""
    import pyogrio.raw  # imported here: GDAL loads slowly and most callers never write GeoPackages

    Path(path).unlink(missing_ok=True)
    pyogrio.raw.write(
        str(path),
        geometry=np.array([shapely.to_wkb(d.geometry) for d in districts], dtype=object),
        field_data=[
            np.array([d.code for d in districts], dtype=object),
            np.array([d.name_ar for d in districts], dtype=object),
            np.array([d.name_fr for d in districts], dtype=object),
            np.array([d.name_en for d in districts], dtype=object),
            np.array([d.population for d in districts], dtype=np.int64),
        ],
        fields=["code", "name_ar", "name_fr", "name_en", "population"],
        layer=GEOPACKAGE_LAYER,
        driver="GPKG",
        geometry_type="MultiPolygon",
        crs="EPSG:4326",
        encoding="UTF-8",
    )


def read_geopackage(path: str | Path) -> list[DistrictFeature]:
    """Read the "districts" layer of a GeoPackage and check it exactly like a GeoJSON file."""
    import pyogrio.raw

    meta, _fids, geometries, fields = pyogrio.raw.read(str(path), layer=GEOPACKAGE_LAYER)
    check_crs({"type": "name", "properties": {"name": meta.get("crs") or "unknown"}})
    columns = {name: values.tolist() for name, values in zip(meta["fields"], fields, strict=True)}
    shapes = shapely.from_wkb(geometries)
    features = [
        {
            "type": "Feature",
            "properties": {name: values[i] for name, values in columns.items()},
            "geometry": shapely.geometry.mapping(shape) if shape is not None else None,
        }
        for i, shape in enumerate(shapes)
    ]
    return parse_document({"type": "FeatureCollection", "features": features}).districts
