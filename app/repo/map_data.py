"""Viewport queries for the staff map: markers and grid counts (heat: `map_heat`).

The staff map must stay fast at 100k reports, so the browser never gets all
of them: below `marker_limit` reports in view it gets points (clustered in
the browser), above it one count per grid cell sized for the zoom level.
Every answer is built as JSON in PostGIS and passed through untouched.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import (
    ARRAY,
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    select,
)
from sqlalchemy import JSON as _JSON
from sqlalchemy import Numeric as _NUMERIC
from sqlalchemy.sql import ColumnElement

from app.db.pool import Database
from app.db.tables.reports import reports as r
from app.domain.filters import ReportFilter

# Grid cells are about this many screen pixels wide.
GRID_PIXELS = 64


def _mid_lat(filters: ReportFilter) -> float:
    box = filters.bbox or (0.0, 0.0, 0.0, 0.0)
    return (box[1] + box[3]) / 2


def grid_degrees(filters: ReportFilter, zoom: int) -> tuple[float, float]:
    """Cell width and height in degrees: GRID_PIXELS at this zoom, square on the ground."""
    lon = 360.0 / 2**zoom / 256 * GRID_PIXELS
    return lon, lon * math.cos(math.radians(_mid_lat(filters)))


async def json_text(db: Database, stmt: Any, default: str) -> str:
    """Run a JSON-building query without JIT.

    PostGIS functions carry high cost estimates, so PostgreSQL JIT-compiles
    these plans; compiling took longer (0.5 s) than running them (0.1 s).
    """
    async with db.transaction() as conn:
        await conn.execute("SET LOCAL jit = off")
        row = await db.fetch_one(stmt, conn)
    return str(row["body"]) if row and row["body"] is not None else default


def report_conditions(
    filters: ReportFilter, *, unsafe_only: bool = False
) -> list[ColumnElement[bool]]:
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
    inner = (
        select(literal(1).label("one")).where(and_(*report_conditions(filters))).limit(limit + 1)
    )
    stmt = select(cast(func.count(), Text).label("body")).select_from(inner.subquery())
    return int(await json_text(db, stmt, "0"))


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
    inner = select(feature.label("f")).where(and_(*report_conditions(filters))).subquery()
    body = func.json_build_object(
        "type", "FeatureCollection",
        "mode", "markers",
        "total", total,
        "features", func.coalesce(func.json_agg(inner.c.f), func.json_build_array()),
    )  # fmt: skip
    stmt = select(cast(body, Text).label("body")).select_from(inner)
    return await json_text(db, stmt, '{"type":"FeatureCollection","features":[]}')


async def grid_json(db: Database, filters: ReportFilter, zoom: int) -> str:
    """One Point per non-empty cell, at the mean position of its reports, with a count."""
    cell_lon, cell_lat = grid_degrees(filters, zoom)
    point = func.ST_PointOnSurface(r.c.geom)
    base = select(
        func.ST_X(point).label("x"),
        func.ST_Y(point).label("y"),
    ).where(and_(*report_conditions(filters)))
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
    return await json_text(db, stmt, '{"type":"FeatureCollection","features":[]}')
