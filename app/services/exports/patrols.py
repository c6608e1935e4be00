"""A stored patrol plan as GeoJSON (stops and route), GPX 1.1, or its printable page's data.

`plan` is the stored plan document and `route_geojson` its walking route as
PostGIS wrote it (a LineString), or None when the plan has fewer than two points.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from app.services.exports.files import MEDIA_TYPES, Export
from geo.gpx import Waypoint, write_gpx
from geo.patrol import DAY_NAMES, WEEKDAY_CODES
from geo.vocabulary import REASONS

GPX_MEDIA_TYPE = "application/gpx+xml"


def plan_geojson(plan_id: uuid.UUID, plan: dict[str, Any], route_geojson: str | None) -> Export:
    """One FeatureCollection: the route (if any), then the stops in visiting order."""
    features: list[Any] = []
    if route_geojson:
        features.append(
            {
                "type": "Feature",
                "geometry": orjson.Fragment(route_geojson.encode()),
                "properties": {
                    "kind": "route",
                    "distance_m": plan["totals"]["distance_m"],
                    "walking_minutes": plan["totals"]["walking_minutes"],
                    "routing": plan["routing"]["network"],
                },
            }
        )
    for stop in plan["stops"]:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": stop["point"]},
                "properties": {
                    "kind": "stop",
                    "order": stop["order"],
                    "hotspot_id": stop["hotspot_id"],
                    "arrival": stop["arrival"],
                    "departure": stop["departure"],
                },
            }
        )
    body = orjson.dumps(
        {
            "type": "FeatureCollection",
            "features": features,
            "properties": {"id": plan["id"], "window": plan["window"], "method": plan["method"]},
        }
    )
    return Export(body, MEDIA_TYPES["geojson"], f"patrol-{plan_id}.geojson", len(plan["stops"]))


def plan_gpx(plan_id: uuid.UUID, plan: dict[str, Any], route_geojson: str | None) -> Export:
    """GPX 1.1: one waypoint per stop and the route as a track."""
    waypoints = [
        Waypoint(
            s["point"][0],
            s["point"][1],
            f"{s['order']}. {s['arrival']}-{s['departure']}",
            f"hotspot {s['hotspot_id']}",
        )
        for s in plan["stops"]
    ]
    track = [[(x, y) for x, y in _coordinates(route_geojson)]] if route_geojson else []
    body = write_gpx(
        f"Patrull {plan['window']['start']}-{plan['window']['end']}",
        waypoints,
        track,
        description=plan["routing"]["note"],
    )
    return Export(body, GPX_MEDIA_TYPE, f"patrol-{plan_id}.gpx", len(plan["stops"]))


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
