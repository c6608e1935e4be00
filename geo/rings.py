"""Person-places in ring sectors around each final cluster, on arrays (geo.significance).

The same counts as counting in PostGIS (`ST_DWithin` between points, `atan2`
for the sector), without a spatial index or a statement: the person-places are
already in memory after the clustering.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def ring_rows(
    xs: np.ndarray,
    ys: np.ndarray,
    labels: np.ndarray,
    centres: Sequence[tuple[int, float, float]],
    *,
    inner: float,
    outer: float,
    sectors: int,
) -> list[tuple[int, int, int | None, int]]:
    """Per centre (cid, cx, cy): the points more than `inner` and at most `outer`
    metres away, not in that cluster, counted per sector and per cluster they are
    in (None: noise) as (cid, sector, owner, count)."""
    order = np.argsort(xs, kind="stable")
    sorted_x = xs[order]
    width = 2 * math.pi / sectors
    top = int(labels.max()) + 2 if len(labels) else 1
    rows: list[tuple[int, int, int | None, int]] = []
    for cid, cx, cy in centres:
        # A strip a little wider than the ring; the distance test below decides.
        lo = np.searchsorted(sorted_x, cx - outer - 1.0, side="left")
        hi = np.searchsorted(sorted_x, cx + outer + 1.0, side="right")
        idx = order[lo:hi]
        x, y = xs[idx], ys[idx]
        # PostGIS' point distance, term for term: sqrt(dx * dx + dy * dy).
        hx, vy = cx - x, cy - y
        d = np.sqrt(hx * hx + vy * vy)
        keep = (d <= outer) & ~(d <= inner) & (labels[idx] != cid)
        if not keep.any():
            continue
        raw = np.arctan2(y[keep] - cy, x[keep] - cx)
        angle = np.where(raw < 0, raw + 2 * math.pi, raw)
        sector = np.minimum(np.floor(angle / width).astype(np.int64), sectors - 1)
        owner = labels[idx][keep]
        key, count = np.unique(sector * top + owner + 1, return_counts=True)
        for k, n in zip(key.tolist(), count.tolist(), strict=True):
            s, o = divmod(k, top)
            rows.append((int(cid), s, None if o == 0 else o - 1, n))
    return rows
