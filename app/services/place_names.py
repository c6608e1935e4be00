"""Hotspots get human names: the nearest named place, or a planner's choice.

A generated name is stored the first time a hotspot is shown, under its
stable id, so it does not change when the gazetteer or the hotspot's outline
does; a planner's rename replaces it and both stay in the history.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from app.config import Settings
from app.db.pool import Database, Row
from app.errors import NotFound, Unprocessable
from app.repo import place_names as store
from geo.crs import lonlat_to_sweref
from geo.gazetteer import GazetteerError, load_places
from geo.places import Named, place_name

MAX_LENGTH = 120


def _named(settings: Settings) -> list[Named]:
    try:
        places = load_places(settings.gazetteer_file)
    except GazetteerError:
        return []
    out = []
    for place in places:
        x, y = lonlat_to_sweref(place["lon"], place["lat"])
        out.append(Named(str(place["name"]), x, y))
    return out


async def names_for(
    db: Database, settings: Settings, hotspots: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """hotspot id -> name; hotspots without a stored name are named now (if anything is near)."""
    wanted = {str(h["id"]): h for h in hotspots}
    found = await store.names(db, wanted)
    missing = [h for hid, h in wanted.items() if hid not in found and h.get("centre")]
    if not missing:
        return found
    named = _named(settings)
    taken = await store.all_names(db)
    missing.sort(key=lambda h: h.get("rank") or 0)
    points = [(float(h["centre"][0]), float(h["centre"][1])) for h in missing]
    streets = await store.nearest_streets(db, points)
    for hotspot, (lon, lat), street in zip(missing, points, streets, strict=True):
        name = place_name(*lonlat_to_sweref(lon, lat), named, street, taken)
        if name is None:
            continue
        hid = str(hotspot["id"])
        source = "network" if street and name.startswith(street[0]) else "gazetteer"
        if await store.add_generated(db, hid, name, source):
            found[hid] = name
            taken.add(name)
        else:  # another request named it first
            found.update(await store.names(db, [hid]))
    return found


def _flat(feature: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": feature.get("id"), **(feature.get("properties") or {})}


async def name_feature(db: Database, settings: Settings, feature: dict[str, Any]) -> dict[str, Any]:
    """A hotspot GeoJSON Feature with `properties.name` added (None when unnamed)."""
    if feature.get("id") is not None:
        names = await names_for(db, settings, [_flat(feature)])
        feature.setdefault("properties", {})["name"] = names.get(str(feature["id"]))
    return feature


async def name_collection(db: Database, settings: Settings, body: str | bytes) -> str:
    """A hotspot FeatureCollection (GeoJSON text) with `properties.name` on each feature."""
    collection = orjson.loads(body)
    features = collection.get("features") or []
    names = await names_for(db, settings, [_flat(f) for f in features])
    for feature in features:
        feature.setdefault("properties", {})["name"] = names.get(str(feature.get("id")))
    return orjson.dumps(collection).decode()


async def rename(
    db: Database, hotspot_id: uuid.UUID, name: str, changed_by: uuid.UUID | None
) -> dict[str, Any]:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= MAX_LENGTH:
        raise Unprocessable(f"name must be 1 to {MAX_LENGTH} characters")
    if not await store.is_hotspot(db, hotspot_id):
        raise NotFound("No place with that id.")
    await store.rename(db, str(hotspot_id), clean, changed_by)
    return await describe(db, hotspot_id)


async def describe(db: Database, hotspot_id: uuid.UUID) -> dict[str, Any]:
    hid = str(hotspot_id)
    rows: list[Row] = await store.history(db, hid)
    current = await store.names(db, [hid])
    return {
        "hotspot_id": hid,
        "name": current.get(hid),
        "history": [
            {
                "name": r["name"],
                "source": r["source"],
                "changed_at": r["changed_at"].isoformat(),
                "changed_by": str(r["changed_by"]) if r["changed_by"] else None,
            }
            for r in rows
        ],
    }


async def with_names(db: Database, rows: list[Row]) -> list[Row]:
    """Export rows (id, rank, centre_lon, centre_lat, ...) with a `name` column added."""
    places = [
        {"id": r["id"], "rank": r.get("rank"), "centre": [r["centre_lon"], r["centre_lat"]]}
        for r in rows
    ]
    names = await names_for(db, db.settings, places)
    return [{**r, "name": names.get(str(r["id"]))} for r in rows]


async def name_export(db: Database, body: str) -> str:
    """The GeoJSON export with `properties.name` on each feature."""
    return await name_collection(db, db.settings, body)
