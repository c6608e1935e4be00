"""SQL of a hotspot computation, step 5: each final cluster's outline and statistics.

Runs in the computation's transaction (`transaction.Tx`) on its temp tables.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import text

from app.db.pool import Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.compute_sql import SOURCE_FILTER
from app.repo.hotspots.places import Places
from app.repo.hotspots.transaction import Tx
from geo import outline

# Each hotspot's reports, one row per (hotspot, person, report), with what the
# person said there; every later statistic reads this table.
CREATE_MEMBERS = text("""
CREATE TEMP TABLE hs_memb ON COMMIT DROP AS
SELECT m.cid, m.rid, s.id, s.reporter, s.reasons, s.times, s.days, s.severity, s.created_at,
       s.batch_id
FROM (
    SELECT DISTINCT l.cid, d.rid, u.id FROM hs_lab l JOIN hs_dp d USING (pid)
    CROSS JOIN LATERAL unnest(d.ids) AS u(id)
    WHERE l.cid = ANY(CAST(:cids AS int[]))
) m JOIN hs_src s ON s.id = m.id
""")

# One row per hotspot with its outline (metres) and median centre. The outline
# is the buffered hull of its person-places except the :fringe ones
# (`geo.outline`: outside its dense core; none when the core is too thin);
# hull_m2 is the whole cluster's buffered hull, which the significance test
# judges (its chance clusters are measured that way).
CREATE_OUT = text("""
CREATE TEMP TABLE hs_out ON COMMIT DROP AS
WITH rs AS (
    SELECT cid, count(*) AS reports, min(created_at) AS first_report,
           max(created_at) AS last_report
    FROM hs_memb GROUP BY cid
), fringe AS (
    SELECT DISTINCT f.pid FROM unnest(string_to_array(:fringe, ',')::int[]) AS f(pid)
)
SELECT g.cid, g.reporters, rs.reports, rs.first_report, rs.last_report, g.cx, g.cy,
       ST_Buffer(ST_ConvexHull(COALESCE(g.core, g.pts)), :buffer, 'quad_segs=4') AS outline,
       ST_Area(ST_Buffer(ST_ConvexHull(g.pts), :buffer, 'quad_segs=4')) AS hull_m2
FROM (
    SELECT l.cid, count(DISTINCT d.rid) AS reporters, ST_Collect(d.g) AS pts,
           ST_Collect(d.g) FILTER (WHERE f.pid IS NULL) AS core,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(d.g)) AS cx,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(d.g)) AS cy
    FROM hs_lab l JOIN hs_dp d USING (pid) LEFT JOIN fringe f ON f.pid = d.pid
    WHERE l.cid = ANY(CAST(:cids AS int[]))
    GROUP BY l.cid
) g JOIN rs USING (cid)
""")
OUTLINES = text("SELECT cid, reporters, reports, cx, cy FROM hs_out")

# One row per hotspot and person, in person order, with what the person said
# there: the codes of each vocabulary as a bit mask (bit i: the i-th code of
# `reasons`/`times`/`days`; codes outside them are not counted) and their
# severities' sum and count. Every breakdown (codes, aoristic hours, mean
# severity) is counted from these in `app.services.hotspots.breakdowns`.
# Sent as one comma-separated text of 7 numbers per row. A report's mask is a
# CASE per code (`_mask`): three subqueries over unnest per report cost 25 s
# at 1M reports.
PERSON_MASKS = """
WITH p AS (
    SELECT m.cid, m.rid, bit_or({reasons}) AS reasons, bit_or({times}) AS times,
           bit_or({days}) AS days,
           COALESCE(sum(m.severity), 0) AS sev_sum, count(m.severity) AS sev_n
    FROM hs_memb m
    GROUP BY m.cid, m.rid
)
SELECT COALESCE(string_agg(
    concat_ws(',', cid, rid, reasons, times, days, sev_sum, sev_n), ',' ORDER BY cid, rid), '')
    AS rows
FROM p
"""


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


async def create_outlines(tx: Tx, cids: Sequence[int], buffer: float, places: Places) -> list[Row]:
    """The final clusters' members and outlines; one row per hotspot (cid, counts, centre).

    The cores come from the person-places already in memory (`places`, with the
    final labels), not from another pass over hs_lab and hs_dp.
    """
    await tx.run(CREATE_MEMBERS, values={"cids": list(cids)})
    members = np.isin(places.labels, np.asarray(cids, dtype=np.int64))
    # Seconds of CPU at a million reports: off the event loop, as the Monte Carlo work.
    core = await asyncio.to_thread(
        outline.core_mask, places.x[members], places.y[members], places.labels[members]
    )
    fringe = places.pid[members][~core]
    await tx.run(
        CREATE_OUT,
        values={
            "cids": list(cids),
            "buffer": buffer,
            "fringe": ",".join(map(str, fringe.tolist())),
        },
    )
    return await tx.rows(OUTLINES)


async def person_masks(
    tx: Tx, reasons: Sequence[str], times: Sequence[str], days: Sequence[str]
) -> np.ndarray:
    """`PERSON_MASKS` as an (n, 7) int64 array: cid, rid, the three masks, severity sum, count."""
    stmt = PERSON_MASKS.format(
        reasons=_mask("reasons", "r", len(reasons)),
        times=_mask("times", "t", len(times)),
        days=_mask("days", "d", len(days)),
    )
    values: dict[str, Any] = {f"r{i}": code for i, code in enumerate(reasons)}
    values |= {f"t{i}": code for i, code in enumerate(times)}
    values |= {f"d{i}": code for i, code in enumerate(days)}
    text_ = (await tx.rows(text(stmt), values))[0]["rows"] or ""
    return np.fromstring(text_, dtype=np.int64, sep=",").reshape(-1, 7)


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
