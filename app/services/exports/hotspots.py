"""Hotspot exports for planners' GIS: GeoJSON (RFC 7946), GeoPackage (EPSG:3006), CSV.

GIS tables want one value per column, so in the GeoPackage and the CSV the
breakdowns become one column per code (`reason_lighting`, `time_night`,
`days_weekend`) and the 24-hour profile a JSON text column.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo.hotspots.export_rows import export_rows
from app.repo.hotspots.read_sql import collection_with_count
from app.services.exports.csv_writer import write_csv
from app.services.exports.files import MEDIA_TYPES, Export
from app.services.exports.gpkg_writer import column, write_gpkg
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES

LAYER = "hotspots"
SCALARS: tuple[tuple[str, str], ...] = (
    ("id", "str"),
    ("rank", "int"),
    ("score", "float"),
    ("reporters", "int"),
    ("reports", "int"),
    ("severity_mean", "float"),
    ("safe_share", "float"),
    ("first_seen", "str"),
    ("last_seen", "str"),
    ("first_report", "str"),
    ("last_report", "str"),
    ("centre_lon", "float"),
    ("centre_lat", "float"),
)
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("reason", "reasons", REASON_CODES),
    ("time", "times", TIME_CODES),
    ("days", "days", DAY_CODES),
)


def columns() -> list[tuple[str, str]]:
    """(name, kind) of every attribute column, in export order."""
    out = list(SCALARS)
    for prefix, _, codes in GROUPS:
        out.extend((f"{prefix}_{code}", "int") for code in codes)
    out.append(("hours", "str"))
    return out


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def flat(row: Mapping[str, Any]) -> dict[str, Any]:
    """One export row's attributes, from a row of `app.repo.hotspots.export_rows.export_rows`."""
    out = {name: _text(row.get(name)) for name, _ in SCALARS}
    for prefix, source, codes in GROUPS:
        counts = row.get(source) or {}
        for code in codes:
            out[f"{prefix}_{code}"] = int(counts.get(code, 0))
    out["hours"] = orjson.dumps(row.get("hours") or []).decode()
    return out


def hotspots_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """CSV with WKT geometry (WGS 84 lon/lat)."""
    names = [name for name, _ in columns()]

    def line(row: Mapping[str, Any]) -> list[Any]:
        values = flat(row)
        return [*(values[name] for name in names), row["wkt"]]

    return write_csv([*names, "wkt"], (line(r) for r in rows))


def hotspots_gpkg(rows: Sequence[Mapping[str, Any]], filters: Mapping[str, Any]) -> bytes:
    """GeoPackage in SWEREF 99 TM; the filters are kept in the layer's metadata."""
    flats = [flat(r) for r in rows]
    spec = columns()
    return write_gpkg(
        LAYER,
        "Polygon",
        [name for name, _ in spec],
        [column([f[name] for f in flats], kind) for name, kind in spec],
        [bytes(r["wkb_3006"]) for r in rows],
        metadata={"filters": dict(filters)},
    )


async def build_export(db: Database, run_id: int, filters: ReportFilter, fmt: str) -> Export:
    """The staff view of run `run_id` (all hotspots, every attribute) as a file."""
    if fmt == "geojson":
        # Built in PostGIS (ST_AsGeoJSON + json_agg): never parsed in Python.
        body, rows = await collection_with_count(db, run_id, filters)
        return Export(body.encode(), MEDIA_TYPES[fmt], "hotspots.geojson", rows)
    records = await export_rows(db, run_id, filters)
    if fmt == "gpkg":
        # GDAL writes a file: keep it off the event loop.
        data = await asyncio.to_thread(hotspots_gpkg, records, filters.describe())
        return Export(data, MEDIA_TYPES[fmt], "hotspots.gpkg", len(records))
    if fmt == "csv":
        data = await asyncio.to_thread(hotspots_csv, records)
        return Export(data, MEDIA_TYPES[fmt], "hotspots.csv", len(records))
    raise ValueError(f"unknown export format {fmt}")
