"""SQL of a hotspot computation, step 5: each final cluster's outline and statistics.

Runs in the computation's transaction (`transaction.Tx`) on its temp tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text

from app.db.pool import Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.compute_sql import SOURCE_FILTER, vertex_values
from app.repo.hotspots.places import Places
from app.repo.hotspots.transaction import Tx
from geo import outline, splits

# Each hotspot's reports, one row per (hotspot, person, report), with what the
# person said there; every later statistic reads this table. A line or a big
# polygon makes several points, which can be in two places of its person in
# one hotspot: then (hotspot, person, report) is made distinct.
MEMBERS = """
CREATE TEMP TABLE hs_memb ON COMMIT DROP AS
SELECT m.cid, m.rid, s.id, s.reporter, s.reasons, s.times, s.days, s.severity, s.created_at,
       s.batch_id
FROM (
    SELECT {distinct} l.cid, d.rid, u.id FROM hs_lab l JOIN hs_dp d USING (pid)
    CROSS JOIN LATERAL unnest(d.ids) AS u(id)
    WHERE l.cid = ANY(CAST(:cids AS int[]))
) m JOIN hs_src s ON s.id = m.id
"""
CREATE_MEMBERS = text(MEMBERS.format(distinct="DISTINCT"))
# Where every report made one point, each is in one place: nothing to make distinct.
CREATE_MEMBERS_ONE_POINT = text(MEMBERS.format(distinct=""))

# One row per hotspot with its outline (metres) and median centre. The outline
# is the buffered hull of its core person-places (`geo.outline`: the fringe
# outside its dense core left out; all of them when the core is too thin);
# hull_m2 is the whole cluster's buffered hull, which the significance test
# judges (its chance clusters are measured that way). People and the median
# centre (percentile_cont) come from the arrays (`geo.splits.cluster_stats`),
# the hulls from their vertices (`geo.splits.hull_vertices`: GEOS' hull of
# the vertices is that of all the points), `core` true for the core's.
CREATE_OUT = text("""
CREATE TEMP TABLE hs_out ON COMMIT DROP AS
WITH rs AS (
    SELECT cid, count(*) AS reports, min(created_at) AS first_report,
           max(created_at) AS last_report
    FROM hs_memb GROUP BY cid
), v AS (
    SELECT cid, core, ST_Point(x, y, 3006) AS g
    FROM unnest(CAST(string_to_array(:vcids, ',') AS int[]),
                CAST(string_to_array(:vcore, ',') AS boolean[]),
                CAST(string_to_array(:xs, ',') AS float8[]),
                CAST(string_to_array(:ys, ',') AS float8[])) AS u(cid, core, x, y)
), h AS (
    SELECT cid, ST_ConvexHull(ST_Collect(g) FILTER (WHERE NOT core)) AS pts,
           ST_ConvexHull(ST_Collect(g) FILTER (WHERE core)) AS core
    FROM v GROUP BY cid
)
SELECT c.cid, c.reporters, rs.reports, rs.first_report, rs.last_report, c.cx, c.cy,
       ST_Buffer(COALESCE(h.core, h.pts), :buffer, 'quad_segs=4') AS outline,
       ST_Area(ST_Buffer(h.pts, :buffer, 'quad_segs=4')) AS hull_m2
FROM unnest(CAST(:cids AS int[]), CAST(:reporters AS bigint[]), CAST(:cx AS float8[]),
            CAST(:cy AS float8[])) AS c(cid, reporters, cx, cy)
JOIN h USING (cid) JOIN rs USING (cid)
""")
OUTLINES = text("SELECT cid, reporters, reports, cx, cy FROM hs_out")

# One row per hotspot and person with what the person said there and who
# they are to the independence gate (`geo.independence`), read by the
# breakdowns and the gate in one pass over hs_memb:
# - the codes of each vocabulary as a bit mask (bit i: the i-th code of
#   `reasons`/`times`/`days`; codes outside them are not counted; a CASE per
#   code, `_mask`: three subqueries over unnest per report cost 25 s at 1M
#   reports), and their severities' sum and count;
# - the person's source (an import batch whose features had no tokens, else
#   the keyed hash of the address group the device was first seen from; an id
#   per distinct source here, -1 when unknown), when it first saw them (NaN
#   when unknown), and the number and earliest time of their reports there.
# Sent as one binary string per column (int4send, int8send, float8send:
# big-endian, exact) from one aggregate pass, so the columns line up; numpy
# puts the rows in (hotspot, person) order. Text lines of every report time
# per person took longer to parse than to query.
PERSON_ROWS = """
WITH p AS (
    SELECT m.cid, m.rid, bit_or({reasons}) AS reasons, bit_or({times}) AS times,
           bit_or({days}) AS days,
           COALESCE(sum(m.severity), 0)::int8 AS sev_sum, count(m.severity) AS sev_n,
           count(*) AS reports, min(extract(epoch FROM m.created_at)::float8) AS first_report,
           (array_agg(src.h ORDER BY m.created_at, m.id) FILTER (WHERE src.h IS NOT NULL))[1]
               AS source,
           min(extract(epoch FROM f.first_seen_at))::float8 AS first_seen
    FROM hs_memb m
    LEFT JOIN import_batches b ON b.id = m.batch_id
    LEFT JOIN reporter_first_seen f ON f.reporter_hash = m.reporter
    CROSS JOIN LATERAL (
        SELECT CASE WHEN b.untokened_reports > 0 THEN uuid_send(b.id) ELSE f.address_hash END
            AS h
    ) src
    GROUP BY m.cid, m.rid
), s AS (
    SELECT p.*, CASE WHEN source IS NULL THEN -1 ELSE dense_rank() OVER (ORDER BY source) END
        AS source_id
    FROM p
)
SELECT COALESCE(string_agg(int4send(cid), ''::bytea), ''::bytea) AS cid,
       COALESCE(string_agg(int4send(rid), ''::bytea), ''::bytea) AS rid,
       COALESCE(string_agg(int8send(reasons), ''::bytea), ''::bytea) AS reasons,
       COALESCE(string_agg(int8send(times), ''::bytea), ''::bytea) AS times,
       COALESCE(string_agg(int8send(days), ''::bytea), ''::bytea) AS days,
       COALESCE(string_agg(int8send(sev_sum), ''::bytea), ''::bytea) AS sev_sum,
       COALESCE(string_agg(int8send(sev_n), ''::bytea), ''::bytea) AS sev_n,
       COALESCE(string_agg(int8send(source_id), ''::bytea), ''::bytea) AS source,
       COALESCE(string_agg(float8send(COALESCE(first_seen, 'NaN')), ''::bytea), ''::bytea)
           AS first_seen,
       COALESCE(string_agg(int8send(reports), ''::bytea), ''::bytea) AS reports,
       COALESCE(string_agg(float8send(first_report), ''::bytea), ''::bytea) AS first_report
FROM s
"""
_PERSON_TYPES = {
    "cid": ">i4",
    "rid": ">i4",
    "reasons": ">i8",
    "times": ">i8",
    "days": ">i8",
    "sev_sum": ">i8",
    "sev_n": ">i8",
    "source": ">i8",
    "first_seen": ">f8",
    "reports": ">i8",
    "first_report": ">f8",
}


@dataclass(frozen=True)
class PersonRows:
    """`PERSON_ROWS` as arrays, in (hotspot, person) order."""

    masks: np.ndarray  # (n, 7): cid, rid, the three masks, severity sum and count
    source: np.ndarray  # source id, -1 unknown
    first_seen: np.ndarray  # epoch seconds, NaN unknown
    reports: np.ndarray
    first_report: np.ndarray  # epoch seconds


def _mask(column: str, prefix: str, codes: int) -> str:
    """`column`'s codes as a bit mask: bit i set when the array holds bind `prefix`i."""
    bits = [
        f"CASE WHEN CAST(:{prefix}{i} AS text) = ANY(m.{column}) "
        f"THEN CAST({1 << i} AS bigint) ELSE 0 END"
        for i in range(codes)
    ]
    return " | ".join(bits) or "CAST(0 AS bigint)"


# The "possibly coordinated" check (`app.repo.rate_counters.coordination_by_group`)
# as a join inside the transaction: per hotspot, its distinct people and how many
# of them were first seen from one address with at least :min_group - 1 others of
# the hotspot within the window (itself counted). Sending every reporter hash to
# a second connection and back cost 17 s at 1M reports.
COORDINATION = text("""
WITH d AS (
    SELECT DISTINCT cid, reporter FROM hs_memb
), s AS (
    SELECT d.cid,
           count(*) OVER (
               PARTITION BY d.cid, f.address_hash ORDER BY f.first_seen_at
               RANGE BETWEEN CAST(:window AS interval) PRECEDING
                         AND CAST(:window AS interval) FOLLOWING) AS near
    FROM d JOIN reporter_first_seen f ON f.reporter_hash = d.reporter
), flagged AS (
    SELECT cid, count(*) AS flagged FROM s WHERE near >= :min_group GROUP BY cid
)
SELECT d.cid, count(*) AS people, COALESCE(max(f.flagged), 0) AS flagged
FROM d LEFT JOIN flagged f USING (cid) GROUP BY d.cid
""")

SAFE_NEARBY = text(
    """
SELECT o.cid, count(r.id) AS safe
FROM hs_out o JOIN reports r ON ST_Intersects(r.geom_3006, o.outline)
WHERE r.kind = 'safe' AND """
    + SOURCE_FILTER
    + """
GROUP BY o.cid
"""
)

MATCH_CANDIDATES = text("""
SELECT o.cid, i.id, i.last_seen,
       ST_Area(ST_Intersection(o.outline, i.outline_3006))
         / GREATEST(LEAST(ST_Area(o.outline), ST_Area(i.outline_3006)), 1) AS overlap
FROM hs_out o JOIN hotspot_identities i ON ST_Intersects(o.outline, i.outline_3006)
""")


async def create_outlines(
    tx: Tx, cids: Sequence[int], buffer: float, places: Places, *, one_point_each: bool = False
) -> list[Row]:
    """The final clusters' members and outlines; one row per hotspot (cid, counts, centre).

    The statistics, cores and hulls come from the person-places already in
    memory (`places`, with the final labels), not from another pass over hs_lab
    and hs_dp. `one_point_each`: every report made exactly one point (as many
    points as reports).
    """
    made = CREATE_MEMBERS_ONE_POINT if one_point_each else CREATE_MEMBERS
    await tx.run(made, values={"cids": list(cids)})
    values = await asyncio.to_thread(_outline_values, places, cids)
    await tx.run(CREATE_OUT, values={**values, "buffer": buffer})
    return await tx.rows(OUTLINES)


def _outline_values(places: Places, cids: Sequence[int]) -> dict[str, Any]:
    """CREATE_OUT's arrays: per cluster with points, its people and median centre,
    and the hull vertices of all its points and of its core."""
    ids = np.unique(np.asarray(cids, dtype=np.int64))
    idx = np.nonzero(np.isin(places.labels, ids))[0]
    x, y, lab = places.x[idx], places.y[idx], places.labels[idx]
    # Seconds of CPU at a million reports: off the event loop, as the Monte Carlo work.
    core = outline.core_mask(x, y, lab)
    stats = splits.cluster_stats(x, y, places.rid[idx], np.searchsorted(ids, lab), len(ids))
    have = stats["n"] > 0
    al, ax, ay = splits.hull_vertices(x, y, lab, ids)
    cl, cx, cy = splits.hull_vertices(x[core], y[core], lab[core], ids)
    vx, vy = np.concatenate([ax, cx]), np.concatenate([ay, cy])
    return {
        **vertex_values(np.concatenate([al, cl]), vx, vy),
        "vcore": ",".join(["f"] * len(al) + ["t"] * len(cl)),
        "cids": ids[have].tolist(),
        "reporters": stats["reporters"][have].tolist(),
        "cx": stats["cx"][have].tolist(),
        "cy": stats["cy"][have].tolist(),
    }


async def person_rows(
    tx: Tx, reasons: Sequence[str], times: Sequence[str], days: Sequence[str]
) -> PersonRows:
    """`PERSON_ROWS` for the vocabularies `reasons`, `times` and `days`."""
    stmt = PERSON_ROWS.format(
        reasons=_mask("reasons", "r", len(reasons)),
        times=_mask("times", "t", len(times)),
        days=_mask("days", "d", len(days)),
    )
    values: dict[str, Any] = {f"r{i}": code for i, code in enumerate(reasons)}
    values |= {f"t{i}": code for i, code in enumerate(times)}
    values |= {f"d{i}": code for i, code in enumerate(days)}
    row = (await tx.rows(text(stmt), values))[0]
    cols = {
        name: np.frombuffer(bytes(row[name]), dtype=dtype).astype(dtype.lstrip(">"))
        for name, dtype in _PERSON_TYPES.items()
    }
    order = np.lexsort((cols["rid"], cols["cid"]))
    cols = {name: col[order] for name, col in cols.items()}
    masks = np.column_stack(
        [cols[k].astype(np.int64) for k in ("cid", "rid", "reasons", "times", "days")]
        + [cols["sev_sum"], cols["sev_n"]]
    )
    return PersonRows(
        masks, cols["source"], cols["first_seen"], cols["reports"], cols["first_report"]
    )


async def safe_nearby(tx: Tx, filters: ReportFilter) -> dict[int, int]:
    """Per hotspot, the matching `safe` reports inside its outline."""
    rows = await tx.rows(SAFE_NEARBY, filters.sql_params())
    return {int(r["cid"]): int(r["safe"]) for r in rows}


async def coordination(
    tx: Tx, *, window_minutes: int, min_group: int = 3, share: float = 0.5
) -> dict[int, bool]:
    """Per hotspot, "possibly coordinated": at least `share` of its people (and at
    least `min_group`) first seen from one address within `window_minutes`."""
    values = {"window": f"{int(window_minutes) * 60} seconds", "min_group": min_group}
    return {
        int(r["cid"]): int(r["flagged"]) >= max(min_group, share * int(r["people"]))
        for r in await tx.rows(COORDINATION, values)
    }


async def match_candidates(tx: Tx) -> list[tuple[int, str, float, float]]:
    """(cluster, identity, overlap share, identity last seen) for `match_identities`."""
    rows: list[dict[str, Any]] = await tx.rows(MATCH_CANDIDATES)
    return [
        (int(r["cid"]), str(r["id"]), float(r["overlap"]), r["last_seen"].timestamp()) for r in rows
    ]
