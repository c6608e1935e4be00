"""Presence groups and the week's presence plan across them.

The planning maths is `geo.presence`; this module reads groups and hotspots,
asks the walking network for travel minutes (straight lines times the detour
factor where there is none), names the places, and stores the answer.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from app.config import Settings
from app.db.pool import Database, Row
from app.errors import NotFound, Unprocessable
from app.repo import network
from app.repo import presence as store
from app.services import hotspots as hotspot_service
from app.services import place_names
from geo.crs import lonlat_to_sweref
from geo.patrol import WindowError
from geo.presence import Group, Shift, parse_shift, plan_week, straight_minutes

GROUP_NOT_FOUND = "No presence group with that id."
PLAN_NOT_FOUND = "No presence plan with that id."
MAX_PLACES = 40  # the riskiest places a week's plan considers
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def parse_shifts(raw: Sequence[Mapping[str, Any]]) -> list[Shift]:
    shifts = []
    for index, item in enumerate(raw):
        try:
            shifts.append(parse_shift(item))
        except WindowError as exc:
            raise Unprocessable(f"shifts[{index}]: {exc}") from exc
    return shifts


def parse_week(value: str) -> dt.date:
    """ISO week '2026-W50' -> its Monday."""
    match = _WEEK.match(value)
    if not match:
        raise Unprocessable("week must be an ISO week like 2026-W50")
    try:
        return dt.date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:
        raise Unprocessable(f"week {value} does not exist") from exc


def group_json(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "kind": row["kind"],
        "shifts": row["shifts"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
        "links": {"self": f"/api/v1/presence-groups/{row['id']}"},
    }


async def create_group(
    db: Database, name: str, kind: str, shifts: list[Shift], created_by: uuid.UUID | None
) -> dict[str, Any]:
    group_id = uuid.uuid4()
    values = {"name": name, "kind": kind, "shifts": [s.as_dict() for s in shifts]}
    await store.insert_group(db, group_id, values, created_by)
    return await get_group(db, group_id)


async def get_group(db: Database, group_id: uuid.UUID) -> dict[str, Any]:
    row = await store.get_group(db, group_id)
    if row is None:
        raise NotFound(GROUP_NOT_FOUND)
    return group_json(row)


async def update_group(
    db: Database, group_id: uuid.UUID, changes: dict[str, Any]
) -> dict[str, Any]:
    if "shifts" in changes:
        changes["shifts"] = [s.as_dict() for s in changes["shifts"]]
    if changes and not await store.update_group(db, group_id, changes):
        raise NotFound(GROUP_NOT_FOUND)
    return await get_group(db, group_id)


async def delete_group(db: Database, group_id: uuid.UUID) -> None:
    if not await store.delete_group(db, group_id):
        raise NotFound(GROUP_NOT_FOUND)


def _group(row: Row) -> Group:
    shifts = tuple(parse_shift(s) for s in row["shifts"])
    return Group(str(row["id"]), row["name"], row["kind"], shifts)


async def _travel(
    db: Database, settings: Settings, points: list[tuple[float, float]]
) -> tuple[list[list[float]], str]:
    xy = [lonlat_to_sweref(lon, lat) for lon, lat in points]
    straight = straight_minutes(xy, settings.patrol_detour_factor, settings.walking_speed_kmh)
    if len(points) < 2 or await network.network_size(db) == 0:
        return straight, "straight_line"
    metres, _ = await network.cost_matrix(db, points)
    per_minute = settings.walking_speed_kmh * 1000 / 60
    minutes = [
        [straight[i][j] if math.isinf(m) else m / per_minute for j, m in enumerate(row)]
        for i, row in enumerate(metres)
    ]
    return minutes, "network"


async def build_plan(
    db: Database,
    settings: Settings,
    *,
    week: str,
    group_ids: list[uuid.UUID] | None,
    overlap: bool,
    created_by: uuid.UUID | None,
) -> dict[str, Any]:
    monday = parse_week(week)
    rows = await store.list_groups(db, group_ids)
    if group_ids is not None:
        missing = sorted({str(g) for g in group_ids} - {str(r["id"]) for r in rows})
        if missing:
            raise Unprocessable(f"no presence group {', '.join(missing)}")
    if not rows:
        raise Unprocessable("there are no presence groups to plan for; create one first")
    groups = [_group(r) for r in rows]
    hotspots = (await hotspot_service.list_hotspots(db))[:MAX_PLACES]
    points = [(float(h["centre"][0]), float(h["centre"][1])) for h in hotspots]
    travel, routing = await _travel(db, settings, points)
    body = plan_week(hotspots, groups, travel, monday=monday, overlap=overlap)
    names = await place_names.names_for(db, settings, hotspots)
    places = {
        str(h["id"]): {
            "name": names.get(str(h["id"])),
            "rank": h.get("rank"),
            "centre": h["centre"],
        }
        for h in hotspots
    }
    for a_index, assignment in enumerate(body["assignments"]):
        for s_index, stop in enumerate(assignment["stops"]):
            stop["name"] = names.get(stop["hotspot_id"])
            stop["key"] = f"{a_index}.{s_index}"
    for item in body["uncovered"]:
        item["name"] = names.get(item["hotspot_id"])
    plan_id = uuid.uuid4()
    plan = {
        "id": str(plan_id),
        "week": week,
        "monday": monday.isoformat(),
        "routing": routing,
        "places": places,
        **body,
    }
    request = {
        "week": week,
        "groups": None if group_ids is None else [str(g) for g in group_ids],
        "overlap": overlap,
    }
    await store.insert_plan(
        db, plan_id, week=week, request=request, plan=plan, created_by=created_by
    )
    return plan


async def load_plan(db: Database, plan_id: uuid.UUID) -> dict[str, Any]:
    row = await store.get_plan(db, plan_id)
    if row is None:
        raise NotFound(PLAN_NOT_FOUND)
    plan = dict(row["plan"])
    plan["created_at"] = row["created_at"].isoformat()
    visits = await store.visits_of_plan(db, plan_id)
    plan["carried_out"] = [
        {
            "key": v["stop_key"],
            "carried_out_on": v["carried_out_on"].isoformat(),
            "minutes": v["minutes"],
            "note": v["note"],
        }
        for v in visits
    ]
    return plan


def find_stop(plan: Mapping[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    for assignment in plan["assignments"]:
        for stop in assignment["stops"]:
            if stop.get("key") == key:
                return assignment, stop
    raise Unprocessable(f"no stop {key} in this plan")


async def record_visit(
    db: Database,
    plan_id: uuid.UUID,
    *,
    key: str,
    carried_out_on: dt.date,
    minutes: int | None,
    note: str | None,
    recorded_by: uuid.UUID | None,
) -> tuple[dict[str, Any], bool]:
    plan = await load_plan(db, plan_id)
    assignment, stop = find_stop(plan, key)
    if carried_out_on > dt.date.today() + dt.timedelta(days=1):
        raise Unprocessable("carried_out_on is in the future")
    row, created = await store.record_visit(
        db,
        {
            "plan_id": plan_id,
            "group_id": uuid.UUID(assignment["group_id"]),
            "group_name": assignment["group"],
            "group_kind": assignment["kind"],
            "hotspot_id": stop["hotspot_id"],
            "stop_key": key,
            "carried_out_on": carried_out_on,
            "minutes": minutes,
            "note": note,
            "recorded_by": recorded_by,
        },
    )
    answer = {
        "id": str(row["id"]),
        "plan_id": str(plan_id),
        "key": key,
        "hotspot_id": stop["hotspot_id"],
        "carried_out_on": row["carried_out_on"].isoformat(),
    }
    return answer, created


async def public_counts(db: Database, settings: Settings, year: int) -> list[dict[str, Any]]:
    """Carried-out stops per group in the year, only for groups at or above the public threshold."""
    rows = await store.visits_per_group(db, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return [
        {
            "group": r["group_name"],
            "kind": r["group_kind"],
            "visits": r["visits"],
            "places": r["places"],
        }
        for r in rows
        if r["visits"] >= settings.public_min_reporters
    ]


def as_group_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Unprocessable(f"{raw!r} is not a presence group id") from exc


async def list_groups(db: Database) -> list[dict[str, Any]]:
    return [group_json(r) for r in await store.list_groups(db)]


async def list_plans(db: Database) -> list[Row]:
    return await store.list_plans(db)
