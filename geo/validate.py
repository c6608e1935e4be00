"""Turn a GeoJSON geometry from a resident into a checked Shapely geometry.

Every refusal raises `GeometryError` with a message a person can act on. The
checks run on the raw JSON before Shapely sees it, so NaN, strings, 3-D
positions and oversize inputs never reach GEOS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from geo.area import ServiceArea

ACCEPTED_TYPES = ("Point", "LineString", "Polygon")
REFUSED_TYPES = ("MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection")
GEOMETRY_MEMBERS = {"type", "coordinates", "bbox"}


class GeometryError(ValueError):
    """The geometry cannot be accepted; the message says why."""


@dataclass(frozen=True)
class CheckedGeometry:
    shape: BaseGeometry

    @property
    def geom_type(self) -> str:
        return str(self.shape.geom_type)

    @property
    def wkb(self) -> bytes:
        return bytes(shapely.to_wkb(self.shape, output_dimension=2))

    @property
    def ewkb_hex(self) -> str:
        """Hex EWKB with SRID 4326, the text form COPY accepts for geometry."""
        with_srid = shapely.set_srid(self.shape, 4326)
        return str(shapely.to_wkb(with_srid, hex=True, include_srid=True, output_dimension=2))


class _Counter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def add(self, n: int) -> None:
        self.count += n
        if self.count > self.limit:
            raise GeometryError(
                f"geometry has more than {self.limit} positions; simplify it or draw a smaller area"
            )


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple):
        raise GeometryError(f"{where}: a position must be an array [longitude, latitude]")
    if len(value) > 2:
        raise GeometryError(
            f"{where}: 3-D coordinates are not accepted; give [longitude, latitude] only"
        )
    if len(value) < 2:
        raise GeometryError(f"{where}: a position needs both longitude and latitude")
    lon, lat = value
    for number in (lon, lat):
        if isinstance(number, str):
            raise GeometryError(f"{where}: coordinates must be numbers, not strings")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise GeometryError(f"{where}: coordinates must be numbers")
        # An int too large for a float would raise OverflowError in isfinite.
        if isinstance(number, float) and not math.isfinite(number):
            raise GeometryError(f"{where}: coordinates must be finite numbers (no NaN or Infinity)")
    if not -180.0 <= lon <= 180.0:
        raise GeometryError(f"{where}: longitude {lon} is out of range -180..180")
    if not -90.0 <= lat <= 90.0:
        raise GeometryError(f"{where}: latitude {lat} is out of range -90..90")
    return float(lon), float(lat)


def _positions(value: Any, where: str, counter: _Counter) -> list[tuple[float, float]]:
    if not isinstance(value, list):
        raise GeometryError(f"{where}: expected an array of positions")
    if not value:
        raise GeometryError(f"{where}: coordinates are empty")
    counter.add(len(value))
    return [_position(item, f"{where}[{i}]") for i, item in enumerate(value)]


def _build(gtype: str, coords: Any, counter: _Counter) -> BaseGeometry:
    if gtype == "Point":
        if isinstance(coords, list) and not coords:
            raise GeometryError("geometry.coordinates: coordinates are empty")
        counter.add(1)
        return Point(_position(coords, "geometry.coordinates"))
    if gtype == "LineString":
        points = _positions(coords, "geometry.coordinates", counter)
        if len(points) < 2:
            raise GeometryError("geometry.coordinates: a LineString needs at least 2 positions")
        line = LineString(points)
        if line.length == 0:
            raise GeometryError("geometry.coordinates: a LineString needs two different positions")
        return line
    # Polygon
    if not isinstance(coords, list):
        raise GeometryError("geometry.coordinates: expected an array of linear rings")
    if not coords:
        raise GeometryError("geometry.coordinates: coordinates are empty")
    rings = []
    for r, ring in enumerate(coords):
        where = f"geometry.coordinates[{r}]"
        points = _positions(ring, where, counter)
        if len(points) < 4:
            raise GeometryError(f"{where}: a linear ring needs at least 4 positions")
        if points[0] != points[-1]:
            raise GeometryError(
                f"{where}: the ring is not closed; the last position must equal the first"
            )
        rings.append(points)
    polygon = Polygon(rings[0], rings[1:])
    if not polygon.is_valid:
        reason = explain_validity(polygon)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            raise GeometryError(f"the polygon intersects itself ({reason}); draw it again")
        raise GeometryError(f"the polygon is not valid ({reason})")
    return polygon


def _swap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: xy[:, ::-1])


def check_geometry(value: Any, area: ServiceArea, max_vertices: int) -> CheckedGeometry:
    """Validate a GeoJSON geometry object; return it as Shapely or raise GeometryError."""
    if not isinstance(value, dict):
        raise GeometryError("geometry must be a GeoJSON geometry object")
    if "crs" in value:
        raise GeometryError(
            "a 'crs' member is not accepted: GeoJSON (RFC 7946) is always WGS 84 longitude/latitude"
        )
    gtype = value.get("type")
    if gtype is None:
        raise GeometryError("geometry.type is required (Point, LineString or Polygon)")
    if gtype in REFUSED_TYPES:
        raise GeometryError(
            f"{gtype} is not accepted; report one Point, LineString or Polygon per report"
        )
    if gtype not in ACCEPTED_TYPES:
        raise GeometryError(f"unknown geometry type {gtype!r}; use Point, LineString or Polygon")
    extra = set(value) - GEOMETRY_MEMBERS
    if extra:
        raise GeometryError(f"unexpected geometry member(s): {', '.join(sorted(extra))}")
    if "coordinates" not in value:
        raise GeometryError("geometry.coordinates is required")
    geom = _build(gtype, value["coordinates"], _Counter(max_vertices))
    if not area.contains(geom):
        if area.contains(_swap(geom)):
            raise GeometryError(
                "the place is outside the service area, but would be inside with longitude and "
                "latitude swapped: GeoJSON positions are [longitude, latitude]"
            )
        raise GeometryError("the place is outside the service area")
    return CheckedGeometry(geom)
