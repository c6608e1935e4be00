"""SQL of a hotspot computation, steps 1 to 4: points, person-places, DBSCAN, splits' stats.

Every statement works on temp tables of one transaction (`transaction.Tx`), in SWEREF 99
TM metres; the method's decisions between the statements are in
`geo.hotspots`, the flow in `app.services.hotspots.computation`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import TextClause, text

from app.db.pool import Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.transaction import Tx

# Reports that take part, with the request's filters. A report without a
# reporter hash counts as its own person. An empty `days` means "not said":
# it matches any day filter.
SOURCE_FILTER = """
      r.status = 'published'
  AND (CAST(:times AS text[]) IS NULL OR r.times && CAST(:times AS text[]))
  AND (CAST(:days AS text[]) IS NULL OR r.days && CAST(:days AS text[])
       OR cardinality(r.days) = 0)
  AND (CAST(:reasons AS text[]) IS NULL OR r.reasons && CAST(:reasons AS text[]))
  AND (CAST(:since AS timestamptz) IS NULL OR r.created_at >= CAST(:since AS timestamptz))
  AND (CAST(:until AS timestamptz) IS NULL OR r.created_at < CAST(:until AS timestamptz))
"""

# The computation's reports and the columns every later step reads; the
# incremental refresh (incremental_sql) adds a box to the same WHERE.
SOURCE_SELECT = """
CREATE TEMP TABLE hs_src ON COMMIT DROP AS
SELECT r.id, COALESCE(r.reporter_hash, uuid_send(r.id)) AS reporter, r.reasons, r.times,
       r.days, r.severity, r.created_at, r.batch_id, r.geom_3006 AS g,
       GeometryType(r.geom_3006) AS t
FROM reports r
WHERE r.kind = 'unsafe' AND """
CREATE_SOURCE = text(SOURCE_SELECT + SOURCE_FILTER)
# Temp tables have no statistics: without them the joins below plan badly.
# Only the columns plans depend on: statistics on the geometries and arrays
# cost more than the queries they would inform. No index on id: its one join
# (the members, summary_sql.CREATE_MEMBERS) hashes, and building it took 5.7 s
# at 1M reports.
INDEX_SOURCE = (text("ANALYZE hs_src (id, t)"),)

# Step 1: reports to points. Line points are centred along the line so a short
# line still gives its middle; a big polygon falls back to its point on surface
# when no lattice point lies inside it (a thin shape).
CREATE_POINTS = text("""
CREATE TEMP TABLE hs_pts ON COMMIT DROP AS
SELECT id, reporter, g FROM hs_src WHERE t = 'POINT'
UNION ALL
SELECT s.id, s.reporter,
       CASE WHEN l.len = 0 THEN ST_StartPoint(s.g)
            ELSE ST_LineInterpolatePoint(
                s.g, LEAST(1.0, ((l.len - floor(l.len / :step) * :step) / 2 + i * :step)
                                / l.len)) END
FROM hs_src s
CROSS JOIN LATERAL (SELECT ST_Length(s.g) AS len) l
CROSS JOIN LATERAL generate_series(0, floor(l.len / :step)::int) i
WHERE s.t = 'LINESTRING'
UNION ALL
SELECT id, reporter, ST_PointOnSurface(g) FROM hs_src
WHERE t = 'POLYGON' AND ST_Area(g) < :small_polygon
UNION ALL
SELECT s.id, s.reporter, pts.g
FROM hs_src s
CROSS JOIN LATERAL (
    SELECT ST_Centroid(q.geom) AS g FROM ST_SquareGrid(:lattice, s.g) q
    WHERE ST_Intersects(ST_Centroid(q.geom), s.g)
    UNION ALL
    SELECT ST_PointOnSurface(s.g)
    WHERE NOT EXISTS (
        SELECT 1 FROM ST_SquareGrid(:lattice, s.g) q2
        WHERE ST_Intersects(ST_Centroid(q2.geom), s.g))
) pts
WHERE s.t = 'POLYGON' AND ST_Area(s.g) >= :small_polygon
""")

# Step 2: one point per person per place, with the union of that person's
# reasons, times and days there. `pid` follows position, so the DBSCAN below
# sees its input in the same order every time. `rid` ranks the people on the
# points' sort for the DBSCAN (every person has a place, so it is their rank
# among the places too): ranking the places again cost a sort and a merge of
# a million rows (4 s of 19 at 1M reports).
# `bucket` (0..1023) decides whether a person-place is in the thinned sample
# of a dense cluster's density split (`geo.splits.split_level`). It hashes the
# person-place's own identity, its person and its position snapped to whole
# metres, so the sample does not depend on other reports. It used to hash
# `pid`, a rank over the whole input: one new report renumbered every
# person-place east of it and redrew the sample across half a town
# (docs/SCALING.md, "Incremental freshness").
CREATE_DEDUP = text("""
CREATE TEMP TABLE hs_dp ON COMMIT DROP AS
WITH c AS (
    SELECT p.id, p.reporter, p.g,
           ST_ClusterDBSCAN(p.g, :dedup, 1)
               OVER (PARTITION BY p.reporter ORDER BY ST_X(p.g), ST_Y(p.g), p.id) AS d,
           dense_rank() OVER (ORDER BY p.reporter) AS rid
    FROM hs_pts p
), cn AS (
    SELECT c.*, count(*) OVER (PARTITION BY c.reporter, c.d) AS n FROM c
), places AS (
    -- Most places hold one point, which is its own centroid: aggregating
    -- only the others saves a sort per place.
    SELECT cn.reporter, cn.rid, cn.d, cn.g, ARRAY[cn.id] AS ids FROM cn WHERE cn.n = 1
    UNION ALL
    SELECT cn.reporter, min(cn.rid), cn.d, ST_Centroid(ST_Collect(cn.g)) AS g,
           array_agg(DISTINCT cn.id) AS ids
    FROM cn WHERE cn.n > 1 GROUP BY cn.reporter, cn.d
)
SELECT (row_number() OVER (ORDER BY ST_X(pl.g), ST_Y(pl.g), pl.reporter))::int AS pid,
       pl.rid::int AS rid, pl.g, pl.ids,
       (hashint8extended(floor(ST_X(pl.g))::int8 * 4294967296 + floor(ST_Y(pl.g))::int8,
                         hashtextextended(encode(pl.reporter, 'hex'), 0)) & 1023)::int AS bucket
FROM places pl
""")

CREATE_DEDUP_NONE = text("""
CREATE TEMP TABLE hs_dp ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY ST_X(p.g), ST_Y(p.g), p.id))::int AS pid,
       (dense_rank() OVER (ORDER BY p.reporter))::int AS rid, p.g, ARRAY[p.id] AS ids,
       (hashint8extended(floor(ST_X(p.g))::int8 * 4294967296 + floor(ST_Y(p.g))::int8,
                         hashtextextended(encode(p.reporter, 'hex'), 0)) & 1023)::int AS bucket
FROM hs_pts p
""")
INDEX_DEDUP = (text("CREATE UNIQUE INDEX ON hs_dp (pid)"), text("ANALYZE hs_dp (pid, rid)"))
COUNT_DEDUP = text("SELECT count(*) AS n FROM hs_dp")

# Hull vertices (cluster id, x, y) as three comma-separated texts
# (`vertex_values`): three parameters however many vertices there are, and
# PostGIS gets exactly these float64 values. Shared with the thinned border
# (`app.repo.hotspots.places.HULLS`); `summary_sql.CREATE_OUT` takes the same
# parameters with a core flag beside them.
VERTICES_CTE = """v AS (
    SELECT cid, ST_Point(x, y, 3006) AS g
    FROM unnest(CAST(string_to_array(:vcids, ',') AS int[]),
                CAST(string_to_array(:xs, ',') AS float8[]),
                CAST(string_to_array(:ys, ',') AS float8[])) AS u(cid, x, y)
)"""

# Step 3: the clusters at level 0 (`app.repo.hotspots.places.cluster_places`)
# and the density splits' re-clustering run on arrays (`geo.splits`, flow in
# `app.services.hotspots.splitting`), as do a cluster's people, points and
# median position. PostGIS measures the clusters that count: diameter, and the
# mean number of neighbours a point has within eps (density, which sets the
# next level's minpoints), from their hull vertices (interior points change
# neither the hull nor its buffer: the figures are those of all the points).
CLUSTER_HULLS = text(f"""
WITH {VERTICES_CTE}, h AS (
    SELECT cid, ST_ConvexHull(ST_Collect(g)) AS hull FROM v GROUP BY cid
)
SELECT h.cid, ST_MaxDistance(hull, hull) AS extent,
       c.n * pi() * :eps ^ 2 / GREATEST(ST_Area(ST_Buffer(hull, :eps / 2)), 1) AS neighbours
FROM h JOIN unnest(CAST(:cids AS int[]), CAST(:ns AS bigint[])) AS c(cid, n) USING (cid)
""")

# The final labels, in pid order (-1: none), replace the level-0 ones (if
# `places.cluster_places` stored them): a point belongs to its newest cluster
# if that cluster is final; `root` stays its level-0 cluster.
WRITE_LABELS = (
    text("DROP TABLE IF EXISTS hs_lab"),
    text("""CREATE TEMP TABLE hs_lab ON COMMIT DROP AS
SELECT pid::int AS pid, NULLIF(u.cid, -1) AS cid, NULLIF(u.root, -1) AS root
FROM unnest(CAST(string_to_array(:cids, ',') AS int[]),
            CAST(string_to_array(:roots, ',') AS int[])) WITH ORDINALITY AS u(cid, root, pid)"""),
    text("CREATE UNIQUE INDEX ON hs_lab (pid)"),
    text("ANALYZE hs_lab"),
)

# Step 4 (geo.montecarlo): per Monte Carlo run, the largest cluster (in
# points) of a scatter clustered like the data.
MONTE_CARLO = text("""
WITH pts AS (
    SELECT run, ST_Point(x, y, 3006) AS g
    FROM unnest(CAST(string_to_array(:runs, ',') AS int[]),
                CAST(string_to_array(:xs, ',') AS float8[]),
                CAST(string_to_array(:ys, ',') AS float8[])) AS u(run, x, y)
), c AS (
    SELECT run, ST_ClusterDBSCAN(g, :eps, :minpoints) OVER (PARTITION BY run) AS cid
    FROM pts
), sizes AS (
    SELECT run, cid, count(*) AS n FROM c WHERE cid IS NOT NULL GROUP BY run, cid
)
SELECT r.run, COALESCE(max(s.n), 0)::int AS largest
FROM generate_series(0, :nruns - 1) AS r(run) LEFT JOIN sizes s ON s.run = r.run
GROUP BY r.run ORDER BY r.run
""")


# --- running them -----------------------------------------------------------------


async def create_source(tx: Tx, filters: ReportFilter) -> int:
    """The matching reports (`hs_src`); how many."""
    reports = await tx.count(CREATE_SOURCE, values=filters.sql_params())
    await tx.run(*INDEX_SOURCE)
    return reports


async def create_points(tx: Tx, *, step: float, small_polygon: float, lattice: float) -> int:
    """Their points (`hs_pts`, at least one per report); how many."""
    values = {"step": step, "small_polygon": small_polygon, "lattice": lattice}
    return await tx.count(CREATE_POINTS, values=values)


async def create_person_places(tx: Tx, dedup: float) -> int:
    """One point per person per place (`dedup` metres; 0: every point); how many."""
    if dedup > 0:
        await tx.run(CREATE_DEDUP, values={"dedup": dedup})
    else:
        await tx.run(CREATE_DEDUP_NONE)
    await tx.run(*INDEX_DEDUP)
    return int((await tx.rows(COUNT_DEDUP))[0]["n"])


async def _columns(
    tx: Tx, stmt: TextClause, values: dict[str, Any] | None = None
) -> dict[str, np.ndarray]:
    """The comma-separated columns of a one-row result, as arrays."""
    row = (await tx.rows(stmt, values))[0]
    return {name: np.fromstring(v or "", dtype=float, sep=",") for name, v in row.items()}


def _cids(labels: np.ndarray, offset: int) -> str:
    """Labels (-1 noise) as cluster ids from `offset`, comma-separated, empty for noise."""
    ids = np.where(labels < 0, -1, labels + offset).astype(str)
    ids[labels < 0] = ""
    return ",".join(ids.tolist())


def _ints(values: np.ndarray) -> str:
    """Integers, comma-separated (`map(str)` on a list: a few times numpy's astype(str))."""
    return ",".join(map(str, np.asarray(values, dtype=np.int64).tolist()))


def vertex_values(cids: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> dict[str, str]:
    """The parameters of `VERTICES_CTE`."""
    return {"vcids": _ints(cids), "xs": _floats(xs), "ys": _floats(ys)}


def _floats(values: np.ndarray) -> str:
    """Shortest round-trip text of each float64, so PostGIS sees exactly these values."""
    return ",".join(np.asarray(values, dtype=np.float64).astype(str).tolist())


async def monte_carlo_largest(
    tx: Tx, runs: np.ndarray, xs: np.ndarray, ys: np.ndarray, nruns: int, eps: float, minpoints: int
) -> list[int]:
    # Sent as text built off the event loop: psycopg's dumping of ~100k-element
    # lists held the loop for tens of ms per recompute, delaying every read.
    runs_text, xs_text, ys_text = await asyncio.to_thread(
        lambda: (_ints(runs), _floats(xs), _floats(ys))
    )
    values = {
        "runs": runs_text,
        "xs": xs_text,
        "ys": ys_text,
        "eps": eps,
        "minpoints": minpoints,
        "nruns": nruns,
    }
    return [int(r["largest"]) for r in await tx.rows(MONTE_CARLO, values)]


async def hull_figures(
    tx: Tx,
    eps: float,
    counts: dict[int, int],
    vertices: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> dict[int, tuple[float, float]]:
    """Per cluster (id -> points), its (extent, neighbours) from its hull `vertices`
    (cluster id, x, y)."""
    if not counts:
        return {}
    values = {
        **vertex_values(*vertices),
        "cids": list(counts),
        "ns": list(counts.values()),
        "eps": eps,
    }
    return {
        int(r["cid"]): (float(r["extent"] or 0.0), float(r["neighbours"] or 0.0))
        for r in await tx.rows(CLUSTER_HULLS, values)
    }


async def write_labels(tx: Tx, labels: np.ndarray, roots: np.ndarray) -> None:
    """Replace `hs_lab` with these labels and level-0 roots (pid order, -1 none)."""
    values = await asyncio.to_thread(lambda: {"cids": _ints(labels), "roots": _ints(roots)})
    await tx.run(*WRITE_LABELS, values=values)


# Significance at each final cluster's spot (geo.significance, issue 15): the
# ring counts are `app.repo.hotspots.places.ring_counts`, on arrays.
OUTLINE_AREAS = text("SELECT cid, reporters, cx, cy, hull_m2 AS m2 FROM hs_out ORDER BY cid")


async def final_clusters(tx: Tx) -> list[Row]:
    """The final clusters (cid, reporters, cx, cy, outline m2), ready for `ring_counts`."""
    return await tx.rows(OUTLINE_AREAS)


@dataclass(frozen=True)
class RingCounts:
    """Per final cluster, the person-places in each ring sector, by the cluster they are in."""

    sectors: int
    rows: list[tuple[int, int, int | None, int]]  # (cid, sector, owner or None, count)

    def excluding(self, exclude: Sequence[int]) -> dict[int, list[int]]:
        """Per final cluster, the counts per sector without the clusters in `exclude`."""
        out = set(exclude)
        counts: dict[int, list[int]] = {}
        for cid, sector, owner, n in self.rows:
            per = counts.setdefault(cid, [0] * self.sectors)
            if owner is None or owner not in out:
                per[sector] += n
        return counts
