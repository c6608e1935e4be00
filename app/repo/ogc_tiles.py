"""Mapbox Vector Tiles (WebMercatorQuad) built by PostGIS with ST_AsMVT.

Staff reports are counted per grid cell below `POINTS_FROM_ZOOM` (summed from
the trigger-kept `report_grid`) and drawn as points from there on, unless a
tile would hold more than `MAX_POINTS`; hotspots come in as the public view's GeoJSON, so a tile
shows exactly what the public map shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, Integer, Text, bindparam, text
from sqlalchemy.sql.elements import TextClause

from app.db.pool import Database

EXTENT = 4096
BUFFER = 64
# Below this zoom a tile holds report counts per cell, not single reports.
POINTS_FROM_ZOOM = 15
# Cells per tile side for the aggregated reports (32 -> 32 x 32 cells, 8 px on a
# 256 px tile). 64 x 64 cells cost four times the features to encode (the bulk of
# a first-asked tile at 1M reports) and to draw, for discs that overlapped anyway.
GRID_CELLS = 32
# The zoom levels whose tiles are the cells of `report_grid` (migration 0011).
GRID_LEVELS = (14, 17, 20)
FINEST_LEVEL = GRID_LEVELS[-1]
# A tile from POINTS_FROM_ZOOM with more reports than this shows counts instead.
MAX_POINTS = 2000

_TILE = "ST_TileEnvelope(:z, :x, :y)"

_REPORT_POINTS = text(
    f"""
WITH bounds AS (SELECT {_TILE} AS tile, ST_Transform({_TILE}, 4326) AS wgs)
SELECT ST_AsMVT(t, 'reports', {EXTENT}, 'geom') AS tile FROM (
    SELECT r.id::text AS id, r.created_at::text AS created_at, r.status, r.severity,
           array_to_string(r.reasons, ',') AS reasons, array_to_string(r.times, ',') AS times,
           ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.tile, {EXTENT}, {BUFFER}) AS geom
    FROM reports r, bounds b
    WHERE r.geom && b.wgs
) t WHERE geom IS NOT NULL
"""
).bindparams(
    bindparam("z", type_=Integer), bindparam("x", type_=Integer), bindparam("y", type_=Integer)
)

# Counts per cell, summed from `report_grid` (kept by triggers on `reports`,
# migration 0011): cell (gx, gy) of level L is the zoom-L tile (gx, gy), so a
# zoom-z tile's cells are the level-L cells shifted right by L - z - log2(cells).
_GRID_SQL = f"""
SELECT ST_AsMVT(t, 'reports', {EXTENT}, 'geom') FROM (
    SELECT sum(g.reports)::int AS reports, sum(g.published)::int AS published,
           ST_MakePoint(((g.gx >> :shift) - :i0 + 0.5) * :px,
                        ((g.gy >> :shift) - :j0 + 0.5) * :px) AS geom
    FROM report_grid g
    WHERE g.level = :level AND g.gx BETWEEN :gx0 AND :gx1 AND g.gy BETWEEN :gy0 AND :gy1
      AND g.reports > 0
    GROUP BY g.gx >> :shift, g.gy >> :shift
) t
"""
# The grid's version (bumped by its trigger in the same transaction as the
# counts, migration 0012) and when it changed: a re-created database starts
# again at 0, its time does not.
_VERSION_SQL = """
SELECT version || '-' || (extract(epoch FROM changed_at) * 1000000)::bigint
FROM data_version WHERE name = 'report_grid'
"""
_GRID_BINDS = (
    *(
        bindparam(name, type_=Integer)
        for name in ("shift", "i0", "j0", "level", "gx0", "gx1", "gy0", "gy1")
    ),
    bindparam("px", type_=Float),
)
_REPORT_GRID = text(f"SELECT ({_GRID_SQL}) AS tile").bindparams(*_GRID_BINDS)
# The tile with the version it was built at: one statement, one snapshot.
_REPORT_GRID_VERSIONED = text(
    f"SELECT ({_VERSION_SQL}) AS version, ({_GRID_SQL}) AS tile"
).bindparams(*_GRID_BINDS)
_VERSION = text(f"SELECT ({_VERSION_SQL}) AS version")

_GRID_TOTAL = text(
    """
SELECT COALESCE(sum(reports), 0)::bigint AS n FROM report_grid
WHERE level = :level AND gx BETWEEN :gx0 AND :gx1 AND gy BETWEEN :gy0 AND :gy1
"""
).bindparams(*(bindparam(name, type_=Integer) for name in ("level", "gx0", "gx1", "gy0", "gy1")))


@dataclass(frozen=True)
class GridCut:
    """Which grid level answers a tile, and the tile's span of cells in it."""

    level: int
    shift: int
    cells: int  # per tile side
    gx0: int
    gy0: int

    def bounds(self) -> dict[str, int]:
        span = self.cells << self.shift
        return {
            "level": self.level,
            "gx0": self.gx0,
            "gx1": self.gx0 + span - 1,
            "gy0": self.gy0,
            "gy1": self.gy0 + span - 1,
        }


def grid_cut(z: int, x: int, y: int) -> GridCut:
    """Up to GRID_CELLS x GRID_CELLS cells per tile, from the coarsest level fine enough.

    Zoom at most FINEST_LEVEL: beyond it a cell would be larger than the tile.
    """
    cells = min(GRID_CELLS, 1 << max(0, FINEST_LEVEL - z))
    fine = z + cells.bit_length() - 1  # the zoom whose tiles are this tile's cells
    level = min(level for level in GRID_LEVELS if level >= fine)
    shift = level - fine
    return GridCut(level, shift, cells, (x * cells) << shift, (y * cells) << shift)


_SITES = text(
    f"""
WITH bounds AS (SELECT {_TILE} AS tile, ST_Transform({_TILE}, 4326) AS wgs)
SELECT ST_AsMVT(t, 'sites', {EXTENT}, 'geom') AS tile FROM (
    SELECT s.id::text AS id, s.name, s.status,
           ST_AsMVTGeom(ST_Transform(s.geom, 3857), b.tile, {EXTENT}, {BUFFER}) AS geom
    FROM sites s, bounds b
    WHERE s.geom && b.wgs
) t WHERE geom IS NOT NULL
"""
).bindparams(
    bindparam("z", type_=Integer), bindparam("x", type_=Integer), bindparam("y", type_=Integer)
)

_HOTSPOTS = text(
    f"""
WITH bounds AS (SELECT {_TILE} AS tile)
SELECT ST_AsMVT(t, 'hotspots', {EXTENT}, 'geom') AS tile FROM (
    SELECT f->>'id' AS id, (f->'properties'->>'rank')::int AS rank,
           (f->'properties'->>'score')::float8 AS score,
           (f->'properties'->>'reporters')::int AS reporters,
           -- An outline smaller than a pixel at low zoom becomes its centre point.
           COALESCE(ST_AsMVTGeom(g, b.tile, {EXTENT}, {BUFFER}),
                    ST_AsMVTGeom(ST_PointOnSurface(g), b.tile, {EXTENT}, {BUFFER})) AS geom
    FROM json_array_elements(CAST(:features AS json)) AS f, bounds b,
         ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(f->>'geometry'), 4326), 3857) AS g
) t WHERE geom IS NOT NULL
"""
).bindparams(
    bindparam("z", type_=Integer),
    bindparam("x", type_=Integer),
    bindparam("y", type_=Integer),
    bindparam("features", type_=Text),
)


async def _tile(db: Database, stmt: TextClause) -> bytes:
    row = await db.fetch_one(stmt)
    value = None if row is None else row["tile"]
    return bytes(value) if value is not None else b""


async def report_tile(db: Database, z: int, x: int, y: int) -> tuple[bytes, bool]:
    """The tile, and whether it holds single reports (points) rather than counts.

    From POINTS_FROM_ZOOM a tile holds points when it has at most MAX_POINTS
    reports, and counts on the finest grid otherwise: a tile of 100 000
    points is neither quick to build nor readable.
    """
    points = _REPORT_POINTS.bindparams(z=z, x=x, y=y)
    if z > FINEST_LEVEL:
        return await _tile(db, points), True
    cut = grid_cut(z, x, y)
    if z >= POINTS_FROM_ZOOM:
        total = await db.fetch_one(_GRID_TOTAL.bindparams(**cut.bounds()))
        if total is not None and int(total["n"]) <= MAX_POINTS:
            return await _tile(db, points), True
    return await _tile(db, _REPORT_GRID.bindparams(**_grid_values(cut, x, y))), False


def _grid_values(cut: GridCut, x: int, y: int) -> dict[str, int | float]:
    return {
        "shift": cut.shift,
        "i0": x * cut.cells,
        "j0": y * cut.cells,
        "px": EXTENT / cut.cells,
        **cut.bounds(),
    }


async def grid_version(db: Database) -> str:
    """The report grid's version: aggregated tiles change only when it does."""
    row = await db.fetch_one(_VERSION)
    return "" if row is None else str(row["version"])


async def grid_tile(db: Database, z: int, x: int, y: int) -> tuple[bytes, str]:
    """An aggregated tile (counts per cell) and the grid version it was built at."""
    stmt = _REPORT_GRID_VERSIONED.bindparams(**_grid_values(grid_cut(z, x, y), x, y))
    row = await db.fetch_one(stmt)
    assert row is not None
    tile = row["tile"]
    return (bytes(tile) if tile is not None else b""), str(row["version"])


async def site_tile(db: Database, z: int, x: int, y: int) -> bytes:
    return await _tile(db, _SITES.bindparams(z=z, x=x, y=y))


async def hotspot_tile(db: Database, z: int, x: int, y: int, features_json: str) -> bytes:
    return await _tile(db, _HOTSPOTS.bindparams(z=z, x=x, y=y, features=features_json))
