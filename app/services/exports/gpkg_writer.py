"""GeoPackage in SWEREF 99 TM (EPSG:3006), written by GDAL through pyogrio."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyogrio.raw

_DTYPES = {"int": np.int64, "float": np.float64}
# GeoPackage 1.2: the newest version Debian 12's GDAL 3.6 opens without a warning
# (GDAL 3.7+ would write 1.4 and older readers say "may only be partially supported").
GPKG_VERSION = "1.2"
# GDAL's time-zone flag for UTC (RFC 56: 100 is GMT, each step 15 minutes).
_GDAL_UTC = 100


def column(values: list[Any], kind: str) -> tuple[np.ndarray, np.ndarray | None]:
    """One attribute column for GDAL, with a null mask if needed.

    `kind` is str, int, float, date (datetime.date) or datetime (aware
    datetime.datetime, stored as a GeoPackage DATETIME in UTC).
    """
    if kind == "str":
        return np.array(values, dtype=object), None
    mask = np.array([v is None for v in values], dtype=bool)
    if kind == "date":
        days = [np.datetime64("NaT") if v is None else np.datetime64(v, "D") for v in values]
        return np.array(days, dtype="datetime64[D]"), (mask if mask.any() else None)
    if kind == "datetime":
        stamps = [np.datetime64("NaT") if v is None else _utc(v) for v in values]
        return np.array(stamps, dtype="datetime64[ms]"), (mask if mask.any() else None)
    filled = [0 if v is None else v for v in values]
    return np.array(filled, dtype=_DTYPES[kind]), (mask if mask.any() else None)


def _utc(value: dt.datetime) -> np.datetime64:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return np.datetime64(value, "ms")


@dataclass(frozen=True)
class Layer:
    """One GeoPackage layer: EPSG:3006 geometries (WKB) of one type, with attribute columns."""

    name: str
    geometry_type: str
    fields: Sequence[str]
    columns: Sequence[tuple[np.ndarray, np.ndarray | None]]
    wkb: Sequence[bytes]
    metadata: Mapping[str, Any] | None = None


def write_gpkg(
    layer: str,
    geometry_type: str,
    fields: Sequence[str],
    columns: Sequence[tuple[np.ndarray, np.ndarray | None]],
    wkb: Sequence[bytes],
    metadata: Mapping[str, Any] | None = None,
) -> bytes:
    """One layer of EPSG:3006 geometries (WKB) with attribute columns, as file bytes."""
    return write_layers([Layer(layer, geometry_type, fields, columns, wkb, metadata)])


def write_layers(layers: Sequence[Layer]) -> bytes:
    """Several layers in one GeoPackage, each with a single geometry type, as file bytes."""
    # GDAL writes a file, not a buffer: write to a temporary one and read it back.
    with tempfile.TemporaryDirectory(prefix="trygg-gpkg-") as tmp:
        path = Path(tmp) / "export.gpkg"
        for index, layer in enumerate(layers):
            _write_layer(path, layer, append=index > 0)
        return path.read_bytes()


def _write_layer(path: Path, layer: Layer, *, append: bool) -> None:
    data = [array for array, _ in layer.columns]
    masks = [mask for _, mask in layer.columns]
    # Date-times are UTC: tell GDAL so, or it writes them without a zone.
    utc = {
        name: np.full(len(array), _GDAL_UTC, dtype=np.int32)
        for name, array in zip(layer.fields, data, strict=True)
        if array.dtype == np.dtype("datetime64[ms]")
    }
    pyogrio.raw.write(
        str(path),
        np.array(list(layer.wkb), dtype=object),
        data,
        list(layer.fields),
        field_mask=masks if any(m is not None for m in masks) else None,
        layer=layer.name,
        driver="GPKG",
        geometry_type=layer.geometry_type,
        crs="EPSG:3006",
        append=append,
        dataset_options=None if append else {"VERSION": GPKG_VERSION},
        gdal_tz_offsets=utc or None,
        layer_metadata=(
            None
            if layer.metadata is None
            else {k: orjson.dumps(v).decode() for k, v in layer.metadata.items()}
        ),
    )
