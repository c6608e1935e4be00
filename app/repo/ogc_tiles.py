"""Mapbox Vector Tiles (WebMercatorQuad) built by PostGIS with ST_AsMVT.

Staff reports are counted per grid cell below `POINTS_FROM_ZOOM` and drawn as
points from there on; hotspots come in as the public view's GeoJSON, so a tile
shows exactly what the public map shows.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, Text, bindparam, text
from sqlalchemy.sql.elements import TextClause

from app.db.pool import Database

EXTENT = 4096
BUFFER = 64
# Below this zoom a tile holds report counts per cell, not single reports.
POINTS_FROM_ZOOM = 15
# Cells per tile side for the aggregated reports (64 -> 64 x 64 cells).
GRID_CELLS = 64

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

# Counts per cell. The cell of each report is computed from its lon/lat with the
# Web Mercator formulas (no per-row ST_Transform) and written straight in tile
# coordinates, so ST_AsMVTGeom is not needed either.
_REPORT_GRID = text(
    f"""
WITH bounds AS (SELECT ST_Transform({_TILE}, 4326) AS wgs),
cells AS (
    SELECT floor(((ST_X(p) + 180) / 360 * :n - :x) * {GRID_CELLS})::int AS i,
           floor(((1 - asinh(tan(radians(ST_Y(p)))) / pi()) / 2 * :n - :y)
                 * {GRID_CELLS})::int AS j,
           count(*)::int AS reports,
           (count(*) FILTER (WHERE r.status = 'published'))::int AS published
    FROM reports r
    CROSS JOIN bounds b
    CROSS JOIN LATERAL (
        SELECT CASE WHEN GeometryType(r.geom) = 'POINT' THEN r.geom
                    ELSE ST_PointOnSurface(r.geom) END AS p
    ) q
    WHERE r.geom && b.wgs
    GROUP BY 1, 2
)
SELECT ST_AsMVT(t, 'reports', {EXTENT}, 'geom') AS tile FROM (
    SELECT reports, published,
           ST_MakePoint((i + 0.5) * {EXTENT // GRID_CELLS}, (j + 0.5) * {EXTENT // GRID_CELLS})
               AS geom
    FROM cells WHERE i BETWEEN 0 AND {GRID_CELLS - 1} AND j BETWEEN 0 AND {GRID_CELLS - 1}
) t
"""
).bindparams(
    bindparam("z", type_=Integer),
    bindparam("x", type_=Integer),
    bindparam("y", type_=Integer),
    bindparam("n", type_=Float),
)

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


async def report_tile(db: Database, z: int, x: int, y: int) -> bytes:
    if z >= POINTS_FROM_ZOOM:
        return await _tile(db, _REPORT_POINTS.bindparams(z=z, x=x, y=y))
    return await _tile(db, _REPORT_GRID.bindparams(z=z, x=x, y=y, n=float(2**z)))


async def site_tile(db: Database, z: int, x: int, y: int) -> bytes:
    return await _tile(db, _SITES.bindparams(z=z, x=x, y=y))


async def hotspot_tile(db: Database, z: int, x: int, y: int, features_json: str) -> bytes:
    return await _tile(db, _HOTSPOTS.bindparams(z=z, x=x, y=y, features=features_json))
