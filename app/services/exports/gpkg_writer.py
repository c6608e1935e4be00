"""GeoPackage in SWEREF 99 TM (EPSG:3006), written by GDAL through pyogrio."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyogrio.raw

_DTYPES = {"int": np.int64, "float": np.float64}


def column(values: list[Any], kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    """One attribute column for GDAL: str, int or float, with a null mask if needed."""
    if kind == "str":
        return np.array(values, dtype=object), None
    mask = np.array([v is None for v in values])
    filled = [0 if v is None else v for v in values]
    return np.array(filled, dtype=_DTYPES[kind]), (mask if mask.any() else None)


def write_gpkg(
    layer: str,
    geometry_type: str,
    fields: Sequence[str],
    columns: Sequence[tuple[np.ndarray, np.ndarray | None]],
    wkb: Sequence[bytes],
    metadata: Mapping[str, Any] | None = None,
) -> bytes:
    """One layer of EPSG:3006 geometries (WKB) with attribute columns, as file bytes."""
    data = [array for array, _ in columns]
    masks = [mask for _, mask in columns]
    geometry = np.array(list(wkb), dtype=object)
    # GDAL writes a file, not a buffer: write to a temporary one and read it back.
    with tempfile.TemporaryDirectory(prefix="trygg-gpkg-") as tmp:
        path = Path(tmp) / f"{layer}.gpkg"
        pyogrio.raw.write(
            str(path),
            geometry,
            data,
            list(fields),
            field_mask=masks if any(m is not None for m in masks) else None,
            layer=layer,
            driver="GPKG",
            geometry_type=geometry_type,
            crs="EPSG:3006",
            layer_metadata=(
                None
                if metadata is None
                else {k: orjson.dumps(v).decode() for k, v in metadata.items()}
            ),
        )
        return path.read_bytes()
