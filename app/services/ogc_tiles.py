"""Use cases behind OGC API – Tiles: one Mapbox Vector Tile per collection and tile."""

from __future__ import annotations

import orjson

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo import ogc_tiles as store
from app.repo.ogc_tiles import POINTS_FROM_ZOOM
from app.security import audit
from app.security.access import Principal
from app.services.ogc import public_hotspots

__all__ = ["POINTS_FROM_ZOOM", "hotspot_tile", "report_tile", "site_tile"]


async def hotspot_tile(db: Database, settings: Settings, z: int, x: int, y: int) -> bytes:
    """The public hotspots, exactly as anonymous GET /api/v1/hotspots shows them."""
    features, _ = await public_hotspots(db, settings, ReportFilter())
    if not features:
        return b""
    return await store.hotspot_tile(db, z, x, y, orjson.dumps(features).decode())


async def report_tile(db: Database, principal: Principal, z: int, x: int, y: int) -> bytes:
    tile, points = await store.report_tile(db, z, x, y)
    if points and tile:
        # Single reports are personal data: audited like the staff map's markers.
        await audit.record(
            db, principal, "reports:map", details={"via": "ogc-tiles", "tile": [z, x, y]}
        )
    return tile


async def site_tile(db: Database, z: int, x: int, y: int) -> bytes:
    return await store.site_tile(db, z, x, y)
