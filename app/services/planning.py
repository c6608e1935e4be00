"""Build a patrol plan: pick hotspots for a window, order them, time the walk.

The maths lives in `geo` (window ranking, stop order, timetable); this module
fetches hotspots, asks the walking network (or straight lines times a detour
factor) for costs, and assembles the answer that is stored and served.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.config import Settings
from app.db.pool import Database
from app.errors import Unprocessable
from app.repo import network
from app.services import hotspots
from geo.crs import lonlat_to_sweref
from geo.patrol import Window, format_time, timetable, window_score
from geo.routing import RoutingError, order_stops

Point = tuple[float, float]
STRAIGHT = "straight_line"
NETWORK = "network"


@dataclass(frozen=True)
class PlanInput:
    window: Window
    start: Point
    end: Point
    visit_minutes: float
    time_budget_minutes: float
    top: int | None = None
    hotspot_ids: Sequence[str] | None = None
    seed: int | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class BuiltPlan:
    body: dict[str, Any]
    routing: str
    route: list[Point]


async def _hotspots(db: Database, plan: PlanInput) -> list[dict[str, Any]]:
    if plan.hotspot_ids:
        found: list[dict[str, Any]] = []
        for hotspot_id in plan.hotspot_ids:
            hotspot = await hotspots.get_hotspot(db, hotspot_id)
            if hotspot is None:
                raise Unprocessable(f"no current hotspot {hotspot_id}")
            found.append(dict(hotspot))
        return found
    return [dict(h) for h in await hotspots.list_hotspots(db, dict(plan.filters))]


def _straight_metres(points: Sequence[Point], detour: float) -> list[list[float]]:
    xy = [lonlat_to_sweref(lon, lat) for lon, lat in points]
    return [[math.dist(a, b) * detour for b in xy] for a in xy]


def _centre(hotspot: Mapping[str, Any]) -> Point:
    lon, lat = hotspot["centre"][:2]
    return float(lon), float(lat)


async def build_plan(db: Database, settings: Settings, plan: PlanInput) -> BuiltPlan:
    candidates = await _hotspots(db, plan)
    scored = [(window_score(h, plan.window), h) for h in candidates]
    if not plan.hotspot_ids:
        scored = [pair for pair in scored if pair[0] > 0]
        scored.sort(key=lambda pair: (-pair[0], pair[1].get("rank") or 0))
        scored = scored[: plan.top or 5]
    scored = scored[: settings.patrol_max_stops]
    if not scored:
        raise Unprocessable(
            "no hotspot has reports for this window; widen the window or pick hotspots by id"
        )
    points = [plan.start] + [_centre(h) for _, h in scored] + [plan.end]
    routing = STRAIGHT
    snaps: list[network.Snap] = []
    unrouted: set[tuple[int, int]] = set()
    if await network.network_size(db) > 0:
        metres, snaps = await network.cost_matrix(db, points)
        routing = NETWORK
        # Places the network cannot connect (an extract with islands) are walked
        # as straight lines times the detour factor, and the answer says so.
        straight = _straight_metres(points, settings.patrol_detour_factor)
        for i, row in enumerate(metres):
            for j, value in enumerate(row):
                if math.isinf(value):
                    row[j] = straight[i][j]
                    unrouted.add((i, j))
    else:
        metres = _straight_metres(points, settings.patrol_detour_factor)
    per_minute = settings.walking_speed_kmh * 1000 / 60
    minutes = [[m / per_minute for m in row] for row in metres]

    # Drop the weakest stops until the walk plus the visits fit the budget.
    keep = list(range(1, len(points) - 1))
    dropped: list[str] = []
    while True:
        nodes = [0, *keep, len(points) - 1]
        sub = [[minutes[a][b] for b in nodes] for a in nodes]
        try:
            route = order_stops(sub, start=0, end=len(nodes) - 1, seed=plan.seed)
        except RoutingError as exc:
            raise Unprocessable(f"cannot order the stops: {exc}") from exc
        total = route.cost + plan.visit_minutes * len(keep)
        if total <= plan.time_budget_minutes or len(keep) <= 1:
            break
        weakest = min(keep, key=lambda node: scored[node - 1][0])
        keep.remove(weakest)
        dropped.append(str(scored[weakest - 1][1]["id"]))
    order = [nodes[i] for i in route.order]
    path = [0, *order, len(points) - 1]
    legs_minutes = [minutes[a][b] for a, b in zip(path, path[1:], strict=False)]
    visits, back = timetable(legs_minutes, plan.window.start, plan.visit_minutes)

    route_points: list[Point] = []
    legs: list[dict[str, Any]] = []
    names = ["start"] + [str(h["id"]) for _, h in scored] + ["end"]
    for a, b in zip(path, path[1:], strict=False):
        geometry: list[Point]
        if routing == NETWORK and (a, b) not in unrouted:
            street, _ = await network.leg_path(db, snaps[a], snaps[b])
            geometry = [points[a], *street, points[b]]
        else:
            geometry = [points[a], points[b]]
        route_points.extend(geometry if not route_points else geometry[1:])
        legs.append(
            {
                "from": names[a],
                "to": names[b],
                "distance_m": round(metres[a][b], 1),
                "minutes": round(minutes[a][b], 1),
                "on_network": routing == NETWORK and (a, b) not in unrouted,
            }
        )
    stops = []
    for index, (node, visit) in enumerate(zip(order, visits, strict=True), start=1):
        score, hotspot = scored[node - 1]
        stops.append(
            {
                "order": index,
                "hotspot_id": str(hotspot["id"]),
                "rank": hotspot.get("rank"),
                "window_score": round(score, 3),
                "point": list(points[node]),
                "arrival": format_time(visit.arrival),
                "departure": format_time(visit.departure),
                "reporters": hotspot.get("reporters"),
                "reasons": hotspot.get("reasons") or {},
            }
        )
    walk_m = sum(metres[a][b] for a, b in zip(path, path[1:], strict=False))
    walk_min = sum(legs_minutes)
    routing_info: dict[str, Any]
    if routing == NETWORK:
        routing_info = {
            "network": NETWORK,
            "detour_factor": None,
            "note": "Legs follow the imported street network (pgRouting).",
        }
        off = sum(1 for leg in legs if not leg["on_network"])
        if off:
            routing_info["note"] += (
                f" {off} leg(s) could not be routed on the network and use straight lines "
                f"times a detour factor of {settings.patrol_detour_factor}."
            )
            routing_info["detour_factor"] = settings.patrol_detour_factor
    else:
        routing_info = {
            "network": STRAIGHT,
            "detour_factor": settings.patrol_detour_factor,
            "note": (
                "No street network is imported: distances are straight lines times a detour "
                f"factor of {settings.patrol_detour_factor}."
            ),
        }
    body = {
        "window": plan.window.as_dict(),
        "method": route.method,
        "seed": plan.seed,
        "routing": routing_info,
        "walking_speed_kmh": settings.walking_speed_kmh,
        "visit_minutes": plan.visit_minutes,
        "time_budget_minutes": plan.time_budget_minutes,
        "start": {"point": list(plan.start), "departure": format_time(plan.window.start)},
        "end": {"point": list(plan.end), "arrival": format_time(back)},
        "stops": stops,
        "legs": legs,
        "dropped": dropped,
        "totals": {
            "stops": len(stops),
            "distance_m": round(walk_m, 1),
            "walking_minutes": round(walk_min, 1),
            "visit_minutes": round(plan.visit_minutes * len(stops), 1),
            "minutes": round(back - plan.window.start, 1),
            "within_budget": back - plan.window.start <= plan.time_budget_minutes + 1e-6,
        },
    }
    return BuiltPlan(body, routing, route_points)
