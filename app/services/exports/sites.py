"""Redesign sites as GeoPackage (SWEREF 99 TM, EPSG:3006) and CSV (WKT in WGS 84)."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw

from app.services.exports.csv_export import neutralise

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


def _flat(row: dict[str, Any]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in FIELDS:
        value = row[name]
        if name == "measures":
            out[name] = ", ".join(value or [])
        else:
            out[name] = None if value is None else str(value)
    return out


def write_gpkg(rows: Sequence[dict[str, Any]]) -> bytes:
    flats = [_flat(r) for r in rows]
    data = [np.array([f[name] for f in flats], dtype=object) for name in FIELDS]
    geometry = np.array([bytes(r["wkb_3006"]) for r in rows], dtype=object)
    with tempfile.TemporaryDirectory(prefix="trygg-sites-") as tmp:
        path = Path(tmp) / "sites.gpkg"
        pyogrio.raw.write(
            str(path),
            geometry,
            data,
            list(FIELDS),
            layer=LAYER,
            driver="GPKG",
            geometry_type="MultiPolygon",
            crs="EPSG:3006",
        )
        return path.read_bytes()


def write_csv(rows: Sequence[dict[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*FIELDS, "wkt"])
    for row in rows:
        flat = _flat(row)
        writer.writerow([neutralise(flat[name]) for name in FIELDS] + [row["wkt"]])
    return ("\ufeff" + buffer.getvalue()).encode()
