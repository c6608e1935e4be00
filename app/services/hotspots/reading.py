"""Reading hotspots of a run: named for the API and OGC, and as plain dicts for other
features (planning, sites, promises)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from typing import Any

import orjson

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable
from app.domain.filters import ReportFilter
from app.repo.hotspots.read_sql import collection_json, feature_of
from app.services import place_names
from app.services.hotspots.context import context_of
from app.services.hotspots.freshness import current_run
from app.services.hotspots.serving import Served, serve


async def named_collection(
    db: Database, settings: Settings, served: Served, filters: ReportFilter, *, public: bool
) -> str:
    """The FeatureCollection of `served` for `filters`, each hotspot with its place name.

    The one read path behind GET /api/v1/hotspots and OGC hotspots. Names live
    on the primary (`db`): while it is down the standby's answer goes out unnamed.
    """
    if served.run is None:
        return '{"type": "FeatureCollection", "features": []}'
    body = await collection_json(
        served.source,
        int(served.run["id"]),
        filters,
        public=public,
        public_min=settings.public_min_reporters,
    )
    with contextlib.suppress(DatabaseUnavailable):
        body = await place_names.name_collection(db, settings, body)
    return body


async def named_feature(
    db: Database, settings: Settings, served: Served, hotspot_id: uuid.UUID, *, public: bool
) -> dict[str, Any] | None:
    """One hotspot of `served` with its place name, or None when it is not in that run."""
    if served.run is None:
        return None
    feature = await feature_of(
        served.source,
        int(served.run["id"]),
        hotspot_id,
        public=public,
        public_min=settings.public_min_reporters,
    )
    if feature is not None:
        with contextlib.suppress(DatabaseUnavailable):
            feature = await place_names.name_feature(db, settings, feature)
    return feature


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
    # A read: the last completed run at once, as GET /api/v1/hotspots/{id} serves it.
    served = await serve(db, ctx, ReportFilter(), wait=db.settings.hotspot_wait_seconds)
    if served.run is None:
        return None
    feature = await feature_of(
        db, int(served.run["id"]), wanted, public=public, public_min=ctx.public_min_reporters
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
