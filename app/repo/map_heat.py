"""The staff map's heat layer: person-places per Web Mercator cell.

A person-place is one person at one 25 m place (SWEREF 99 TM, snapped): a
person's reports there count once. Cells are the tiles of zoom + 4 (16 of a
256-pixel tile's pixels), each drawn at the mean of its places. Three ways to
the same answer, cell by cell:

- no filter: summed from `heat_grid` (migration 0013);
- codes of ONE dimension (reasons, times or days; any number of them): summed
  from `heat_code_grid` (migration 0020), which counts the places of a cell
  by the set of codes their reports have in that dimension;
- anything else, counted from the reports themselves (`per_report_json`):
  codes of two dimensions at once, because a place counts only when a single
  report has both (the grid keeps which codes a place has, not which report
  had which), and `since`/`until`, because the grid keeps no dates. Both would
  need a grid per combination of codes or per day, and a place seen on
  several days would still count once per window, not once per day.

Both grids are kept by triggers, so they cost a bounded number of index rows
per view however many reports there are. `tests/repo/test_map_heat.py`
checks the three give the same counts cell by cell.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    Numeric,
    Text,
    and_,
    bindparam,
    cast,
    func,
    select,
    text,
    true,
)

from app.db.pool import Database
from app.db.tables.reports import reports as r
from app.domain.filters import ReportFilter
from app.repo.map_data import json_text, report_conditions

# The zoom levels whose tiles are the cells of both heat grids.
HEAT_LEVELS = (8, 10, 12, 14, 16, 18, 20)
# A heat cell is the tile of zoom + 4: 16 of a 256-pixel tile's pixels.
HEAT_ZOOM_STEP = 4
EMPTY = '{"points":[],"max":0}'
# Reports just outside the view can have their place (snapped, or a shape's
# point on surface) in a cell of it: fetched with this margin, kept by cell.
MARGIN_DEGREES = 0.002

_BODY = """
SELECT json_build_object(
    'points', COALESCE(json_agg(json_build_array(
        round((c.lon / c.n)::numeric, 5), round((c.lat / c.n)::numeric, 5), c.n)),
        '[]'::json),
    'max', COALESCE(max(c.n), 0))::text AS body
FROM ({cells}) c
"""

_CELLS = text(
    _BODY.format(
        cells="""
    SELECT sum(lon_sum) AS lon, sum(lat_sum) AS lat, sum(people)::int AS n
    FROM heat_grid
    WHERE level = :level AND gx BETWEEN :gx0 AND :gx1 AND gy BETWEEN :gy0 AND :gy1
      AND people > 0
    GROUP BY gx >> :shift, gy >> :shift
"""
    )
).bindparams(*(bindparam(n, type_=Integer) for n in ("level", "gx0", "gx1", "gy0", "gy1", "shift")))

_CODE_CELLS = text(
    _BODY.format(
        cells="""
    SELECT sum(lon_sum) AS lon, sum(lat_sum) AS lat, sum(people)::int AS n
    FROM heat_code_grid
    WHERE dim = :dim AND level = :level AND gx BETWEEN :gx0 AND :gx1
      AND gy BETWEEN :gy0 AND :gy1 AND codes && :codes AND people > 0
    GROUP BY gx >> :shift, gy >> :shift
"""
    )
).bindparams(
    *(bindparam(n, type_=Integer) for n in ("level", "gx0", "gx1", "gy0", "gy1", "shift")),
    bindparam("dim", type_=Text),
    bindparam("codes", type_=ARRAY(Text)),
)


def _cell(lon: float, lat: float, level: int) -> tuple[int, int]:
    """The level's Web Mercator cell of a point: report_grid_cell() of migration 0011."""
    n = 1 << level
    lat = min(max(lat, -85.0511287798), 85.0511287798)
    gx = math.floor((lon + 180) / 360 * n)
    gy = math.floor((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(gx, 0), n - 1), min(max(gy, 0), n - 1)


def _view(bbox: tuple[float, float, float, float], zoom: int) -> dict[str, int]:
    """The grid level, the cell range in view at that level and the shift to heat cells."""
    fine = min(zoom + HEAT_ZOOM_STEP, HEAT_LEVELS[-1])
    level = min(lv for lv in HEAT_LEVELS if lv >= fine)
    west, south, east, north = bbox
    gx0, gy0 = _cell(west, north, level)
    gx1, gy1 = _cell(east, south, level)
    return {"level": level, "gx0": gx0, "gx1": gx1, "gy0": gy0, "gy1": gy1, "shift": level - fine}


def grid_dimension(filters: ReportFilter) -> tuple[str, tuple[str, ...]] | None:
    """("", ()) without filters, (dimension, codes) for codes of one dimension, else None."""
    if filters.since is not None or filters.until is not None:
        return None
    chosen = [
        (dim, codes)
        for dim, codes in (
            ("reasons", filters.reasons),
            ("times", filters.times),
            ("days", filters.days),
        )
        if codes
    ]
    if not chosen:
        return "", ()
    return chosen[0] if len(chosen) == 1 else None


async def from_grid_json(
    db: Database, bbox: tuple[float, float, float, float], zoom: int, dim: str, codes: Any
) -> str:
    """`{"points": [[lon, lat, people], ...], "max": n}` summed from a kept grid."""
    view = _view(bbox, zoom)
    if dim:
        stmt = _CODE_CELLS.bindparams(dim=dim, codes=list(codes), **view)
    else:
        stmt = _CELLS.bindparams(**view)
    row = await db.fetch_one(stmt)
    return str(row["body"]) if row and row["body"] is not None else EMPTY


def _shifted(column: Any, bits: int) -> Any:
    return column.op(">>", return_type=Integer)(bindparam(None, bits, type_=Integer))


async def per_report_json(db: Database, filters: ReportFilter, zoom: int) -> str:
    """The same answer counted from every matching report in view (any filters)."""
    assert filters.bbox is not None
    view = _view(filters.bbox, zoom)
    west, south, east, north = filters.bbox
    m = MARGIN_DEGREES
    wider = replace(filters, bbox=(west - m, south - m, east + m, north + m))
    who = func.coalesce(r.c.reporter_hash, func.uuid_send(r.c.id))
    on_surface = func.ST_PointOnSurface(r.c.geom_3006)
    places = (
        select(
            who.label("who"),
            cast(func.round(func.ST_X(on_surface) / 25), Integer).label("sx"),
            cast(func.round(func.ST_Y(on_surface) / 25), Integer).label("sy"),
        )
        .where(and_(*report_conditions(wider, unsafe_only=True)))
        .distinct()
        .subquery("p")
    )
    snapped = func.ST_MakePoint(places.c.sx * 25.0, places.c.sy * 25.0)
    placed = select(func.ST_Transform(func.ST_SetSRID(snapped, 3006), 4326).label("w")).subquery(
        "pw"
    )
    g = func.report_grid_cell(placed.c.w).table_valued("gx", "gy").lateral("g")
    to_level = 20 - view["level"]
    to_cell = to_level + view["shift"]
    cells = (
        select(
            func.sum(func.ST_X(placed.c.w)).label("lon"),
            func.sum(func.ST_Y(placed.c.w)).label("lat"),
            cast(func.count(), Integer).label("n"),
        )
        .select_from(placed.join(g, true()))
        .where(
            _shifted(g.c.gx, to_level).between(view["gx0"], view["gx1"]),
            _shifted(g.c.gy, to_level).between(view["gy0"], view["gy1"]),
        )
        .group_by(_shifted(g.c.gx, to_cell), _shifted(g.c.gy, to_cell))
        .subquery("c")
    )

    def mean(total: Any) -> Any:
        return func.round(cast(total / cells.c.n, Numeric), 5)

    point = func.json_build_array(mean(cells.c.lon), mean(cells.c.lat), cells.c.n)
    body = func.json_build_object(
        "points", func.coalesce(func.json_agg(point), func.json_build_array()),
        "max", func.coalesce(func.max(cells.c.n), 0),
    )  # fmt: skip
    stmt = select(cast(body, Text).label("body")).select_from(cells)
    return await json_text(db, stmt, EMPTY)


async def heat_json(db: Database, filters: ReportFilter, zoom: int) -> str:
    """The heat of the view: from a kept grid when the filters allow, else per report."""
    assert filters.bbox is not None
    served = grid_dimension(filters)
    if served is None:
        return await per_report_json(db, filters, zoom)
    return await from_grid_json(db, filters.bbox, zoom, *served)
