"""DBSCAN in numpy, as PostGIS' ST_ClusterDBSCAN, for the Monte Carlo runs and hand-made cases.

A grid of eps-sized cells finds the pairs within eps; cores connect by
spreading the lowest index along core-core pairs.
"""

from __future__ import annotations

import numpy as np


def dbscan_labels(
    xs: np.ndarray, ys: np.ndarray, eps: float, minpoints: int, groups: np.ndarray | None = None
) -> np.ndarray:
    """DBSCAN labels (-1 = noise), clustering each group on its own.

    As ST_ClusterDBSCAN: a point is a core when at least `minpoints` points
    (itself included) lie within `eps`; cores within eps of each other share a
    cluster; a border point joins its lowest-labelled core's cluster.
    """
    n = len(xs)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    gx = np.floor((xs - xs.min()) / eps).astype(np.int64)
    gy = np.floor((ys - ys.min()) / eps).astype(np.int64)
    span = int(max(gx.max(), gy.max())) + 3
    key = (g * span + gx + 1) * span + gy + 1
    order = np.argsort(key, kind="stable")
    skey = key[order]
    cells, starts, counts = np.unique(skey, return_index=True, return_counts=True)
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for ddx in (-1, 0, 1):
        for ddy in (-1, 0, 1):
            want = key + ddx * span + ddy
            pos = np.searchsorted(cells, want)
            pos = np.minimum(pos, len(cells) - 1)
            hit = cells[pos] == want
            i = np.nonzero(hit)[0]
            c = counts[pos[i]]
            s = starts[pos[i]]
            ii = np.repeat(i, c)
            offs = np.arange(int(c.sum())) - np.repeat(np.cumsum(c) - c, c)
            jj = order[np.repeat(s, c) + offs]
            close = (xs[ii] - xs[jj]) ** 2 + (ys[ii] - ys[jj]) ** 2 <= eps * eps
            left.append(ii[close])
            right.append(jj[close])
    a = np.concatenate(left)
    b = np.concatenate(right)
    core = np.bincount(a, minlength=n) >= minpoints
    labels = np.where(core, np.arange(n), n)
    both = core[a] & core[b]
    ca, cb = a[both], b[both]
    while True:  # spread the lowest index along core-core edges
        low = np.minimum(labels[ca], labels[cb])
        new = labels.copy()
        np.minimum.at(new, ca, low)
        np.minimum.at(new, cb, low)
        if np.array_equal(new, labels):
            break
        labels = new
    border = ~core[a] & core[b]
    np.minimum.at(labels, a[border], labels[b[border]])
    _, dense = np.unique(labels, return_inverse=True)
    out = np.where(labels < n, dense, -1)
    return out.astype(np.int64)


def largest_per_group(labels: np.ndarray, groups: np.ndarray, ngroups: int) -> np.ndarray:
    """The largest cluster's size (points) in each group; 0 when it has none."""
    out = np.zeros(ngroups, dtype=np.int64)
    keep = labels >= 0
    if not keep.any():
        return out
    sizes = np.bincount(labels[keep])
    np.maximum.at(out, groups[keep], sizes[labels[keep]])
    return out
