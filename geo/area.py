"""The service area: the polygon inside which reports are accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.base import BaseGeometry

from geo.crs import VANERSBORG_LAT, VANERSBORG_LON, lonlat_to_sweref, to_wgs84

DEFAULT_HALF_SIDE_M = 2000.0


class AreaError(ValueError):
    """The configured service-area file cannot be used."""


@dataclass(frozen=True)
class ServiceArea:
    polygon: BaseGeometry  # WGS 84 lon/lat

    def __post_init__(self) -> None:
        shapely.prepare(self.polygon)

    def contains(self, geom: BaseGeometry) -> bool:
        return bool(self.polygon.covers(geom))

    def contains_xy(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.polygon, lon, lat)) or bool(
            self.polygon.covers(shapely.Point(lon, lat))
        )

    @property
    def wkt(self) -> str:
        return str(self.polygon.wkt)

    def geojson(self) -> dict[str, object]:
        return dict(shapely.geometry.mapping(self.polygon))


def default_area() -> ServiceArea:
    """A 4 km x 4 km square in SWEREF 99 TM around central Vänersborg."""
    x, y = lonlat_to_sweref(VANERSBORG_LON, VANERSBORG_LAT)
    half = DEFAULT_HALF_SIDE_M
    square = box(x - half, y - half, x + half, y + half)
    # Densify so the square stays a square-ish shape after reprojection.
    return ServiceArea(to_wgs84(square.segmentize(100.0)))


def load_area(path: Path | None) -> ServiceArea:
    """Read a GeoJSON Polygon (bare, Feature, or one-feature collection)."""
    if path is None:
        return default_area()
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise AreaError(f"cannot read service area {path}: {exc}") from exc
    if data.get("type") == "FeatureCollection":
        features = data.get("features") or []
        if len(features) != 1:
            raise AreaError("service area FeatureCollection must hold exactly one feature")
        data = features[0]
    if data.get("type") == "Feature":
        data = data.get("geometry") or {}
    geom = shape(data)
    if not isinstance(geom, Polygon) or not geom.is_valid or geom.is_empty:
        raise AreaError("service area must be one valid GeoJSON Polygon in WGS 84")
    return ServiceArea(geom)
