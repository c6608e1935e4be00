"""Build one export of the current hotspots in the requested format."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo import hotspots as store
from app.services import place_names
from app.services.exports.csv_export import write_csv
from app.services.exports.gpkg_export import write_gpkg

FORMATS = ("geojson", "gpkg", "csv")
MEDIA_TYPES = {
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "csv": "text/csv; charset=utf-8",
}


@dataclass(frozen=True)
class Export:
    body: bytes
    media_type: str
    filename: str
    rows: int


async def build_export(db: Database, run_id: int, filters: ReportFilter, fmt: str) -> Export:
    """The staff view of run `run_id` (all hotspots, every attribute) as a file."""
    if fmt == "geojson":
        # Built in PostGIS (ST_AsGeoJSON + json_agg): never parsed in Python.
        body, rows = await store.collection_with_count(db, run_id, filters)
        body = await place_names.name_export(db, body)
        return Export(body.encode(), MEDIA_TYPES[fmt], "hotspots.geojson", rows)
    records = await place_names.with_names(db, await store.export_rows(db, run_id, filters))
    if fmt == "gpkg":
        # GDAL writes a file: keep it off the event loop.
        data = await asyncio.to_thread(write_gpkg, records, filters.describe())
        return Export(data, MEDIA_TYPES[fmt], "hotspots.gpkg", len(records))
    if fmt == "csv":
        data = await asyncio.to_thread(write_csv, records)
        return Export(data, MEDIA_TYPES[fmt], "hotspots.csv", len(records))
    raise ValueError(f"unknown export format {fmt}")
