"""GeoPackage in SWEREF 99 TM (EPSG:3006), written by GDAL through pyogrio."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyogrio.raw

from app.services.exports.attributes import columns, flat

LAYER = "hotspots"
_DTYPES = {"int": np.int64, "float": np.float64}


def _column(values: list[Any], kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    if kind == "str":
        return np.array(values, dtype=object), None
    mask = np.array([v is None for v in values])
    filled = [0 if v is None else v for v in values]
    return np.array(filled, dtype=_DTYPES[kind]), (mask if mask.any() else None)


def write_gpkg(rows: Sequence[dict[str, Any]], filters: Mapping[str, Any]) -> bytes:
    flats = [flat(r) for r in rows]
    spec = columns()
    fields = [name for name, _ in spec]
    data = []
    masks = []
    for name, kind in spec:
        array, mask = _column([f[name] for f in flats], kind)
        data.append(array)
        masks.append(mask)
    geometry = np.array([bytes(r["wkb_3006"]) for r in rows], dtype=object)
    with tempfile.TemporaryDirectory(prefix="trygg-gpkg-") as tmp:
        path = Path(tmp) / "hotspots.gpkg"
        pyogrio.raw.write(
            str(path),
            geometry,
            data,
            fields,
            field_mask=masks if any(m is not None for m in masks) else None,
            layer=LAYER,
            driver="GPKG",
            geometry_type="Polygon",
            crs="EPSG:3006",
            layer_metadata={"filters": orjson.dumps(dict(filters)).decode()},
        )
        return path.read_bytes()
