"""A hotspot's staff outline: the buffered hull of its dense core, not of every point.

A cluster's convex hull is stretched by its sparsest points: a wide place's
fringe, or a few background reports DBSCAN chained onto it. The hull then
covers far more ground than the place, and a map reader (and the hold-out
PAI) sees a large area where few reports fall. So the outline is drawn
around the cluster's *core*: the person-places with at least CORE_NEIGHBOURS
other person-places of the same cluster within CORE_RADIUS_M (a density of
about 1 500 per km2, nearly four times the busiest background of the bench's
busy centre, so a chain of background rarely counts). When the core holds
fewer than CORE_MIN_SHARE of the person-places (or fewer than three), the
place is sparse all over and the whole cluster's hull is used, as before.

The membership of the hotspot (its people, reports and statistics) does not
change, nor does the public shape (geo.generalise, from all its people); the
significance test keeps judging the whole cluster's hull (its chance clusters
are measured that way). The pipeline passes the core's person-places to
app.repo.hotspots.summary_sql.CREATE_OUT, which draws the outline.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

CORE_RADIUS_M = 25.0
CORE_NEIGHBOURS = 3
CORE_MIN_SHARE = 0.5
CORE_MIN_POINTS = 3
# Cells this wide have a diagonal of CORE_RADIUS_M: all points of one cell are
# neighbours, and a neighbour is at most REACH cells away.
_CELL_M = CORE_RADIUS_M / math.sqrt(2)
_REACH = 2


def core_mask(xs: np.ndarray, ys: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """Which person-places draw their cluster's outline (`groups`: the cluster of each;
    default one cluster). All of a cluster's when its core is too thin."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    n = len(xs)
    if n == 0:
        return np.zeros(0, dtype=bool)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    _, g = np.unique(g, return_inverse=True)
    gx = np.floor((xs - xs.min()) / _CELL_M).astype(np.int64)
    gy = np.floor((ys - ys.min()) / _CELL_M).astype(np.int64)
    span = int(max(gx.max(), gy.max())) + 2 * _REACH + 1
    key = (g * span + gx + _REACH) * span + gy + _REACH
    order = np.argsort(key, kind="stable")
    cells, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    # A dense place fills its cells: one with CORE_NEIGHBOURS others is core at once,
    # so only the sparse fringe has its neighbours counted pair by pair.
    core = counts[np.searchsorted(cells, key)] - 1 >= CORE_NEIGHBOURS
    todo = np.nonzero(~core)[0]
    found = np.zeros(len(todo), dtype=np.int64)
    for ddx in range(-_REACH, _REACH + 1):
        for ddy in range(-_REACH, _REACH + 1):
            want = key[todo] + ddx * span + ddy
            pos = np.minimum(np.searchsorted(cells, want), len(cells) - 1)
            i = np.nonzero(cells[pos] == want)[0]
            c = counts[pos[i]]
            ii = np.repeat(i, c)
            offs = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
            jj = order[np.repeat(starts[pos[i]], c) + offs]
            near = (xs[todo[ii]] - xs[jj]) ** 2 + (ys[todo[ii]] - ys[jj]) ** 2 <= CORE_RADIUS_M**2
            found += np.bincount(ii[near], minlength=len(todo))
    core[todo] = found - 1 >= CORE_NEIGHBOURS  # each point found itself
    size = np.bincount(g)
    kept = np.bincount(g, weights=core.astype(float), minlength=len(size))
    thin = kept < np.maximum(CORE_MIN_POINTS, CORE_MIN_SHARE * size)
    out: np.ndarray = core | thin[g]
    return out


def outline(xs: np.ndarray, ys: np.ndarray, buffer: float) -> shapely.Geometry:
    """The outline of one cluster's person-places: its core's hull grown by `buffer` metres."""
    keep = core_mask(xs, ys)
    points = shapely.multipoints(np.c_[np.asarray(xs)[keep], np.asarray(ys)[keep]])
    return shapely.buffer(shapely.convex_hull(points), buffer, quad_segs=4)
