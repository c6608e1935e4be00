"""Use cases behind OGC API – Tiles: one Mapbox Vector Tile per collection and tile.

Aggregated report tiles (counts per cell) change only when the report grid's
version does, so they are kept in memory by version and carry it as ETag:
a repeated tile costs one indexed read of the version, a revalidation a 304.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import orjson

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo import ogc_tiles as store
from app.repo.ogc_tiles import POINTS_FROM_ZOOM
from app.security import audit
from app.security.access import Principal
from app.services.ogc import public_hotspots

__all__ = ["POINTS_FROM_ZOOM", "Tile", "hotspot_tile", "report_tile", "site_tile"]

# Bytes of aggregated tiles kept per process (a dense z14 tile is about 40 kB).
CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Tile:
    body: bytes
    etag: str | None = None  # aggregated tiles only
    unchanged: bool = False  # the client's If-None-Match holds: answer 304


class TileCache:
    """Aggregated tiles by (z, x, y), each with the grid version it was built at."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self.size = 0
        self.tiles: OrderedDict[tuple[int, int, int], tuple[str, bytes]] = OrderedDict()

    def get(self, key: tuple[int, int, int], version: str) -> bytes | None:
        held = self.tiles.get(key)
        if held is None or held[0] != version:
            return None
        self.tiles.move_to_end(key)
        return held[1]

    def put(self, key: tuple[int, int, int], version: str, body: bytes) -> None:
        old = self.tiles.pop(key, None)
        if old is not None:
            self.size -= len(old[1])
        self.tiles[key] = (version, body)
        self.size += len(body)
        while self.size > self.budget and self.tiles:
            _, (_, dropped) = self.tiles.popitem(last=False)
            self.size -= len(dropped)


_CACHE = TileCache()


def _etag(version: str) -> str:
    return f'W/"grid-{version}"'


def _seen(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison, as RFC 9110 wants for If-None-Match."""
    if not if_none_match:
        return False
    wanted = etag.removeprefix("W/")
    return any(
        tag.strip() == "*" or tag.strip().removeprefix("W/") == wanted
        for tag in if_none_match.split(",")
    )


async def hotspot_tile(db: Database, settings: Settings, z: int, x: int, y: int) -> bytes:
    """The public hotspots, exactly as anonymous GET /api/v1/hotspots shows them."""
    features, _ = await public_hotspots(db, settings, ReportFilter())
    if not features:
        return b""
    return await store.hotspot_tile(db, z, x, y, orjson.dumps(features).decode())


async def report_tile(
    db: Database, principal: Principal, z: int, x: int, y: int, if_none_match: str | None = None
) -> Tile:
    if z < POINTS_FROM_ZOOM:
        # Counts only (no single report): the same for every staff reader, cacheable.
        version = await store.grid_version(db)
        etag = _etag(version)
        if _seen(if_none_match, etag):
            return Tile(b"", etag, unchanged=True)
        body = _CACHE.get((z, x, y), version)
        if body is None:
            body, version = await store.grid_tile(db, z, x, y)
            _CACHE.put((z, x, y), version, body)
        return Tile(body, _etag(version))
    tile, points = await store.report_tile(db, z, x, y)
    if points and tile:
        # Single reports are personal data: audited like the staff map's markers.
        await audit.record(
            db, principal, "reports:map", details={"via": "ogc-tiles", "tile": [z, x, y]}
        )
    return Tile(tile)


async def site_tile(db: Database, z: int, x: int, y: int) -> bytes:
    return await store.site_tile(db, z, x, y)
