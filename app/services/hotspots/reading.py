"""The current hotspots as plain dicts, for other features (planning, sites, promises)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo.hotspots.read_sql import collection_json, feature_of
from app.services.hotspots.context import context_of
from app.services.hotspots.freshness import current_run


def _flatten(feature: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": feature["id"], **feature["properties"], "geometry": feature["geometry"]}


async def list_hotspots(
    db: Database,
    filters: ReportFilter | Mapping[str, Any] | None = None,
    *,
    public: bool = False,
    wait: float | None = None,
) -> list[dict[str, Any]]:
    """Ranked hotspots for `filters` as dicts: id, properties, `geometry` (GeoJSON) and `centre`."""
    if not isinstance(filters, ReportFilter):
        filters = ReportFilter.from_mapping(filters)
    ctx = context_of(db.settings)
    run, _ = await current_run(db, ctx, filters, wait)
    if run is None:
        return []
    body = await collection_json(
        db, int(run["id"]), filters, public=public, public_min=ctx.public_min_reporters
    )
    return [_flatten(f) for f in orjson.loads(body)["features"]]


async def get_hotspot(
    db: Database, hotspot_id: uuid.UUID | str, *, public: bool = False
) -> dict[str, Any] | None:
    """One hotspot of the current unfiltered result, or None when it is not there now."""
    try:
        wanted = hotspot_id if isinstance(hotspot_id, uuid.UUID) else uuid.UUID(str(hotspot_id))
    except ValueError:
        return None
    ctx = context_of(db.settings)
    run, _ = await current_run(db, ctx, ReportFilter(), db.settings.hotspot_wait_seconds)
    if run is None:
        return None
    feature = await feature_of(
        db, int(run["id"]), wanted, public=public, public_min=ctx.public_min_reporters
    )
    return None if feature is None else _flatten(feature)


def shown_counts(settings: Settings, counts: Mapping[str, int]) -> dict[str, int | None]:
    """Public report counts per period ("before", "during"): None when fewer than
    `public_min_reporters` people stand behind one (`<period>_people`)."""
    least = settings.public_min_reporters
    return {
        period: counts[period] if counts[f"{period}_people"] >= least else None
        for period in ("before", "during")
    }
