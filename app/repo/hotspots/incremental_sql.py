"""SQL of an incremental hotspot refresh (issue 13): the run state, a window's
source reports, which hotspots a window replaces, and splicing a run together
(the kept hotspots move into the new run).

The window's own computation reuses `compute_sql` and `summary_sql` on the
same temp tables (hs_src, hs_dp, hs_lab, hs_out); see
`app.services.hotspots.incremental` for the method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import text

from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo.hotspots.compute_sql import INDEX_SOURCE, SOURCE_FILTER, SOURCE_SELECT
from app.repo.hotspots.transaction import Tx


@dataclass(frozen=True)
class CellState:
    """Per non-empty cell (indices of CELL_M cells): person-places and level-0 noise."""

    gx: np.ndarray
    gy: np.ndarray
    places: np.ndarray
    noise: np.ndarray

    @property
    def noise_total(self) -> int:
        return int(self.noise.sum())

    @property
    def places_total(self) -> int:
        return int(self.places.sum())

    def outside(self, box: tuple[int, int, int, int]) -> CellState:
        """The cells outside the cell-index box (x0, y0, x1, y1), inclusive."""
        x0, y0, x1, y1 = box
        keep = ~((self.gx >= x0) & (self.gx <= x1) & (self.gy >= y0) & (self.gy <= y1))
        return CellState(self.gx[keep], self.gy[keep], self.places[keep], self.noise[keep])

    def plus(self, other: CellState) -> CellState:
        """Both sets of cells (they must not share a cell)."""
        return CellState(
            np.concatenate([self.gx, other.gx]),
            np.concatenate([self.gy, other.gy]),
            np.concatenate([self.places, other.places]),
            np.concatenate([self.noise, other.noise]),
        )


def _ints(values: Any) -> np.ndarray:
    return np.asarray(list(values or []), dtype=np.int64)


# Per cell of the computation's person-places (hs_dp), how many there are and
# how many were noise at level 0 (hs_lab.root is the level-0 cluster).
CELLS = """
SELECT floor(ST_X(d.g) / :cell)::int AS gx, floor(ST_Y(d.g) / :cell)::int AS gy,
       count(*)::int AS places, (count(*) FILTER (WHERE l.root IS NULL))::int AS noise
FROM hs_dp d JOIN hs_lab l USING (pid)
GROUP BY 1, 2
"""
RECENT_SECONDS = 60.0
# The reports received in the margin before this transaction started: the
# run counted them (a report whose transaction began earlier but committed
# later is not counted; the next refresh then finds fewer new reports than the
# count says and recomputes in full).
RECENT = """ARRAY(SELECT id FROM reports
      WHERE received_at >= now() - make_interval(secs => :margin) AND received_at <= now())"""
# A run's cells, stored as arrays (one parameter each, whatever the number of
# cells). A full computation counts them on its person-places in memory
# (`cells_of`: CELLS on arrays; the join of hs_dp and hs_lab took 10 s at 1M
# reports); a refresh splices them.
STORE_STATE = text(
    """
INSERT INTO hotspot_run_state (run_id, incremental, gx, gy, places, noise, recent)
SELECT :run, :incremental, CAST(:gx AS int[]), CAST(:gy AS int[]), CAST(:places AS int[]),
       CAST(:noise AS int[]), """
    + RECENT
)
COMPUTED_CELLS = text(CELLS)
LOAD_STATE = text("SELECT * FROM hotspot_run_state WHERE run_id = :run")


def cells_of(x: np.ndarray, y: np.ndarray, root: np.ndarray, cell: float) -> CellState:
    """CELLS on arrays: per non-empty cell of the places at (`x`, `y`), in (gx, gy)
    order, how many there are and how many have no level-0 cluster (`root` < 0)."""
    # float8 division and floor as PostgreSQL's floor(ST_X(g) / :cell)::int.
    gx = np.floor(np.asarray(x, dtype=np.float64) / cell).astype(np.int64)
    gy = np.floor(np.asarray(y, dtype=np.float64) / cell).astype(np.int64)
    if not len(gx):
        return CellState(gx, gy, gx.copy(), gx.copy())
    # One integer per cell, in (gx, gy) order: a 1-D unique is a plain sort
    # (np.unique over rows took seconds at a million places).
    x0, y0 = int(gx.min()), int(gy.min())
    span = int(gy.max()) - y0 + 1
    keys, inverse = np.unique((gx - x0) * span + (gy - y0), return_inverse=True)
    places = np.bincount(inverse, minlength=len(keys))
    noise = np.bincount(inverse[np.asarray(root) < 0], minlength=len(keys))
    return CellState(keys // span + x0, keys % span + y0, places, noise)


async def computed_cells(tx: Tx, cell: float) -> CellState:
    """The cell counts of the computation in this transaction (hs_dp, hs_lab)."""
    rows = await tx.rows(COMPUTED_CELLS, {"cell": cell})
    return CellState(
        _ints(r["gx"] for r in rows),
        _ints(r["gy"] for r in rows),
        _ints(r["places"] for r in rows),
        _ints(r["noise"] for r in rows),
    )


async def store_state(
    tx: Tx, run_id: int, cells: CellState, *, incremental: bool, margin: float = RECENT_SECONDS
) -> None:
    """Store `cells` as the state of run `run_id`, in (gx, gy) order."""
    order = np.lexsort((cells.gy, cells.gx))
    values: dict[str, Any] = {"run": run_id, "incremental": incremental, "margin": margin}
    for name in ("gx", "gy", "places", "noise"):
        # As an array literal: psycopg adapts a list of ints one by one,
        # about 1 s for the 50,000 cells of 1M reports, the text 0.2 s.
        values[name] = "{" + ",".join(map(str, getattr(cells, name)[order].tolist())) + "}"
    await tx.run(STORE_STATE, values=values)


async def load_state(tx: Tx, run_id: int) -> tuple[CellState, list[str]] | None:
    """The cell state of run `run_id` and the recent reports it saw."""
    rows = await tx.rows(LOAD_STATE, {"run": run_id})
    if not rows:
        return None
    r = rows[0]
    state = CellState(_ints(r["gx"]), _ints(r["gy"]), _ints(r["places"]), _ints(r["noise"]))
    return state, [str(i) for i in r["recent"]]


# Reports received since a time (any kind: a new `safe` report changes the
# safe share of the hotspot it lies in), with their bounding boxes in metres.
NEW_REPORTS = text("""
SELECT count(*)::int AS n,
       min(ST_XMin(geom_3006)) AS x0, min(ST_YMin(geom_3006)) AS y0,
       max(ST_XMax(geom_3006)) AS x1, max(ST_YMax(geom_3006)) AS y1
FROM reports WHERE received_at >= :since AND NOT (id = ANY(CAST(:seen AS uuid[])))
""")


async def new_reports(
    tx: Tx, since: datetime, seen: Sequence[str]
) -> tuple[int, tuple[float, float, float, float]]:
    """How many reports were received since `since` but not `seen`, and their bounding box."""
    r = (await tx.rows(NEW_REPORTS, {"since": since, "seen": list(seen)}))[0]
    if not r["n"]:
        return 0, (0.0, 0.0, 0.0, 0.0)
    return int(r["n"]), (float(r["x0"]), float(r["y0"]), float(r["x1"]), float(r["y1"]))


# The source of the window's computation: compute_sql.CREATE_SOURCE within a box.
CREATE_WINDOW_SOURCE = text(
    SOURCE_SELECT + "r.geom_3006 && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 3006) AND " + SOURCE_FILTER
)


# At most `most` + 1 of the reports in a box: whether a window is too big,
# without reading it all (a dense town's window holds every report).
COUNT_WINDOW = text("""
SELECT count(*) AS n FROM (
    SELECT 1 FROM reports r WHERE r.geom_3006 && ST_MakeEnvelope(:x0, :y0, :x1, :y1, 3006)
    LIMIT :most + 1) w
""")


async def window_holds_more(tx: Tx, box: tuple[float, float, float, float], most: int) -> bool:
    """Whether more than `most` reports (of any kind) touch `box`."""
    values = {"x0": box[0], "y0": box[1], "x1": box[2], "y1": box[3], "most": most}
    return int((await tx.rows(COUNT_WINDOW, values))[0]["n"]) > most


async def create_window_source(tx: Tx, box: tuple[float, float, float, float]) -> int:
    """The default filter's reports whose geometry touches `box`; how many."""
    x0, y0, x1, y1 = box
    values = {**ReportFilter().sql_params(), "x0": x0, "y0": y0, "x1": x1, "y1": y1}
    await tx.run(CREATE_WINDOW_SOURCE, values=values)
    await tx.run(*INDEX_SOURCE)
    return int((await tx.rows(text("SELECT count(*) AS n FROM hs_src")))[0]["n"])


# The level-0 clusters the new reports can have changed: those of the
# person-places within `reach` of a new report's person-place, and those whose
# final hotspot's outline holds a new report of any kind (its safe share).
CHANGED_ROOTS = text("""
WITH fresh AS (
    SELECT d.g FROM hs_dp d
    WHERE EXISTS (SELECT 1 FROM reports r WHERE r.id = ANY(d.ids) AND r.received_at >= :since
                  AND NOT (r.id = ANY(CAST(:seen AS uuid[]))))
)
SELECT DISTINCT l.root FROM fresh f
JOIN hs_dp d ON ST_DWithin(d.g, f.g, :reach)
JOIN hs_lab l ON l.pid = d.pid
WHERE l.root IS NOT NULL
UNION
SELECT DISTINCT l.root FROM hs_out o
JOIN reports r ON r.received_at >= :since AND NOT (r.id = ANY(CAST(:seen AS uuid[])))
    AND ST_Intersects(r.geom_3006, o.outline)
JOIN hs_lab l ON l.cid = o.cid
WHERE l.root IS NOT NULL
""")

# The box of the person-places whose labels the new reports can change: the
# new ones and those of the changed level-0 clusters.
CHANGED_BOX = text("""
SELECT min(ST_X(d.g)) AS x0, min(ST_Y(d.g)) AS y0, max(ST_X(d.g)) AS x1, max(ST_Y(d.g)) AS y1
FROM hs_dp d JOIN hs_lab l USING (pid)
WHERE l.root = ANY(CAST(:roots AS int[]))
   OR EXISTS (SELECT 1 FROM reports r WHERE r.id = ANY(d.ids) AND r.received_at >= :since
              AND NOT (r.id = ANY(CAST(:seen AS uuid[]))))
""")

# The widest final cluster of the window (its outline's diameter).
WIDEST = text("SELECT COALESCE(max(ST_MaxDistance(outline, outline)), 0) AS w FROM hs_out")

# Whether a level-0 cluster with a person-place in `near` also has one in the
# window's edge band (closer than `band` to its edge): then the window saw only
# part of it.
CUT_CLUSTERS = text("""
WITH near AS (
    SELECT DISTINCT l.root FROM hs_dp d JOIN hs_lab l USING (pid)
    WHERE l.root IS NOT NULL AND d.g && ST_MakeEnvelope(:nx0, :ny0, :nx1, :ny1, 3006)
)
SELECT count(*) AS n FROM near
WHERE EXISTS (
    SELECT 1 FROM hs_lab l JOIN hs_dp d USING (pid)
    WHERE l.root = near.root
      AND NOT (d.g && ST_MakeEnvelope(:ix0, :iy0, :ix1, :iy1, 3006))
)
""")


async def changed_roots(tx: Tx, since: datetime, seen: Sequence[str], reach: float) -> list[int]:
    rows = await tx.rows(CHANGED_ROOTS, {"since": since, "seen": list(seen), "reach": reach})
    return [int(r["root"]) for r in rows]


async def changed_box(
    tx: Tx, roots: Sequence[int], since: datetime, seen: Sequence[str]
) -> tuple[float, float, float, float] | None:
    values = {"roots": list(roots), "since": since, "seen": list(seen)}
    r = (await tx.rows(CHANGED_BOX, values))[0]
    if r["x0"] is None:
        return None
    return float(r["x0"]), float(r["y0"]), float(r["x1"]), float(r["y1"])


async def widest(tx: Tx) -> float:
    return float((await tx.rows(WIDEST))[0]["w"])


async def cut_clusters(
    tx: Tx, near: tuple[float, float, float, float], inner: tuple[float, float, float, float]
) -> int:
    """Level-0 clusters touching the box `near` with person-places outside the box `inner`."""
    values = {
        "nx0": near[0],
        "ny0": near[1],
        "nx1": near[2],
        "ny1": near[3],
        "ix0": inner[0],
        "iy0": inner[1],
        "ix1": inner[2],
        "iy1": inner[3],
    }
    return int((await tx.rows(CUT_CLUSTERS, values))[0]["n"])


# The final clusters of the window whose median centre lies in a box.
CENTRED_IN = text("""
SELECT cid FROM hs_out
WHERE cx >= :x0 AND cx <= :x1 AND cy >= :y0 AND cy <= :y1
""")


async def centred_in(tx: Tx, box: tuple[float, float, float, float]) -> set[int]:
    x0, y0, x1, y1 = box
    rows = await tx.rows(CENTRED_IN, {"x0": x0, "y0": y0, "x1": x1, "y1": y1})
    return {int(r["cid"]) for r in rows}


# The previous run's hotspots whose centre lies outside a box (they are kept),
# with what ranking needs (computation._hotspot_rows' sort key).
KEPT = text("""
SELECT h.hotspot_id AS id, h.significance_held, h.score, h.reporters,
       CAST(h.significance ->> 'p_value' AS float8) AS p_value,
       ST_X(c.p) AS cx, ST_Y(c.p) AS cy
FROM hotspots h
CROSS JOIN LATERAL (SELECT ST_Transform(h.centre, 3006) AS p) c
WHERE h.run_id = :run
  AND NOT (ST_X(c.p) >= :x0 AND ST_X(c.p) <= :x1 AND ST_Y(c.p) >= :y0 AND ST_Y(c.p) <= :y1)
""")


async def kept_hotspots(
    tx: Tx, run_id: int, box: tuple[float, float, float, float]
) -> list[dict[str, Any]]:
    x0, y0, x1, y1 = box
    rows = await tx.rows(KEPT, {"run": run_id, "x0": x0, "y0": y0, "x1": x1, "y1": y1})
    return [dict(r) for r in rows]


# A kept hotspot moves from the previous run into the new one at its new
# rank: the previous run is pruned in the same transaction, so its rows are
# taken over instead of copied and then deleted (at 1M reports a refresh
# keeps thousands of hotspots and recomputes a handful).
MOVE_HOTSPOTS = text(
    "UPDATE hotspots AS h SET run_id = :run, rank = t.rank "
    "FROM unnest(CAST(:ids AS uuid[]), CAST(:ranks AS int[])) AS t(id, rank) "
    "WHERE h.run_id = :prev AND h.hotspot_id = t.id"
)
# The identities of kept hotspots were seen again, as a full run would note.
SEEN = text("UPDATE hotspot_identities SET last_seen = :t WHERE id = ANY(CAST(:ids AS uuid[]))")


async def move_hotspots(
    tx: Tx, prev: int, run_id: int, ids: Sequence[str], ranks: Sequence[int], seen: datetime
) -> None:
    """Move the kept hotspots `ids` of run `prev` into run `run_id` at `ranks`."""
    values = {"run": run_id, "prev": prev, "ids": list(ids), "ranks": list(ranks)}
    await tx.run(MOVE_HOTSPOTS, values=values)
    await tx.run(SEEN, values={"t": seen, "ids": list(ids)})


WAS_INCREMENTAL = text("SELECT incremental FROM hotspot_run_state WHERE run_id = :run")


async def was_incremental(db: Database, run_id: int) -> bool:
    """Whether run `run_id` was spliced together by an incremental refresh."""
    row = await db.fetch_one(WAS_INCREMENTAL, None, {"run": run_id})
    return bool(row and row["incremental"])
