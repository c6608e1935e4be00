"""WGS 84 (storage, GeoJSON) and SWEREF 99 TM (metres, clustering)."""

from __future__ import annotations

from functools import lru_cache

import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

WGS84 = 4326
SWEREF99TM = 3006

# GeoNames position of Vänersborg; the default service area is centred here.
VANERSBORG_LON = 12.3234
VANERSBORG_LAT = 58.3808


@lru_cache(maxsize=2)
def _transformer(source: int, target: int) -> Transformer:
    # always_xy keeps (lon, lat) order whatever the CRS axis order says.
    return Transformer.from_crs(source, target, always_xy=True)


def to_sweref(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, _transformer(WGS84, SWEREF99TM).transform, interleaved=False)


def to_wgs84(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, _transformer(SWEREF99TM, WGS84).transform, interleaved=False)


def lonlat_to_sweref(lon: float, lat: float) -> tuple[float, float]:
    x, y = _transformer(WGS84, SWEREF99TM).transform(lon, lat)
    return float(x), float(y)


def sweref_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _transformer(SWEREF99TM, WGS84).transform(x, y)
    return float(lon), float(lat)
