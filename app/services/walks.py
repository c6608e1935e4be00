"""Safety walks: the walk, its stops and checklists, the agreed actions, the protocol.

An action can become a redesign site (`/api/v1/sites`) around its stop, so
the site's before/after evaluation follows from the walk.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson

from app.config import Settings
from app.db.pool import Database, Row
from app.errors import NotFound, Unprocessable
from app.repo import place_names as name_store
from app.repo import sites as site_store
from app.repo import walks as store
from geo.area import ServiceArea
from geo.validate import GeometryError, check_geometry
from geo.walks import ChecklistError, parse_checklist, worst

WALK_NOT_FOUND = "No safety walk with that id."
SITE_RADIUS_M = 30.0


def _checked(
    value: Any, kinds: tuple[str, ...], area: ServiceArea, settings: Settings, field: str
) -> str:
    if not isinstance(value, dict) or value.get("type") not in kinds:
        raise Unprocessable(f"expected a GeoJSON {' or '.join(kinds)}", field=field)
    try:
        return str(check_geometry(value, area, settings.max_vertices).shape.wkt)
    except GeometryError as exc:
        raise Unprocessable(f"{field}: {exc}", errors=[(field, str(exc))]) from exc


async def create_walk(
    db: Database,
    settings: Settings,
    area: ServiceArea,
    values: dict[str, Any],
    geometry: dict[str, Any],
    created_by: uuid.UUID | None,
) -> dict[str, Any]:
    field = "area" if geometry.get("type") == "Polygon" else "route"
    wkt = _checked(geometry, ("Polygon", "LineString"), area, settings, field)
    walk_id = await store.insert_walk(db, values, wkt, created_by)
    return await walk_json(db, walk_id)


def _walk(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "date": row["date"].isoformat(),
        "meeting_point": row["meeting_point"],
        "meeting_time": row["meeting_time"],
        "announce": row["announce"],
        "geometry": orjson.loads(row["geometry"]),
        "links": {
            "self": f"/api/v1/walks/{row['id']}",
            "page": f"/staff/trygghetsvandring/{row['id']}",
            "protocol": f"/staff/trygghetsvandring/{row['id']}/protokoll",
        },
    }


def stop_json(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "key": row["client_key"],
        "position": row["position"],
        "hotspot_id": row["hotspot_id"],
        "point": orjson.loads(row["geometry"]),
        "checklist": row["checklist"],
        "worst": worst(row["checklist"]),
        "note": row["note"],
    }


def _action(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "stop_id": str(row["stop_id"]),
        "text": row["text"],
        "unit": row["unit"],
        "due": row["due"].isoformat() if row["due"] else None,
        "site_id": str(row["site_id"]) if row["site_id"] else None,
    }


async def walk_json(db: Database, walk_id: uuid.UUID) -> dict[str, Any]:
    row = await store.get_walk(db, walk_id)
    if row is None:
        raise NotFound(WALK_NOT_FOUND)
    answer = _walk(row)
    answer["stops"] = [stop_json(s) for s in await store.stops(db, walk_id)]
    answer["actions"] = [_action(a) for a in await store.actions(db, walk_id)]
    return answer


async def list_walks(db: Database) -> list[dict[str, Any]]:
    return [_walk(r) for r in await store.list_walks(db)]


async def upcoming(db: Database, today: dt.date) -> list[dict[str, Any]]:
    """Announced walks from today on, for /loften."""
    return [_walk(r) for r in await store.list_walks(db, since=today, announced=True)]


async def add_stop(
    db: Database,
    settings: Settings,
    area: ServiceArea,
    walk_id: uuid.UUID,
    *,
    key: str,
    point: dict[str, Any],
    hotspot_id: str | None,
    checklist: dict[str, Any],
    note: str | None,
    created_by: uuid.UUID | None,
) -> tuple[dict[str, Any], bool]:
    if await store.get_walk(db, walk_id) is None:
        raise NotFound(WALK_NOT_FOUND)
    wkt = _checked(point, ("Point",), area, settings, "point")
    try:
        ratings = parse_checklist(checklist)
    except ChecklistError as exc:
        raise Unprocessable(str(exc)) from exc
    values = {
        "client_key": key,
        "hotspot_id": hotspot_id,
        "checklist": ratings,
        "note": note,
        "created_by": created_by,
    }
    row, created = await store.add_stop(db, walk_id, values, wkt)
    return stop_json(row), created


async def add_action(
    db: Database,
    walk_id: uuid.UUID,
    *,
    stop_id: uuid.UUID,
    text: str,
    unit: str,
    due: dt.date | None,
    as_site: bool,
    principal_id: uuid.UUID | None,
    principal_email: str | None,
) -> dict[str, Any]:
    walk = await store.get_walk(db, walk_id)
    if walk is None:
        raise NotFound(WALK_NOT_FOUND)
    stop = await store.get_stop(db, walk_id, stop_id)
    if stop is None:
        raise Unprocessable("stop_id is not a stop of this walk")
    values = {"stop_id": stop_id, "text": text, "unit": unit, "due": due}
    action_id = await store.add_action(db, walk_id, values, principal_id)
    if as_site:
        await make_site(db, walk_id, action_id, principal_id, principal_email)
    row = await store.get_action(db, walk_id, action_id)
    assert row is not None
    return _action(row)


async def make_site(
    db: Database,
    walk_id: uuid.UUID,
    action_id: uuid.UUID,
    principal_id: uuid.UUID | None,
    principal_email: str | None,
) -> dict[str, Any]:
    """Turn an action into a redesign site around its stop (once)."""
    walk = await store.get_walk(db, walk_id)
    action = await store.get_action(db, walk_id, action_id)
    if walk is None or action is None:
        raise NotFound("No such action on this safety walk.")
    if action["site_id"] is None:
        stop = await store.get_stop(db, walk_id, action["stop_id"])
        assert stop is not None
        wkb = await store.stop_area_wkb(db, action["stop_id"], SITE_RADIUS_M)
        values = {
            "name": f"{walk['name']}: {action['text']}"[:200],
            "hotspot_id": stop["hotspot_id"],
            "responsible": action["unit"],
            "planned_end": action["due"],
            "notes": f"Från trygghetsvandringen {walk['name']} {walk['date'].isoformat()}.",
        }
        site_id = await site_store.insert_site(
            db, values, geometry_wkb=wkb, changed_by=principal_id, changed_by_email=principal_email
        )
        await store.link_site(db, action_id, site_id)
    row = await store.get_action(db, walk_id, action_id)
    assert row is not None
    return _action(row)


async def protocol(db: Database, walk_id: uuid.UUID) -> dict[str, Any]:
    """The walk with place names on its stops, for the printable protocol."""
    walk = await walk_json(db, walk_id)
    ids = [s["hotspot_id"] for s in walk["stops"] if s["hotspot_id"]]
    names = await name_store.names(db, ids) if ids else {}
    for stop in walk["stops"]:
        stop["name"] = names.get(stop["hotspot_id"] or "")
        stop["actions"] = [a for a in walk["actions"] if a["stop_id"] == stop["id"]]
    return walk
