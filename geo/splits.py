"""The density splits' DBSCAN on arrays: PostGIS' ST_ClusterDBSCAN per partition.

The splits (`app.services.hotspots.splitting`) re-cluster each probe, the
points of a cluster still being searched, at a raised minpoints:
`ST_ClusterDBSCAN(g, eps, minpts) OVER (PARTITION BY probe ORDER BY pid)` until
this module replaced it. Its rule, read from `union_dbscan_general`
(liblwgeom/lwgeom_geos_cluster.c, PostGIS 3.3), is reproduced point for point:

- a point is a core when at least minpts points of its partition (itself
  included) lie within eps, the distance taken as sqrt(dx * dx + dy * dy);
- cores within eps of each other share a cluster;
- a border point joins the cluster of the first core that reaches it in the
  partition's order: the lowest-index core within eps.

Only the numbering is not PostGIS': it orders a partition's clusters by a
union-find root that depends on the order GEOS' STRtree returns neighbours.
Here they are numbered by partition, then by their first core in scan order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from geo.dbscan import grid_labels


def partition_labels(
    xs: np.ndarray, ys: np.ndarray, groups: np.ndarray, minpts: np.ndarray, eps: float
) -> np.ndarray:
    """DBSCAN labels (-1 noise) of points in scan order, each group its own partition
    with its own minpts (one per point, the same within a group).

    Labels are dense from 0, ordered by (group, the cluster's first core).
    """
    n = len(xs)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    groups = np.asarray(groups, dtype=np.int64)
    # Cores and clusters as `grid_labels` finds them (distances compared as
    # dx*dx + dy*dy <= eps*eps: the same as PostGIS' sqrt(...) <= eps when
    # eps*eps is exact and eps's mantissa squared is at least 2, as for 25 or
    # 50 m); labels there follow the first core in scan order across groups.
    labels = grid_labels(
        np.asarray(xs, dtype=np.float64),
        np.asarray(ys, dtype=np.float64),
        eps,
        np.asarray(minpts, dtype=np.int64),
        groups,
        first_core=True,
    )
    member = labels >= 0
    if not member.any():
        return labels
    group_of = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    group_of[labels[member]] = groups[member]
    # Stable by group: within a group the clusters keep their first-core order.
    rank = np.empty_like(group_of)
    rank[np.argsort(group_of, kind="stable")] = np.arange(len(group_of))
    return np.where(member, rank[np.maximum(labels, 0)], -1)


def cluster_stats(
    xs: np.ndarray, ys: np.ndarray, rids: np.ndarray, labels: np.ndarray, nclusters: int
) -> dict[str, np.ndarray]:
    """Per label 0..nclusters-1: points, distinct people and median position, as
    PostgreSQL's count(*), count(DISTINCT rid) and percentile_cont(0.5)."""
    member = labels >= 0
    lab, x, y, rid = labels[member], xs[member], ys[member], rids[member]
    n = np.bincount(lab, minlength=nclusters)
    span = int(rid.max()) + 1 if len(rid) else 1
    pr = np.unique(lab * span + rid)
    people = np.bincount(pr // span, minlength=nclusters)
    return {"n": n, "reporters": people, "cx": _medians(lab, x, n), "cy": _medians(lab, y, n)}


def _medians(lab: np.ndarray, values: np.ndarray, n: np.ndarray) -> np.ndarray:
    """percentile_cont(0.5) per label: lo + (hi - lo) * 0.5 between the middle values."""
    order = np.lexsort((values, lab))
    v = values[order]
    start = np.cumsum(n) - n
    lo = v[start + (n - 1) // 2]
    hi = v[start + n // 2]
    out: np.ndarray = lo + (hi - lo) * 0.5
    return out


# Directions in counter-clockwise order: the points farthest along them go
# round the hull in that order (the Akl-Toussaint octagon).
_OCTAGON = ((1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1))


def hull_candidates(xs: np.ndarray, ys: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """A mask of the points that may be hull vertices of their label's cluster.

    Per label, the points farthest in eight directions span an octagon inside
    the hull; a point more than a micrometre inside each of its edges is
    inside the hull, so neither a vertex nor on an edge, and is left out.
    Which point a direction picks among near-ties does not matter: any of the
    cluster's points spans a polygon inside its hull.
    """
    n = len(xs)
    if n == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(labels, kind="stable")
    lab = np.asarray(labels)[order]
    x, y = np.asarray(xs, dtype=np.float64)[order], np.asarray(ys, dtype=np.float64)[order]
    first = np.ones(n, dtype=bool)
    first[1:] = lab[1:] != lab[:-1]
    starts = np.flatnonzero(first)
    seg = np.cumsum(first) - 1
    pos = np.arange(n)
    corners = []
    for kx, ky in _OCTAGON:
        key = kx * x + ky * y
        best = np.maximum.reduceat(key, starts)
        corners.append(np.minimum.reduceat(np.where(key == best[seg], pos, n), starts)[seg])
    inside = np.ones(n, dtype=bool)
    edged = np.zeros(n, dtype=bool)
    for i, a in enumerate(corners):
        b = corners[(i + 1) % len(corners)]
        ex, ey = x[b] - x[a], y[b] - y[a]
        # Within a cluster the differences and products err by nanometres at
        # most; the margin is a thousand times that.
        cross = ex * (y - y[a]) - ey * (x - x[a])
        point = (ex == 0) & (ey == 0)  # two directions picked one point: no edge
        left = cross > 1e-6 * (np.abs(ex) + np.abs(ey) + 1.0)
        inside &= left | point
        edged |= left & ~point
    keep = np.empty(n, dtype=bool)
    keep[order] = ~(inside & edged)
    return keep


def hull_vertices(
    xs: np.ndarray, ys: np.ndarray, labels: np.ndarray, wanted: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The convex hull vertices (label, x, y) of the clusters in `wanted`: the points
    that decide a hull, its extent and its buffer (interior points change none)."""
    pick = np.nonzero(np.isin(labels, wanted))[0]
    if not len(pick):
        empty = np.empty(0)
        return empty.astype(np.int64), empty, empty
    # Building a geometry per point cost more than GEOS' hull (0.4 s for 100k
    # points): only the candidates go to shapely, the points on a staircase.
    pick = pick[hull_candidates(xs[pick], ys[pick], labels[pick])]
    lab = labels[pick]
    order = np.argsort(lab, kind="stable")
    lab = lab[order]
    coords = np.column_stack([xs[pick][order], ys[pick][order]])
    ids, index = np.unique(lab, return_inverse=True)
    hulls = shapely.convex_hull(shapely.multipoints(coords, indices=index))
    vx, which = shapely.get_coordinates(hulls, return_index=True)
    # A polygon repeats its first vertex to close the ring.
    uniq = np.unique(np.column_stack([which, vx]), axis=0)
    return ids[uniq[:, 0].astype(np.int64)], uniq[:, 1], uniq[:, 2]


def split_level(
    xs: np.ndarray,
    ys: np.ndarray,
    buckets: np.ndarray,
    probes: Sequence[np.ndarray],
    cids: Sequence[int],
    minpts: Sequence[int],
    keeps: Sequence[int],
    eps: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One level of the splits: each probe (point indices, its id in `cids`)
    re-clustered with its own minpts on its sample (hash bucket below its keep).

    Returns the sampled points (indices, ascending), their probe and their
    child label (-1 noise; children dense from 0 in (probe id, first core) order).
    """
    sizes = [len(p) for p in probes]
    if not sum(sizes):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    idx = np.concatenate([np.asarray(p, dtype=np.int64) for p in probes])
    parent = np.repeat(np.asarray(cids, dtype=np.int64), sizes)
    mp = np.repeat(np.asarray(minpts, dtype=np.int64), sizes)
    keep = np.repeat(np.asarray(keeps, dtype=np.int64), sizes)
    sampled = buckets[idx] < keep
    idx, parent, mp = idx[sampled], parent[sampled], mp[sampled]
    # Scan order: the partition's ORDER BY pid (indices are in pid order).
    order = np.argsort(idx, kind="stable")
    idx, parent, mp = idx[order], parent[order], mp[order]
    labels = partition_labels(xs[idx], ys[idx], parent, mp, eps)
    return idx, parent, labels
