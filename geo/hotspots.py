"""Hotspot method: the PostGIS steps and the small pure functions around them.

The heavy lifting runs in PostGIS in SWEREF 99 TM metres (see the SQL below);
this module only holds the method's parameters, the SQL text (static, every
value bound), and the arithmetic that is clearer in Python: the aoristic
hour profile, the score and rank, when a cluster is split, and the one-to-one
overlap matching that keeps hotspot ids stable across recomputations.

Steps:
1. every published `unsafe` report becomes points: a point as is, a line a
   point every 50 m, a polygon under 1 ha its point on surface, a larger one a
   50 m lattice inside it;
2. one point per person per place (`ST_ClusterDBSCAN(25 m, 1)` per reporter);
3. `ST_ClusterDBSCAN(eps, minpoints)` over those, in a fixed order;
4. a cluster needs `k = max(min_reporters, k_mc)` distinct people, `k_mc` from a
   Monte Carlo test (geo.significance);
5. clusters wider than `max_extent`, or holding two dense cores, are split by
   re-running DBSCAN inside them with `minpoints` raised to their density, so
   dense data does not chain into one town-sized cluster.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import groupby
from typing import Any

from geo.significance import dense_minpoints
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES, TIME_HOURS

LINE_STEP_M = 50.0
SMALL_POLYGON_M2 = 10_000.0
LATTICE_M = 50.0
OUTLINE_BUFFER_M = 15.0
MAX_SPLIT_LEVELS = 20
MINPOINTS_STEP = 1.1
PROBE_START = 0.8
# Probes denser than this (mean neighbours within eps) are searched on a
# sample thinned to about this density: density valleys stay where they are,
# and DBSCAN's cost, points x neighbours, falls with the square of the share.
THIN_NEIGHBOURS = 40.0
# A place is searched for separate cores up to this many times its mean
# neighbours; beyond that a single dense blob only shrinks.
PROBE_END = 2.0
# A split must leave two dense cores at least this many eps apart, otherwise
# it is one place that merely thins out at a higher minpoints.
SPLIT_MIN_SEPARATION_EPS = 2.0
MATCH_MIN_OVERLAP = 0.3


@dataclass(frozen=True)
class Params:
    eps: float = 50.0
    minpoints: int = 5
    dedup_distance: float = 25.0
    min_reporters: int = 3
    mc_runs: int = 99
    mc_seed: int = 2017
    max_extent: float = 250.0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def digest(self, area_wkt: str) -> str:
        """Identifies parameters plus area: a result from others is not reused."""
        blob = json.dumps({**self.as_dict(), "area": area_wkt}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


# --- SQL (psycopg placeholders; every value is bound) -------------------------

# Reports that take part, with the request's filters. A report without a
# reporter hash counts as its own person. An empty `days` means "not said":
# it matches any day filter.
SOURCE_FILTER = """
      r.status = 'published'
  AND (%(times)s::text[] IS NULL OR r.times && %(times)s::text[])
  AND (%(days)s::text[] IS NULL OR r.days && %(days)s::text[] OR cardinality(r.days) = 0)
  AND (%(reasons)s::text[] IS NULL OR r.reasons && %(reasons)s::text[])
  AND (%(since)s::timestamptz IS NULL OR r.created_at >= %(since)s::timestamptz)
  AND (%(until)s::timestamptz IS NULL OR r.created_at < %(until)s::timestamptz)
"""

CREATE_SOURCE = (
    """
CREATE TEMP TABLE hs_src ON COMMIT DROP AS
SELECT r.id, COALESCE(r.reporter_hash, uuid_send(r.id)) AS reporter, r.reasons, r.times,
       r.days, r.severity, r.created_at, r.geom_3006 AS g, GeometryType(r.geom_3006) AS t
FROM reports r
WHERE r.kind = 'unsafe' AND """
    + SOURCE_FILTER
)

# Step 1: reports to points. Line points are centred along the line so a short
# line still gives its middle; a big polygon falls back to its point on surface
# when no lattice point lies inside it (a thin shape).
CREATE_POINTS = """
CREATE TEMP TABLE hs_pts ON COMMIT DROP AS
SELECT id, reporter, g FROM hs_src WHERE t = 'POINT'
UNION ALL
SELECT s.id, s.reporter,
       CASE WHEN l.len = 0 THEN ST_StartPoint(s.g)
            ELSE ST_LineInterpolatePoint(
                s.g, LEAST(1.0, ((l.len - floor(l.len / %(step)s) * %(step)s) / 2 + i * %(step)s)
                                / l.len)) END
FROM hs_src s
CROSS JOIN LATERAL (SELECT ST_Length(s.g) AS len) l
CROSS JOIN LATERAL generate_series(0, floor(l.len / %(step)s)::int) i
WHERE s.t = 'LINESTRING'
UNION ALL
SELECT id, reporter, ST_PointOnSurface(g) FROM hs_src
WHERE t = 'POLYGON' AND ST_Area(g) < %(small_polygon)s
UNION ALL
SELECT s.id, s.reporter, pts.g
FROM hs_src s
CROSS JOIN LATERAL (
    SELECT ST_Centroid(q.geom) AS g FROM ST_SquareGrid(%(lattice)s, s.g) q
    WHERE ST_Intersects(ST_Centroid(q.geom), s.g)
    UNION ALL
    SELECT ST_PointOnSurface(s.g)
    WHERE NOT EXISTS (
        SELECT 1 FROM ST_SquareGrid(%(lattice)s, s.g) q2
        WHERE ST_Intersects(ST_Centroid(q2.geom), s.g))
) pts
WHERE s.t = 'POLYGON' AND ST_Area(s.g) >= %(small_polygon)s
"""

# Step 2: one point per person per place, with the union of that person's
# reasons, times and days there. `pid` follows position, so the DBSCAN below
# sees its input in the same order every time.
CREATE_DEDUP = """
CREATE TEMP TABLE hs_dp ON COMMIT DROP AS
WITH c AS (
    SELECT p.id, p.reporter, p.g,
           ST_ClusterDBSCAN(p.g, %(dedup)s, 1)
               OVER (PARTITION BY p.reporter ORDER BY ST_X(p.g), ST_Y(p.g), p.id) AS d
    FROM hs_pts p
), cn AS (
    SELECT c.*, count(*) OVER (PARTITION BY c.reporter, c.d) AS n FROM c
), places AS (
    -- Most places hold one point, which is its own centroid: aggregating
    -- only the others saves a sort per place.
    SELECT cn.reporter, cn.d, cn.g, ARRAY[cn.id] AS ids FROM cn WHERE cn.n = 1
    UNION ALL
    SELECT cn.reporter, cn.d, ST_Centroid(ST_Collect(cn.g)) AS g, array_agg(DISTINCT cn.id) AS ids
    FROM cn WHERE cn.n > 1 GROUP BY cn.reporter, cn.d
)
SELECT (row_number() OVER (ORDER BY ST_X(pl.g), ST_Y(pl.g), pl.reporter))::int AS pid,
       (dense_rank() OVER (ORDER BY pl.reporter))::int AS rid,
       pl.g, pl.ids
FROM places pl
"""

CREATE_DEDUP_NONE = """
CREATE TEMP TABLE hs_dp ON COMMIT DROP AS
SELECT (row_number() OVER (ORDER BY ST_X(p.g), ST_Y(p.g), p.id))::int AS pid,
       (dense_rank() OVER (ORDER BY p.reporter))::int AS rid, p.g, ARRAY[p.id] AS ids
FROM hs_pts p
"""

# Step 3: labels per level. `hs_lab` holds the current cluster of each point.
CREATE_LABELS = """
CREATE TEMP TABLE hs_lab ON COMMIT DROP AS
SELECT pid, cid, cid AS root FROM (
    SELECT pid, ST_ClusterDBSCAN(g, %(eps)s, %(minpoints)s) OVER (ORDER BY pid) AS cid
    FROM hs_dp
) c
"""

NOISE_COUNT = "SELECT count(*) AS n FROM hs_lab WHERE cid IS NULL"

# Per cluster: people, points, diameter and the mean number of neighbours a
# point has within eps (density), which sets the next level's minpoints.
CLUSTER_STATS = """
WITH m AS (
    SELECT l.cid, d.rid, d.g FROM hs_lab l JOIN hs_dp d USING (pid)
    WHERE l.cid = ANY(%(cids)s::int[])
), h AS (
    SELECT cid, count(*) AS n, count(DISTINCT rid) AS reporters,
           ST_ConvexHull(ST_Collect(g)) AS hull,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(g)) AS cx,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(g)) AS cy
    FROM m GROUP BY cid
)
SELECT cid, n, reporters, cx, cy, ST_MaxDistance(hull, hull) AS extent,
       n * pi() * %(eps)s ^ 2 / GREATEST(ST_Area(ST_Buffer(hull, %(eps)s / 2)), 1) AS neighbours
FROM h
"""

# The probe of each cluster still being split: its points at the current
# minpoints. Probes and splits carry each point's person and position, so the
# levels below never go back to hs_dp.
CREATE_PROBE = """
CREATE TEMP TABLE hs_probe ON COMMIT DROP AS
SELECT l.pid, l.cid, d.rid, d.g FROM hs_lab l JOIN hs_dp d USING (pid)
WHERE l.cid = ANY(%(cids)s::int[])
"""

NEXT_PROBE = (
    "TRUNCATE hs_probe",
    """INSERT INTO hs_probe
SELECT pid, cid, rid, g FROM hs_split WHERE cid = ANY(%(cids)s::int[])""",
)

# Re-cluster each probe with its own, higher minpoints; children get new ids
# above `offset`.
SPLIT = """
CREATE TEMP TABLE hs_split ON COMMIT DROP AS
WITH t AS (
    SELECT * FROM unnest(%(cids)s::int[], %(minpts)s::int[], %(keeps)s::int[])
        AS t(cid, minpts, keep)
), c AS (
    SELECT p.pid, p.cid AS parent, p.rid, p.g,
           ST_ClusterDBSCAN(p.g, %(eps)s, t.minpts) OVER (PARTITION BY p.cid ORDER BY p.pid) AS sub
    FROM hs_probe p JOIN t ON t.cid = p.cid
    WHERE (hashint4(p.pid) & 1023) < t.keep
)
SELECT pid, parent, rid, g,
       CASE WHEN sub IS NULL THEN NULL
            ELSE (%(offset)s + dense_rank() OVER (ORDER BY parent, sub))::int END AS cid
FROM c
"""

SPLIT_STATS = """
WITH m AS (
    SELECT parent, cid, rid, g FROM hs_split WHERE cid IS NOT NULL
), h AS (
    SELECT parent, cid, count(*) AS n, count(DISTINCT rid) AS reporters,
           ST_ConvexHull(ST_Collect(g)) AS hull,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(g)) AS cx,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(g)) AS cy
    FROM m GROUP BY parent, cid
)
SELECT parent, cid, n, reporters, cx, cy, ST_MaxDistance(hull, hull) AS extent,
       n * pi() * %(eps)s ^ 2 / GREATEST(ST_Area(ST_Buffer(hull, %(eps)s / 2)), 1) AS neighbours
FROM h
"""

# A split replaces a cluster by the dense cores found inside it (with the
# border points DBSCAN gave those cores). Rather than relabelling `hs_lab` at
# every level, each level only notes its cores' points; child ids grow with the
# level, so a point's newest core is its highest id.
CREATE_ASSIGN = "CREATE TEMP TABLE hs_assign (pid int, cid int) ON COMMIT DROP"
NOTE_SPLIT = """INSERT INTO hs_assign
SELECT pid, cid FROM hs_split WHERE cid = ANY(%(children)s::int[])"""

# One labelling pass at the end: a point belongs to its newest cluster if that
# cluster is final (`cids`); otherwise it was split off as noise, or its
# cluster was too small or dropped.
RELABEL = (
    """CREATE TEMP TABLE hs_lab_final ON COMMIT DROP AS
SELECT l.pid, CASE WHEN c.cid = ANY(%(cids)s::int[]) THEN c.cid END AS cid, l.root
FROM hs_lab l
LEFT JOIN (SELECT pid, max(cid) AS cid FROM hs_assign GROUP BY pid) a USING (pid)
CROSS JOIN LATERAL (SELECT COALESCE(a.cid, l.cid) AS cid) c
ORDER BY l.pid""",
    "DROP TABLE hs_lab, hs_assign",
    "ALTER TABLE hs_lab_final RENAME TO hs_lab",
    "CREATE UNIQUE INDEX ON hs_lab (pid)",
    "ANALYZE hs_lab",
)

# Clusters found on a thinned sample hold only sampled points. At the end,
# the points left out of the sample that lie inside a final cluster's hull
# (plus a small margin) of the same level-0 cluster (`root`) join it: the
# sample's hull stands for the region the full data's cluster covers.
THINNED_BORDER = (
    """CREATE TEMP TABLE hs_hulls ON COMMIT DROP AS
SELECT cid, root, h, ST_Centroid(h) AS c FROM (
    SELECT l.cid, l.root, ST_Buffer(ST_ConvexHull(ST_Collect(d.g)), %(margin)s) AS h
    FROM hs_lab l JOIN hs_dp d USING (pid)
    WHERE l.cid = ANY(%(cids)s::int[])
    GROUP BY l.cid, l.root
) hulls""",
    "CREATE INDEX ON hs_hulls USING gist (h)",
    "ANALYZE hs_hulls",
    """CREATE TEMP TABLE hs_rest_to ON COMMIT DROP AS
SELECT r.pid, n.cid
FROM (
    SELECT l.pid, l.root, d.g FROM hs_lab l JOIN hs_dp d USING (pid)
    JOIN unnest(%(roots)s::int[], %(keeps)s::int[]) AS t(root, keep) ON t.root = l.root
    WHERE l.cid IS NULL AND (hashint4(l.pid) & 1023) >= t.keep
) r
CROSS JOIN LATERAL (
    SELECT h.cid FROM hs_hulls h
    WHERE h.root = r.root AND ST_Intersects(h.h, r.g)
    ORDER BY ST_Distance(h.c, r.g), h.cid LIMIT 1
) n""",
    """UPDATE hs_lab l SET cid = t.cid FROM hs_rest_to t
WHERE t.pid = l.pid AND t.cid IS NOT NULL""",
    "DROP TABLE hs_hulls, hs_rest_to",
)
THIN_HULL_MARGIN_M = 10.0

# Step 5: each hotspot's reports, one row per (hotspot, person, report), with
# what the person said there; every later statistic reads this table.
CREATE_MEMBERS = """
CREATE TEMP TABLE hs_memb ON COMMIT DROP AS
SELECT m.cid, m.rid, s.id, s.reporter, s.reasons, s.times, s.days, s.severity, s.created_at
FROM (
    SELECT DISTINCT l.cid, d.rid, u.id FROM hs_lab l JOIN hs_dp d USING (pid)
    CROSS JOIN LATERAL unnest(d.ids) AS u(id)
    WHERE l.cid = ANY(%(cids)s::int[])
) m JOIN hs_src s ON s.id = m.id
"""

# One row per hotspot with its outline (metres) and median centre.
CREATE_OUT = """
CREATE TEMP TABLE hs_out ON COMMIT DROP AS
WITH rs AS (
    SELECT cid, count(*) AS reports, min(created_at) AS first_report,
           max(created_at) AS last_report
    FROM hs_memb GROUP BY cid
)
SELECT g.cid, g.reporters, rs.reports, rs.first_report, rs.last_report, g.cx, g.cy,
       ST_Buffer(ST_ConvexHull(g.pts), %(buffer)s, 'quad_segs=4') AS outline
FROM (
    SELECT l.cid, count(DISTINCT d.rid) AS reporters, ST_Collect(d.g) AS pts,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(d.g)) AS cx,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(d.g)) AS cy
    FROM hs_lab l JOIN hs_dp d USING (pid)
    WHERE l.cid = ANY(%(cids)s::int[])
    GROUP BY l.cid
) g JOIN rs USING (cid)
"""

# The breakdowns count people, not reports: per hotspot, how many people named
# each code (a person's codes are the union over their reports there).
CODE_COUNTS = """
SELECT cid, 'reasons' AS kind, code, count(DISTINCT rid) AS n
FROM hs_memb CROSS JOIN LATERAL unnest(reasons) AS code GROUP BY cid, code
UNION ALL
SELECT cid, 'times', code, count(DISTINCT rid)
FROM hs_memb CROSS JOIN LATERAL unnest(times) AS code GROUP BY cid, code
UNION ALL
SELECT cid, 'days', code, count(DISTINCT rid)
FROM hs_memb CROSS JOIN LATERAL unnest(days) AS code GROUP BY cid, code
"""

# The times each person named at each hotspot, in person order, for the
# aoristic profile (`aoristic_profiles`): summing the hours in this order keeps
# the floating-point sums the same from run to run.
PERSON_TIMES = "SELECT cid, rid, times FROM hs_memb ORDER BY cid, rid"

# Mean severity: each person's mean, then the mean over people (in person order).
SEVERITY = """
WITH ps AS (
    SELECT cid, rid, sum(severity)::float8 / count(severity)::float8 AS sev
    FROM hs_memb WHERE severity IS NOT NULL GROUP BY cid, rid
)
SELECT cid, sum(sev ORDER BY rid) AS total, count(*) AS people FROM ps GROUP BY cid
"""

# The reporter hashes behind each hotspot, for the "possibly coordinated" check.
REPORTERS = "SELECT cid, array_agg(DISTINCT reporter) AS hashes FROM hs_memb GROUP BY cid"

SAFE_NEARBY = (
    """
SELECT o.cid, count(r.id) AS safe
FROM hs_out o JOIN reports r ON ST_Intersects(r.geom_3006, o.outline)
WHERE r.kind = 'safe' AND """
    + SOURCE_FILTER
    + """
GROUP BY o.cid
"""
)

MATCH_CANDIDATES = """
SELECT o.cid, i.id, i.last_seen,
       ST_Area(ST_Intersection(o.outline, i.outline_3006))
         / GREATEST(LEAST(ST_Area(o.outline), ST_Area(i.outline_3006)), 1) AS overlap
FROM hs_out o JOIN hotspot_identities i ON ST_Intersects(o.outline, i.outline_3006)
"""


# --- pure functions -----------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    cid: int
    n: int
    reporters: int
    cx: float
    cy: float
    extent: float
    neighbours: float


def next_minpoints(current: int, anchor: Cluster, probe: Cluster, max_extent: float) -> int:
    """The next level's minpoints for re-clustering a cluster's probe.

    A place (not wider than `max_extent`) is searched for separate cores in
    small steps, starting near its probe's mean number of neighbours (below
    that nothing changes). A too-wide cluster is a dense region rather than a
    place: minpoints jump to where its own mean density would give no core
    point by chance (`geo.significance.dense_minpoints`), so only places denser
    than their surroundings remain.
    """
    step = max(
        math.ceil(current * MINPOINTS_STEP),
        current + 1,
        math.ceil(PROBE_START * probe.neighbours),
    )
    if anchor.extent > max_extent:
        return max(step, dense_minpoints(anchor.neighbours, anchor.n))
    return step


def sample_keep(probe: Cluster, keep_before: int) -> int:
    """Of 1024 hash buckets, how many a probe's search keeps (1024 = every point)."""
    if probe.neighbours <= THIN_NEIGHBOURS:
        return keep_before
    wanted = math.ceil(1024 * THIN_NEIGHBOURS / probe.neighbours)
    return max(16, min(keep_before, wanted))


def scaled(cluster: Cluster, share: float) -> Cluster:
    """A cluster found on a sample, with counts scaled up to all points."""
    if share >= 1:
        return cluster
    return Cluster(
        cluster.cid,
        round(cluster.n / share),
        round(cluster.reporters / share),
        cluster.cx,
        cluster.cy,
        cluster.extent,
        cluster.neighbours / share,
    )


def sample_minpoints(full: int, anchor: Cluster, share: float, base: int, max_extent: float) -> int:
    """Minpoints on a sample keeping `share` of the points, for `full` on all of them.

    The chance test of a too-wide cluster is redone at the sample's density:
    thinning makes chance fluctuations relatively larger.
    """
    if share >= 1:
        return full
    out = max(base, math.ceil(full * share))
    if anchor.extent > max_extent:
        out = max(out, dense_minpoints(anchor.neighbours * share, round(anchor.n * share)))
    return out


def worth_deeper(anchor: Cluster, next_minpoints: int) -> bool:
    return next_minpoints <= PROBE_END * max(anchor.neighbours, 1.0)


def may_split(cluster: Cluster, k: int, eps: float, max_extent: float) -> bool:
    """Whether searching inside `cluster` can change it: too wide, or room for two cores."""
    return cluster.extent > max_extent or (
        cluster.reporters >= 2 * k and cluster.extent >= SPLIT_MIN_SEPARATION_EPS * eps
    )


def split_outcome(
    anchor: Cluster, children: Sequence[Cluster], k: int, eps: float, max_extent: float
) -> tuple[str, list[Cluster]]:
    """What to do with a cluster whose probe was re-clustered at a higher minpoints.

    - ("split", cores): two dense cores at least 2 eps apart, or the cluster is
      too wide: it is replaced by its cores (each with k people or more);
    - ("deeper", [core]): one core left, keep looking inside it;
    - ("keep", []): nothing dense enough inside, the cluster is one place;
    - ("drop", []): too wide and nothing dense enough inside.
    """
    kept = [c for c in children if c.reporters >= k]
    separate = any(
        math.dist((a.cx, a.cy), (b.cx, b.cy)) >= SPLIT_MIN_SEPARATION_EPS * eps
        for i, a in enumerate(kept)
        for b in kept[i + 1 :]
    )
    if separate or (kept and anchor.extent > max_extent):
        return "split", kept
    if kept:
        core = max(kept, key=lambda c: (c.reporters, c.n, -c.cid))
        # Two cores need 2k people and room for SPLIT_MIN_SEPARATION_EPS * eps
        # between them; a core without either is one place: stop looking.
        if core.reporters >= 2 * k and core.extent >= SPLIT_MIN_SEPARATION_EPS * eps:
            return "deeper", [core]
        return "keep", []
    if anchor.extent > max_extent:
        return "drop", []
    return "keep", []


def aoristic_hours(people_times: Iterable[Iterable[str]]) -> list[float]:
    """24 numbers: each person's weight of 1 spread evenly over the hours they named."""
    profile = [0.0] * 24
    for times in people_times:
        hours = sorted({h for t in times for h in TIME_HOURS.get(t, ())})
        if not hours:
            continue
        share = 1.0 / len(hours)
        for h in hours:
            profile[h] += share
    return [round(v, 4) for v in profile]


def count_codes(people_codes: Iterable[Iterable[str]], vocabulary: Sequence[str]) -> dict[str, int]:
    """How many people named each code, in vocabulary order, zeros left out."""
    counts = dict.fromkeys(vocabulary, 0)
    for codes in people_codes:
        for code in set(codes):
            if code in counts:
                counts[code] += 1
    return {code: n for code, n in counts.items() if n}


def aoristic_profiles(rows: Iterable[Mapping[str, Any]]) -> dict[int, list[float]]:
    """Per hotspot, `aoristic_hours` of its people, from PERSON_TIMES rows
    (one per report, ordered by hotspot and person)."""
    profiles: dict[int, list[float]] = {}
    for cid, by_cid in groupby(rows, key=lambda r: int(r["cid"])):
        people = [
            {t for row in reports for t in (row["times"] or ())}
            for _, reports in groupby(by_cid, key=lambda r: int(r["rid"]))
        ]
        profiles[cid] = aoristic_hours(people)
    return profiles


def breakdowns_of(
    codes: Iterable[Mapping[str, Any]],
    profiles: Mapping[int, list[float]],
    severity: Iterable[Mapping[str, Any]],
) -> dict[int, dict[str, object]]:
    """Per hotspot: reasons, times, days, hours and mean severity, from the rows of
    CODE_COUNTS and SEVERITY and `aoristic_profiles` (the same as `count_codes`
    and `aoristic_hours` over one row per person)."""
    vocabularies = {"reasons": REASON_CODES, "times": TIME_CODES, "days": DAY_CODES}
    counted: dict[int, dict[str, dict[str, int]]] = {}
    for row in codes:
        kinds = counted.setdefault(int(row["cid"]), {k: {} for k in vocabularies})
        kinds[str(row["kind"])][str(row["code"])] = int(row["n"])
    means = {
        int(row["cid"]): round(float(row["total"]) / int(row["people"]), 3)
        for row in severity
        if int(row["people"])
    }
    out: dict[int, dict[str, object]] = {}
    for cid in set(counted) | set(profiles) | set(means):
        kinds = counted.get(cid, {})
        out[cid] = {
            **{
                kind: {c: kinds[kind][c] for c in vocab if kinds.get(kind, {}).get(c)}
                for kind, vocab in vocabularies.items()
            },
            "hours": profiles.get(cid, [0.0] * 24),
            "severity_mean": means.get(cid),
        }
    return out


def empty_breakdowns() -> dict[str, object]:
    return {
        "reasons": {},
        "times": {},
        "days": {},
        "hours": [0.0] * 24,
        "severity_mean": None,
    }


def score(reporters: int, severity_mean: float | None) -> float:
    """People, weighted by how unsafe they said it feels (severity 2 = weight 1)."""
    weight = 1.0 if severity_mean is None else 1.0 + (severity_mean - 2.0) / 4.0
    return round(reporters * weight, 3)


def match_identities(
    candidates: Iterable[tuple[int, str, float, float]],
) -> dict[int, str]:
    """One-to-one, greedy by overlap: cluster id -> identity id.

    `candidates` are (cluster, identity, overlap share, last seen as a number);
    at equal overlap the identity seen most recently wins.
    """
    ordered = sorted(
        (c for c in candidates if c[2] >= MATCH_MIN_OVERLAP),
        key=lambda c: (-c[2], -c[3], c[0], c[1]),
    )
    taken_clusters: set[int] = set()
    taken_ids: set[str] = set()
    out: dict[int, str] = {}
    for cid, identity, _, _ in ordered:
        if cid in taken_clusters or identity in taken_ids:
            continue
        out[cid] = identity
        taken_clusters.add(cid)
        taken_ids.add(identity)
    return out
