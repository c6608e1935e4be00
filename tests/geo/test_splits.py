"""The splits on arrays (geo.splits) give PostGIS' clusters, statistics and hull figures."""

from __future__ import annotations

import numpy as np
import shapely

from app.repo.hotspots.compute_sql import CLUSTER_HULLS
from geo.splits import cluster_stats, hull_vertices, partition_labels, split_level
from tests.conftest import Sql

# The statement the splits ran before (compute_sql.SPLIT), on literal points.
POSTGIS_SPLIT = """
SELECT ST_ClusterDBSCAN(ST_Point(x, y, 3006), %(eps)s, m)
           OVER (PARTITION BY g ORDER BY i) AS sub
FROM unnest(%(xs)s::float8[], %(ys)s::float8[], %(gs)s::int[], %(ms)s::int[])
    WITH ORDINALITY AS u(x, y, g, m, i)
ORDER BY i
"""

# The statistics the splits read before (compute_sql.SPLIT_STATS), on literal points.
POSTGIS_STATS = """
WITH m AS (
    SELECT c AS cid, r AS rid, ST_Point(x, y, 3006) AS g
    FROM unnest(%(cs)s::int[], %(rs)s::int[], %(xs)s::float8[], %(ys)s::float8[]) AS u(c, r, x, y)
), h AS (
    SELECT cid, count(*) AS n, count(DISTINCT rid) AS reporters,
           ST_ConvexHull(ST_Collect(g)) AS hull,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_X(g)) AS cx,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ST_Y(g)) AS cy
    FROM m GROUP BY cid
)
SELECT cid, n, reporters, cx, cy, ST_MaxDistance(hull, hull) AS extent,
       n * pi() * %(eps)s::float8 ^ 2 / GREATEST(ST_Area(ST_Buffer(hull, %(eps)s::float8 / 2)), 1)
           AS neighbours
FROM h ORDER BY cid
"""


def postgis_labels(
    sql: Sql, xy: np.ndarray, groups: np.ndarray, minpts: np.ndarray, eps: float
) -> list[int | None]:
    rows = sql.all(
        POSTGIS_SPLIT,
        {
            "eps": eps,
            "xs": xy[:, 0].tolist(),
            "ys": xy[:, 1].tolist(),
            "gs": groups.tolist(),
            "ms": minpts.tolist(),
        },
    )
    return [r["sub"] for r in rows]


def clusters_of(labels: list[int | None], groups: np.ndarray) -> set[frozenset[int]]:
    """The clusters as sets of point indices (numbering aside)."""
    out: dict[tuple[int, int], set[int]] = {}
    for i, label in enumerate(labels):
        if label is not None:
            out.setdefault((int(groups[i]), label), set()).add(i)
    return {frozenset(c) for c in out.values()}


def ours(xy: np.ndarray, groups: np.ndarray, minpts: np.ndarray, eps: float) -> list[int | None]:
    labels = partition_labels(xy[:, 0], xy[:, 1], groups, minpts, eps)
    return [None if v < 0 else int(v) for v in labels]


def test_border_point_joins_the_first_core_that_reaches_it(sql: Sql) -> None:
    # Two tight groups of 6 (all cores at minpts 6), 60 m apart; the point
    # halfway is within 31 m of two cores of each, so a border point of both.
    # It comes third in the scan, after a core of each group: the right
    # group's core (index 1) reaches it first, so it takes the point, though
    # the left group's cluster starts with the lower-index core (index 0).
    square = [(0.0, 0.0), (0.0, 5.0), (5.0, 0.0), (5.0, 5.0), (2.5, 2.5), (2.5, 0.0)]
    left = square
    right = [(65.0 + (5.0 - x), y) for x, y in square]
    mid = (35.0, 2.5)
    xy = np.array([left[0], right[3], mid, *left[1:], *right[:3], *right[4:]])
    groups = np.zeros(len(xy), dtype=np.int64)
    minpts = np.full(len(xy), 6)
    theirs = postgis_labels(sql, xy, groups, minpts, 31.0)
    mine = ours(xy, groups, minpts, 31.0)
    assert clusters_of(mine, groups) == clusters_of(theirs, groups)
    assert mine[2] == mine[1] != mine[0]
    # Numbered by their first core in the scan: the left group (index 0) first.
    assert mine[0] == 0 and mine[1] == 1


def test_points_exactly_eps_apart_are_neighbours(sql: Sql) -> None:
    # A 50 m lattice (polygon reports' points) with eps 50: every neighbour
    # sits exactly on the eps boundary, as in PostGIS (distance <= eps).
    gx, gy = np.meshgrid(np.arange(6) * 50.0 + 25.0, np.arange(3) * 50.0 + 25.0)
    xy = np.column_stack([gx.ravel(), gy.ravel()]) + [6_470_000.0, 340_000.0]
    groups = np.zeros(len(xy), dtype=np.int64)
    for m in (3, 4, 5, 6):
        minpts = np.full(len(xy), m)
        theirs = postgis_labels(sql, xy, groups, minpts, 50.0)
        assert clusters_of(ours(xy, groups, minpts, 50.0), groups) == clusters_of(theirs, groups)


def test_partitions_with_their_own_minpoints_as_st_clusterdbscan(sql: Sql) -> None:
    rng = np.random.default_rng(5)
    for scene in range(12):
        parts = []
        for g in range(int(rng.integers(1, 5))):
            n = int(rng.integers(2, 300))
            pts = rng.uniform(0, 200, 2) + rng.normal(0, rng.uniform(8, 50), (n, 2))
            if scene % 3 == 0:
                pts = np.round(pts / 25.0) * 25.0  # duplicates and exact ties
            parts.append((pts, np.full(n, 3 * g + 1), np.full(n, int(rng.integers(2, 25)))))
        xy = np.vstack([p[0] for p in parts])
        groups = np.concatenate([p[1] for p in parts])
        minpts = np.concatenate([p[2] for p in parts])
        mix = rng.permutation(len(xy))
        xy, groups, minpts = xy[mix], groups[mix], minpts[mix]
        eps = 25.0 if scene % 2 else 50.0
        theirs = postgis_labels(sql, xy, groups, minpts, eps)
        mine = ours(xy, groups, minpts, eps)
        assert clusters_of(mine, groups) == clusters_of(theirs, groups), scene
        # Numbering: by partition, then by the first point of each cluster's cores.
        firsts = [(int(groups[i]), label) for i, label in enumerate(mine) if label is not None]
        by_label = sorted({label: g for g, label in firsts}.items())
        assert [g for _, g in by_label] == sorted(g for _, g in by_label)


def test_a_partition_smaller_than_minpoints_has_no_cluster(sql: Sql) -> None:
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    groups = np.zeros(3, dtype=np.int64)
    for m in (3, 4):
        minpts = np.full(3, m)
        assert ours(xy, groups, minpts, 10.0) == postgis_labels(sql, xy, groups, minpts, 10.0)


def test_split_level_keeps_each_probes_sample() -> None:
    xs = np.arange(10.0)
    ys = np.zeros(10)
    buckets = np.array([0, 900, 1, 2, 3, 1000, 4, 5, 6, 7])
    idx, parent, labels = split_level(
        xs,
        ys,
        buckets,
        [np.array([5, 0, 1, 2, 3]), np.array([6, 7, 8, 9, 4])],
        [7, 3],
        [2, 2],
        [512, 1024],
        1.5,
    )
    assert idx.tolist() == [0, 2, 3, 4, 6, 7, 8, 9]
    assert parent.tolist() == [7, 7, 7, 3, 3, 3, 3, 3]
    # Probe 3 comes first in the numbering, as ORDER BY parent did; 0 and 4
    # have no neighbour within 1.5 m left in their samples.
    assert labels.tolist() == [-1, 1, 1, -1, 0, 0, 0, 0]


def test_statistics_and_hull_figures_as_postgis(sql: Sql) -> None:
    rng = np.random.default_rng(9)
    xs_parts, ys_parts, cids, rids = [], [], [], []
    sizes = [1, 2, 3, 4, 7, 40, 301, 1000]
    for c, n in enumerate(sizes):
        pts = rng.uniform(0, 300, 2) + rng.normal(0, 30, (n, 2)) + [340_000.0, 6_470_000.0]
        if c % 2:
            pts = np.round(pts / 50.0) * 50.0 + 25.0  # lattice: collinear hull edges, duplicates
        xs_parts.append(pts[:, 0])
        ys_parts.append(pts[:, 1])
        cids.append(np.full(n, c))
        rids.append(rng.integers(0, max(1, n // 2), n))
    xs, ys = np.concatenate(xs_parts), np.concatenate(ys_parts)
    labels, rid = np.concatenate(cids), np.concatenate(rids)
    mix = rng.permutation(len(xs))
    xs, ys, labels, rid = xs[mix], ys[mix], labels[mix], rid[mix]
    eps = 50.0
    theirs = sql.all(
        POSTGIS_STATS,
        {
            "cs": labels.tolist(),
            "rs": rid.tolist(),
            "xs": xs.tolist(),
            "ys": ys.tolist(),
            "eps": eps,
        },
    )
    stats = cluster_stats(xs, ys, rid, labels, len(sizes))
    assert stats["n"].tolist() == [r["n"] for r in theirs]
    assert stats["reporters"].tolist() == [r["reporters"] for r in theirs]
    assert stats["cx"].tolist() == [r["cx"] for r in theirs]
    assert stats["cy"].tolist() == [r["cy"] for r in theirs]
    vl, vx, vy = hull_vertices(xs, ys, labels, np.arange(len(sizes)))
    hulls = sql.all(
        CLUSTER_HULLS.text.replace(":eps", "%(eps)s::float8")
        .replace(":vcids", "%(vcids)s")
        .replace(":xs", "%(xs)s")
        .replace(":ys", "%(ys)s")
        .replace(":cids", "%(cids)s")
        .replace(":ns", "%(ns)s")
        + " ORDER BY cid",
        {
            "vcids": ",".join(map(str, vl.tolist())),
            "xs": ",".join(map(repr, vx.tolist())),
            "ys": ",".join(map(repr, vy.tolist())),
            "cids": list(range(len(sizes))),
            "ns": stats["n"].tolist(),
            "eps": eps,
        },
    )
    # Bit for bit: the hull of the vertices is the hull of all the points.
    assert [h["extent"] for h in hulls] == [r["extent"] for r in theirs]
    assert [h["neighbours"] for h in hulls] == [r["neighbours"] for r in theirs]


def test_hull_vertices_are_those_of_the_hull_of_all_points() -> None:
    # Only the points outside each cluster's octagon of extremes go to GEOS: its
    # hull must still be that of all the points, on degenerate shapes too.
    rng = np.random.default_rng(5)
    for _ in range(200):
        xs_parts, ys_parts, labs = [], [], []
        for c in range(int(rng.integers(1, 6))):
            m = int(rng.integers(1, 80))
            ox, oy = 340_000.0 + rng.uniform(0, 3000), 6_470_000.0 + rng.uniform(0, 3000)
            t = rng.integers(0, 10, m).astype(float)
            shapes = [
                (np.full(m, ox), np.full(m, oy)),  # one point, repeated
                (ox + (t % 2) * 3.0, oy + (t % 2) * 7.0),  # two points
                (np.full(m, ox), oy + t * 2.5),  # a vertical segment
                (ox + (t % 5) * 10.0, oy + rng.integers(0, 5, m) * 10.0),  # a lattice
                (ox + t * 7.0, oy + t * 2.1),  # a slanted segment
                (ox + rng.normal(0, 20, m), oy + rng.normal(0, 20, m)),
            ]
            px, py = shapes[int(rng.integers(0, len(shapes)))]
            xs_parts.append(px)
            ys_parts.append(py)
            labs.append(np.full(m, c))
        xs, ys, labels = np.concatenate(xs_parts), np.concatenate(ys_parts), np.concatenate(labs)
        mix = rng.permutation(len(xs))
        xs, ys, labels = xs[mix], ys[mix], labels[mix]
        ids = np.unique(labels)
        vl, vx, vy = hull_vertices(xs, ys, labels, ids)
        for c in ids.tolist():
            mine = labels == c
            hull = shapely.MultiPoint(np.column_stack([xs[mine], ys[mine]])).convex_hull
            want = np.unique(shapely.get_coordinates(hull), axis=0)
            got = np.column_stack([vx[vl == c], vy[vl == c]])
            assert np.array_equal(got, want)
