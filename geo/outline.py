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
are measured that way). The pipeline's SQL is
app.repo.hotspots.summary_sql.CREATE_OUT.
"""

from __future__ import annotations

import numpy as np
import shapely

CORE_RADIUS_M = 25.0
CORE_NEIGHBOURS = 3
CORE_MIN_SHARE = 0.5
CORE_MIN_POINTS = 3


def core_mask(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Which person-places of one cluster draw its outline (all when the core is too thin)."""
    xs = np.asarray(xs, dtype=float)
    ys = np.asarray(ys, dtype=float)
    # Pairwise within one cluster: fine for hand-made cases and tests; the
    # pipeline does the same with an index in PostGIS.
    near = np.hypot(xs[:, None] - xs[None, :], ys[:, None] - ys[None, :]) <= CORE_RADIUS_M
    core: np.ndarray = near.sum(axis=1) - 1 >= CORE_NEIGHBOURS
    if core.sum() < max(CORE_MIN_POINTS, CORE_MIN_SHARE * len(xs)):
        return np.ones(len(xs), dtype=bool)
    return core


def outline(xs: np.ndarray, ys: np.ndarray, buffer: float) -> shapely.Geometry:
    """The outline of one cluster's person-places: its core's hull grown by `buffer` metres."""
    keep = core_mask(xs, ys)
    points = shapely.multipoints(np.c_[np.asarray(xs)[keep], np.asarray(ys)[keep]])
    return shapely.buffer(shapely.convex_hull(points), buffer, quad_segs=4)
