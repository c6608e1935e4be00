"""What every export returns: the file's bytes, its media type and name."""

from __future__ import annotations

from dataclasses import dataclass

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
