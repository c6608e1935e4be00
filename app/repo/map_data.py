"""Viewport queries for the staff map: markers, grid counts and heat points.

The staff map must stay fast at 100k reports, so the browser never gets all
of them: below `marker_limit` reports in view it gets points (clustered in
the browser), above it one count per grid cell sized for the zoom level. Heat
points come from deduplicated person-places (one person's reports within
25 m count once), aggregated per cell too: without filters from `heat_grid`
(kept by triggers, migration 0012), so the heat costs the same at 1M reports
as at 1k. Every answer is built as JSON in PostGIS and passed through untouched.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    ARRAY,
    Float,
    Integer,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
    text,
)
from sqlalchemy import JSON as _JSON
from sqlalchemy import Numeric as _NUMERIC
from sqlalchemy.sql import ColumnElement

from app.db.pool import Database
from app.db.tables.reports import reports as r
from app.domain.filters import ReportFilter

# Grid cells are about this many screen pixels wide; heat cells a little smaller.
GRID_PIXELS = 64
HEAT_PIXELS = 16
DEDUP_METRES = 25.0
EARTH_METRES_PER_PIXEL_Z0 = 156543.03392  # Web Mercator, 256-pixel tiles, at the equator


def _mid_lat(filters: ReportFilter) -> float:
    box = filters.bbox or (0.0, 0.0, 0.0, 0.0)
    return (box[1] + box[3]) / 2


def metres_per_pixel(filters: ReportFilter, zoom: int) -> float:
    """Ground metres per screen pixel at the middle of the view."""
    return float(EARTH_METRES_PER_PIXEL_Z0 * math.cos(math.radians(_mid_lat(filters))) / 2**zoom)


def grid_degrees(filters: ReportFilter, zoom: int) -> tuple[float, float]:
    """Cell width and height in degrees: GRID_PIXELS at this zoom, square on the ground."""
    lon = 360.0 / 2**zoom / 256 * GRID_PIXELS
    return lon, lon * math.cos(math.radians(_mid_lat(filters)))


async def _one_text(db: Database, stmt: Any, default: str) -> str:
    """Run a JSON-building query without JIT.

    PostGIS functions carry high cost estimates, so PostgreSQL JIT-compiles
    these plans; compiling took longer (0.5 s) than running them (0.1 s).
    """
    async with db.transaction() as conn:
        await conn.execute("SET LOCAL jit = off")
        row = await db.fetch_one(stmt, conn)
    return str(row["body"]) if row and row["body"] is not None else default


def _conditions(filters: ReportFilter, *, unsafe_only: bool = False) -> list[ColumnElement[bool]]:
    """Published reports in the view's bbox that match the filters (`status` is ignored)."""
    conds: list[ColumnElement[bool]] = [r.c.status == "published"]
    if filters.bbox is not None:
        box = [bindparam(None, v, type_=Float) for v in filters.bbox]
        conds.append(func.ST_Intersects(r.c.geom, func.ST_MakeEnvelope(*box, 4326)))
    if unsafe_only:
        conds.append(r.c.kind == "unsafe")
    for column, values in (
        (r.c.times, filters.times),
        (r.c.days, filters.days),
        (r.c.reasons, filters.reasons),
    ):
        if values:
            # Any of the chosen codes: array overlap.
            wanted = bindparam(None, list(values), type_=ARRAY(Text))
            conds.append(column.op("&&")(wanted))
    if filters.since is not None:
        conds.append(r.c.created_at >= filters.since)
    if filters.until is not None:
        conds.append(r.c.created_at < filters.until)
    return conds


async def count_in_view(db: Database, filters: ReportFilter, limit: int) -> int:
    """How many reports are in view, counting no further than `limit + 1`."""
    inner = select(literal(1).label("one")).where(and_(*_conditions(filters))).limit(limit + 1)
    stmt = select(cast(func.count(), Text).label("body")).select_from(inner.subquery())
    return int(await _one_text(db, stmt, "0"))


def _approved(column: Any) -> Any:
    # Free text reaches staff only after a moderator approved it (or struck parts).
    return case((r.c.text_status.in_(("approved", "redacted")), column), else_=None)


async def markers_json(db: Database, filters: ReportFilter, total: int) -> str:
    point = func.ST_PointOnSurface(r.c.geom)
    props = func.json_build_object(
        "kind", r.c.kind,
        "shape", func.GeometryType(r.c.geom),
        "severity", r.c.severity,
        "reasons", r.c.reasons,
        "times", r.c.times,
        "days", r.c.days,
        "created", func.to_char(r.c.created_at, "YYYY-MM-DD"),
        "description", _approved(r.c.description),
        "suggestion", _approved(r.c.suggestion),
    )  # fmt: skip
    feature = func.json_build_object(
        "type", "Feature",
        "id", r.c.id,
        "geometry", cast(func.ST_AsGeoJSON(point, 6), _JSON),
        "properties", props,
    )  # fmt: skip
    inner = select(feature.label("f")).where(and_(*_conditions(filters))).subquery()
    body = func.json_build_object(
        "type", "FeatureCollection",
        "mode", "markers",
        "total", total,
        "features", func.coalesce(func.json_agg(inner.c.f), func.json_build_array()),
    )  # fmt: skip
    stmt = select(cast(body, Text).label("body")).select_from(inner)
    return await _one_text(db, stmt, '{"type":"FeatureCollection","features":[]}')


async def grid_json(db: Database, filters: ReportFilter, zoom: int) -> str:
    """One Point per non-empty cell, at the mean position of its reports, with a count."""
    cell_lon, cell_lat = grid_degrees(filters, zoom)
    point = func.ST_PointOnSurface(r.c.geom)
    base = select(
        func.ST_X(point).label("x"),
        func.ST_Y(point).label("y"),
    ).where(and_(*_conditions(filters)))
    pts = base.subquery()
    cells = (
        select(
            func.avg(pts.c.x).label("x"),
            func.avg(pts.c.y).label("y"),
            func.count().label("n"),
        )
        .group_by(
            func.floor(pts.c.x / bindparam(None, cell_lon, type_=Float)),
            func.floor(pts.c.y / bindparam(None, cell_lat, type_=Float)),
        )
        .subquery()
    )
    feature = func.json_build_object(
        "type", "Feature",
        "geometry", func.json_build_object(
            "type", "Point",
            "coordinates", func.json_build_array(func.round(cast(cells.c.x, _NUMERIC), 6),
                                                 func.round(cast(cells.c.y, _NUMERIC), 6)),
        ),
        "properties", func.json_build_object("count", cells.c.n),
    )  # fmt: skip
    body = func.json_build_object(
        "type", "FeatureCollection",
        "mode", "grid",
        "total", func.coalesce(func.sum(cells.c.n), 0),
        "features", func.coalesce(func.json_agg(feature), func.json_build_array()),
    )  # fmt: skip
    stmt = select(cast(body, Text).label("body")).select_from(cells)
    return await _one_text(db, stmt, '{"type":"FeatureCollection","features":[]}')


async def heat_json(db: Database, filters: ReportFilter, zoom: int) -> str:
    """`{"points": [[lon, lat, people], ...], "max": n}` from deduplicated person-places."""
    cell = max(DEDUP_METRES, metres_per_pixel(filters, zoom) * HEAT_PIXELS)
    who = func.coalesce(r.c.reporter_hash, func.uuid_send(r.c.id))
    snapped = func.ST_SnapToGrid(func.ST_PointOnSurface(r.c.geom_3006), DEDUP_METRES)
    people = (
        select(who.label("who"), snapped.label("p"))
        .where(and_(*_conditions(filters, unsafe_only=True)))
        .distinct()
        .subquery()
    )
    x = func.ST_X(people.c.p)
    y = func.ST_Y(people.c.p)
    cells = (
        select(
            func.avg(x).label("x"),
            func.avg(y).label("y"),
            func.count().label("n"),
        )
        .group_by(
            func.floor(x / bindparam(None, cell, type_=Float)),
            func.floor(y / bindparam(None, cell, type_=Float)),
        )
        .subquery()
    )
    wgs = func.ST_Transform(func.ST_SetSRID(func.ST_MakePoint(cells.c.x, cells.c.y), 3006), 4326)
    point = func.json_build_array(
        func.round(cast(func.ST_X(wgs), _NUMERIC), 5),
        func.round(cast(func.ST_Y(wgs), _NUMERIC), 5),
        cells.c.n,
    )
    body = func.json_build_object(
        "points", func.coalesce(func.json_agg(point), func.json_build_array()),
        "max", func.coalesce(func.max(cells.c.n), 0),
    )  # fmt: skip
    stmt = select(cast(body, Text).label("body")).select_from(cells)
    return await _one_text(db, stmt, '{"points":[],"max":0}')


# The zoom levels whose tiles are the cells of `heat_grid` (migration 0012).
HEAT_LEVELS = (8, 10, 12, 14, 16, 18, 20)
# A heat cell is the tile of zoom + 4: 16 of a 256-pixel tile's pixels.
HEAT_ZOOM_STEP = 4

_HEAT_GRID = text(
    """
SELECT json_build_object(
    'points', COALESCE(json_agg(json_build_array(
        round((c.lon / c.n)::numeric, 5), round((c.lat / c.n)::numeric, 5), c.n)),
        '[]'::json),
    'max', COALESCE(max(c.n), 0))::text AS body
FROM (
    SELECT sum(lon_sum) AS lon, sum(lat_sum) AS lat, sum(people)::int AS n
    FROM heat_grid
    WHERE level = :level AND gx BETWEEN :gx0 AND :gx1 AND gy BETWEEN :gy0 AND :gy1
      AND people > 0
    GROUP BY gx >> :shift, gy >> :shift
) c
"""
).bindparams(*(bindparam(n, type_=Integer) for n in ("level", "gx0", "gx1", "gy0", "gy1", "shift")))


def _cell(lon: float, lat: float, level: int) -> tuple[int, int]:
    """The level's Web Mercator cell of a point: report_grid_cell() of migration 0011."""
    n = 1 << level
    lat = min(max(lat, -85.0511287798), 85.0511287798)
    gx = math.floor((lon + 180) / 360 * n)
    gy = math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(gx, 0), n - 1), min(max(gy, 0), n - 1)


def heat_from_grid(filters: ReportFilter) -> bool:
    """The grid holds every published `unsafe` report: it answers views without filters."""
    return not (filters.times or filters.days or filters.reasons or filters.since or filters.until)


async def heat_grid_json(db: Database, bbox: tuple[float, float, float, float], zoom: int) -> str:
    """Like heat_json() without filters, summed from `heat_grid`: a bounded number of rows."""
    fine = min(zoom + HEAT_ZOOM_STEP, HEAT_LEVELS[-1])
    level = min(lv for lv in HEAT_LEVELS if lv >= fine)
    west, south, east, north = bbox
    gx0, gy0 = _cell(west, north, level)
    gx1, gy1 = _cell(east, south, level)
    stmt = _HEAT_GRID.bindparams(
        level=level, gx0=gx0, gx1=gx1, gy0=gy0, gy1=gy1, shift=level - fine
    )
    row = await db.fetch_one(stmt)
    return str(row["body"]) if row and row["body"] is not None else '{"points":[],"max":0}'
