"""Redesign sites as GeoJSON (RFC 7946), GeoPackage (EPSG:3006) and CSV (WKT in WGS 84).

The GeoJSON feature is also the API's answer for one site, so the routers in
app/web/api/sites.py build their answers with `feature` and `collection` too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from app.db.pool import Database, Row
from app.repo import sites as store
from app.services.exports.csv_writer import write_csv
from app.services.exports.files import MEDIA_TYPES, Export
from app.services.exports.gpkg_writer import column, write_gpkg
from geo.redesign import MEASURES, STATUSES, label

LAYER = "sites"
FIELDS = (
    "id",
    "name",
    "status",
    "hotspot_id",
    "measures",
    "responsible",
    "planned_start",
    "planned_end",
    "completed_on",
    "notes",
)


def site_properties(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "status": row["status"],
        "status_label": {
            "sv": label(STATUSES, row["status"], "sv"),
            "en": label(STATUSES, row["status"], "en"),
        },
        "hotspot_id": row["hotspot_id"],
        "reasons": row["reasons"],
        "measures": [
            {"code": m, "sv": label(MEASURES, m, "sv"), "en": label(MEASURES, m, "en")}
            for m in row["measures"]
        ],
        "responsible": row["responsible"],
        "planned_start": row["planned_start"],
        "planned_end": row["planned_end"],
        "completed_on": row["completed_on"],
        "notes": row["notes"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def feature(row: Row) -> dict[str, Any]:
    """One site as a GeoJSON Feature (geometry as PostGIS wrote it)."""
    return {
        "type": "Feature",
        "id": str(row["id"]),
        "geometry": orjson.Fragment(str(row["geometry"]).encode()),
        "properties": site_properties(row),
    }


def collection(rows: Sequence[Row]) -> bytes:
    return orjson.dumps({"type": "FeatureCollection", "features": [feature(r) for r in rows]})


def _flat(row: Mapping[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in FIELDS:
        value = row[name]
        if name == "measures":
            out[name] = ", ".join(value or [])
        else:
            out[name] = None if value is None else str(value)
    return out


def sites_gpkg(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """GeoPackage in SWEREF 99 TM, every attribute as text."""
    flats = [_flat(r) for r in rows]
    return write_gpkg(
        LAYER,
        "MultiPolygon",
        FIELDS,
        [column([f[name] for f in flats], "str") for name in FIELDS],
        [bytes(r["wkb_3006"]) for r in rows],
    )


def sites_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """CSV with WKT geometry (WGS 84 lon/lat)."""

    def line(row: Mapping[str, Any]) -> list[Any]:
        flat = _flat(row)
        return [*(flat[name] for name in FIELDS), row["wkt"]]

    return write_csv([*FIELDS, "wkt"], (line(r) for r in rows))


async def build_export(db: Database, fmt: str) -> Export:
    """Every site as a file in format `fmt` (one of `files.FORMATS`)."""
    if fmt == "geojson":
        rows = await store.list_sites(db)
        return Export(collection(rows), MEDIA_TYPES[fmt], "sites.geojson", len(rows))
    records = await store.export_rows(db)
    if fmt == "gpkg":
        # GDAL writes a file: keep it off the event loop.
        data = await asyncio.to_thread(sites_gpkg, records)
        return Export(data, MEDIA_TYPES[fmt], "sites.gpkg", len(records))
    if fmt == "csv":
        return Export(sites_csv(records), MEDIA_TYPES[fmt], "sites.csv", len(records))
    raise ValueError(f"unknown export format {fmt}")
