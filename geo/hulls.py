"""Points left out of a thinned sample, and the final cluster whose hull holds them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


def nearest_hull(
    xs: np.ndarray,
    ys: np.ndarray,
    roots: np.ndarray,
    candidates: np.ndarray,
    hulls: Sequence[tuple[int, int, BaseGeometry, float, float]],
) -> np.ndarray:
    """For each candidate point, the hull (cid, root, polygon, centroid x, y) of
    its own root that holds it (boundary included) with the nearest centroid, at
    equal distance the lowest cid; -1 where none does (and for non-candidates)."""
    out = np.full(len(xs), -1, dtype=np.int64)
    best = np.full(len(xs), np.inf)
    for cid, root, polygon, cx, cy in sorted(hulls, key=lambda h: h[0]):
        minx, miny, maxx, maxy = polygon.bounds
        idx = np.nonzero(
            candidates & (roots == root) & (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy)
        )[0]
        if not len(idx):
            continue
        shapely.prepare(polygon)
        idx = idx[shapely.intersects_xy(polygon, xs[idx], ys[idx])]
        # PostGIS' point distance, term for term: sqrt(dx * dx + dy * dy).
        hx, vy = xs[idx] - cx, ys[idx] - cy
        d = np.sqrt(hx * hx + vy * vy)
        # Hulls come in cid order: a later one wins only when strictly nearer.
        closer = d < best[idx]
        out[idx[closer]] = cid
        best[idx[closer]] = d[closer]
    return out
