"""Named places from the kommun's gazetteer: the place search and hotspot names.

The kommun supplies a GeoJSON FeatureCollection of Point features with a
`name` property (settings.gazetteer_file). Without a file the list is empty:
the service ships no invented coordinates.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any


class GazetteerError(ValueError):
    """The configured gazetteer file cannot be used; the message says why."""


def _place(feature: Any) -> dict[str, Any] | None:
    if not isinstance(feature, dict):
        return None
    geometry = feature.get("geometry") or {}
    props = feature.get("properties") or {}
    name = props.get("name") or props.get("namn")
    coords = geometry.get("coordinates")
    if geometry.get("type") != "Point" or not isinstance(name, str) or not name.strip():
        return None
    if not isinstance(coords, list) or len(coords) < 2:
        return None
    lon, lat = coords[0], coords[1]
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in (lon, lat)):
        return None
    return {"name": name.strip(), "lon": float(lon), "lat": float(lat)}


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> tuple[dict[str, Any], ...]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"cannot read the gazetteer {path}: {exc}") from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise GazetteerError(f"{path} is not a GeoJSON FeatureCollection")
    places = [p for p in (_place(f) for f in features) if p is not None]
    return tuple(sorted(places, key=lambda p: str(p["name"]).casefold()))


def load_places(path: Path | None) -> list[dict[str, Any]]:
    """Places sorted by name; an empty list when no file is configured."""
    if path is None:
        return []
    try:
        mtime = Path(path).stat().st_mtime
    except OSError as exc:
        raise GazetteerError(f"the gazetteer file {path} does not exist") from exc
    return list(_load(str(path), mtime))
