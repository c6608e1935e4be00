"""A stored patrol plan as GeoJSON, GPX 1.1, GeoPackage, CSV, or print data.

Every format keeps one geometry type per layer: the GeoPackage holds the layers
`stops` (Points) and `route` (a LineString) in SWEREF 99 TM; GeoJSON and CSV
(WKT in WGS 84) give one of them per file, chosen with `layer`.

`plan` is the stored plan document and `route_geojson` its walking route as
PostGIS wrote it (a LineString), or None when the plan has fewer than two points.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson
import shapely

from app.services.exports.csv_writer import write_csv
from app.services.exports.files import MEDIA_TYPES, Export
from app.services.exports.gpkg_writer import Layer, column, write_layers
from geo.crs import lonlat_to_sweref
from geo.gpx import Waypoint, write_gpx
from geo.patrol import DAY_NAMES, WEEKDAY_CODES
from geo.vocabulary import REASONS

GPX_MEDIA_TYPE = "application/gpx+xml"
STOP_FIELDS = ("order", "hotspot_id", "arrival", "departure")


LAYERS = ("stops", "route")


def _route_properties(plan: dict[str, Any]) -> dict[str, Any]:
    return {
        "distance_m": plan["totals"]["distance_m"],
        "walking_minutes": plan["totals"]["walking_minutes"],
        "routing": plan["routing"]["network"],
    }


def plan_geojson(
    plan_id: uuid.UUID, plan: dict[str, Any], route_geojson: str | None, layer: str = "stops"
) -> Export:
    """One layer as a FeatureCollection: `stops` (Points, in visiting order) or `route`.

    A GIS reads one geometry type per file, so the route LineString is its own
    layer (`?layer=route`) rather than mixed in with the stop Points.
    """
    features: list[Any] = []
    if layer == "route":
        if route_geojson:
            features.append(
                {
                    "type": "Feature",
                    "id": 1,
                    "geometry": orjson.Fragment(route_geojson.encode()),
                    "properties": _route_properties(plan),
                }
            )
    else:
        for stop in plan["stops"]:
            features.append(
                {
                    "type": "Feature",
                    "id": stop["order"],
                    "geometry": {"type": "Point", "coordinates": stop["point"]},
                    "properties": {name: stop[name] for name in STOP_FIELDS},
                }
            )
    body = orjson.dumps(
        {
            "type": "FeatureCollection",
            "name": layer,
            "features": features,
            "properties": {"id": plan["id"], "window": plan["window"], "method": plan["method"]},
        }
    )
    filename = f"patrol-{plan_id}-{layer}.geojson"
    return Export(body, MEDIA_TYPES["geojson"], filename, len(features))


def plan_gpx(
    plan_id: uuid.UUID,
    plan: dict[str, Any],
    route_geojson: str | None,
    *,
    description: str | None = None,
    stop_label: str = "hotspot {id}",
) -> Export:
    """GPX 1.1: one waypoint per stop and the route as a track.

    `description` and `stop_label` are in the reader's language (the web layer
    translates them); without them the stored English routing note is used.
    """
    waypoints = [
        Waypoint(
            s["point"][0],
            s["point"][1],
            f"{s['order']}. {s['arrival']}-{s['departure']}",
            stop_label.format(id=s["hotspot_id"]),
        )
        for s in plan["stops"]
    ]
    track = [[(x, y) for x, y in _coordinates(route_geojson)]] if route_geojson else []
    body = write_gpx(
        f"Patrull {plan['window']['start']}-{plan['window']['end']}",
        waypoints,
        track,
        description=plan["routing"]["note"] if description is None else description,
    )
    return Export(body, GPX_MEDIA_TYPE, f"patrol-{plan_id}.gpx", len(plan["stops"]))


def plan_gpkg(plan_id: uuid.UUID, plan: dict[str, Any], route_geojson: str | None) -> Export:
    """GeoPackage (EPSG:3006): layer `stops` (Points) and, if any, layer `route` (LineString)."""
    stops = plan["stops"]
    layers = [
        Layer(
            "stops",
            "Point",
            STOP_FIELDS,
            [
                column([s["order"] for s in stops], "int"),
                column([s["hotspot_id"] for s in stops], "str"),
                column([s["arrival"] for s in stops], "str"),
                column([s["departure"] for s in stops], "str"),
            ],
            [shapely.Point(lonlat_to_sweref(*s["point"][:2])).wkb for s in stops],
        )
    ]
    if route_geojson:
        line = shapely.LineString([lonlat_to_sweref(x, y) for x, y in _coordinates(route_geojson)])
        layers.append(
            Layer(
                "route",
                "LineString",
                ("distance_m", "walking_minutes", "routing"),
                [
                    column([float(plan["totals"]["distance_m"])], "float"),
                    column([float(plan["totals"]["walking_minutes"])], "float"),
                    column([plan["routing"]["network"]], "str"),
                ],
                [line.wkb],
            )
        )
    body = write_layers(layers)
    return Export(body, MEDIA_TYPES["gpkg"], f"patrol-{plan_id}.gpkg", len(stops))


def plan_csv(
    plan_id: uuid.UUID, plan: dict[str, Any], route_geojson: str | None = None, layer: str = "stops"
) -> Export:
    """One layer as CSV with WKT (WGS 84 lon/lat): the stops in visiting order, or the route."""
    if layer == "route":
        route = _coordinates(route_geojson)
        totals = _route_properties(plan)
        lines = [[*totals.values(), _line_wkt(route)]] if route else []
        body = write_csv([*totals, "wkt"], lines)
        return Export(body, MEDIA_TYPES["csv"], f"patrol-{plan_id}-route.csv", len(lines))
    rows = (
        [s["order"], s["hotspot_id"], s["arrival"], s["departure"], _point_wkt(s["point"])]
        for s in plan["stops"]
    )
    body = write_csv([*STOP_FIELDS, "wkt"], rows)
    return Export(body, MEDIA_TYPES["csv"], f"patrol-{plan_id}-stops.csv", len(plan["stops"]))


def _line_wkt(points: list[list[float]]) -> str:
    return "LINESTRING(" + ", ".join(f"{x:.7f} {y:.7f}" for x, y, *_ in points) + ")"


def _point_wkt(point: list[float]) -> str:
    return f"POINT({point[0]:.7f} {point[1]:.7f})"


@dataclass(frozen=True)
class PrintData:
    """What the printable page shows besides the plan: route points and labels."""

    route: list[list[float]]
    reason_labels: dict[str, str]
    day_names: dict[str, str]


def print_data(plan: dict[str, Any], route_geojson: str | None, lang: str) -> PrintData:
    """The route's positions and the reason and day labels in `lang` (sv or en)."""
    english = lang == "en"
    return PrintData(
        route=_coordinates(route_geojson),
        reason_labels={t.code: (t.en if english else t.sv) for t in REASONS},
        day_names=dict(zip(WEEKDAY_CODES, DAY_NAMES["en" if english else "sv"], strict=True)),
    )


def _coordinates(route_geojson: str | None) -> list[list[float]]:
    if not route_geojson:
        return []
    coordinates: list[list[float]] = orjson.loads(route_geojson)["coordinates"]
    return coordinates
