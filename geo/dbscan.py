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
    # Each pair is found both ways, and each point with itself: one way suffices.
    both = core[a] & core[b] & (a < b)
    # The lowest index of each core's component along core-core edges (hooking
    # and pointer jumping: a few rounds, where spreading the lowest index one
    # edge per round took one round per link of the longest chain).
    labels = np.where(core, _components(n, a[both], b[both]), n)
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


# --- the same clusters without the pairs inside dense cells ---------------------
#
# `dbscan_labels` looks at every pair within eps, so its cost grows with points x
# neighbours: a busy place of 30,000 reports alone costs 10^9 pairs. On a grid of
# cells whose diagonal is under eps, every point of a cell holding at least
# minpoints points is a core, and all of them are one cluster; only the points
# of sparser cells need their neighbours counted, and two cells only need one
# pair of cores within eps to be joined. The result is the same labelling.

_CELL_DIAGONAL = 1.0 - 1e-9  # cell diagonal as a share of eps: points in a cell are within eps
_REACH = 2  # cells this far apart (in cells, per axis) may hold points within eps


def _expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For segments of `counts`, (segment of each item, position in its segment)."""
    seg = np.repeat(np.arange(len(counts)), counts)
    pos = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return seg, pos


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The lowest node of each node's connected component (edges a-b)."""
    root = np.arange(n)
    while True:
        ra, rb = root[a], root[b]
        differ = ra != rb
        if not differ.any():
            return root
        # Hook the higher root under the lower one, then jump pointers to roots.
        np.minimum.at(root, np.maximum(ra[differ], rb[differ]), np.minimum(ra[differ], rb[differ]))
        while True:
            up = root[root]
            if np.array_equal(up, root):
                break
            root = up


def grid_labels(
    xs: np.ndarray,
    ys: np.ndarray,
    eps: float,
    minpoints: int | np.ndarray,
    groups: np.ndarray | None = None,
    *,
    first_core: bool = False,
) -> np.ndarray:
    """`dbscan_labels` (same labels), without looking at the pairs inside dense cells.

    `minpoints` may be one per point (the same within a group): each group is
    clustered on its own with its own minpoints. With `first_core`, a border
    point joins the cluster of the lowest-index core within eps instead (the
    first to reach it in ST_ClusterDBSCAN's scan: `geo.splits`).
    """
    n = len(xs)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    xs = np.asarray(xs, dtype=np.float64)
    ys = np.asarray(ys, dtype=np.float64)
    g = np.zeros(n, dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64)
    mp = np.broadcast_to(np.asarray(minpoints, dtype=np.int64), (n,))
    side = eps * _CELL_DIAGONAL / np.sqrt(2.0)
    gx = np.floor((xs - xs.min()) / side).astype(np.int64)
    gy = np.floor((ys - ys.min()) / side).astype(np.int64)
    span = int(max(gx.max(), gy.max())) + 2 * _REACH + 2
    key = (g * span + gx + _REACH) * span + gy + _REACH
    order = np.argsort(key, kind="stable")
    cells, starts, counts = np.unique(key[order], return_index=True, return_counts=True)
    ncells = len(cells)
    cell_of = np.empty(n, dtype=np.int64)
    cell_of[order] = np.repeat(np.arange(ncells), counts)
    cell_x = xs.min() + (((cells // span) % span) - _REACH + 0.5) * side
    cell_y = ys.min() + ((cells % span) - _REACH + 0.5) * side
    offsets = [(dx, dy) for dx in range(-_REACH, _REACH + 1) for dy in range(-_REACH, _REACH + 1)]

    def neighbour(cell: np.ndarray, dx: int, dy: int) -> np.ndarray:
        want = cells[cell] + dx * span + dy
        pos = np.minimum(np.searchsorted(cells, want), ncells - 1)
        return np.where(cells[pos] == want, pos, -1)

    eps2 = eps * eps
    core = counts[cell_of] >= mp
    sparse = np.nonzero(~core)[0]
    a, b = _sparse_points(
        sparse,
        xs,
        ys,
        mp,
        core,
        eps,
        side,
        cell_of,
        cell_x,
        cell_y,
        counts,
        starts,
        order,
        [(dx, dy, neighbour(cell_of[sparse], dx, dy)) for dx, dy in offsets],
    )

    # Cells joined by a pair of cores within eps. First each cell's core nearest
    # to the other cell's centre: in busy areas that pair settles almost all.
    core_sorted = core[order]
    idx = np.arange(n)
    has_core = np.maximum.reduceat(core_sorted, starts).astype(bool)
    near: dict[tuple[int, int], np.ndarray] = {}
    pairs: list[tuple[int, int, np.ndarray, np.ndarray]] = []
    for dx, dy in offsets:
        if (dx, dy) == (0, 0):
            continue
        nb = neighbour(np.arange(ncells), dx, dy)
        ok = (nb >= 0) & has_core
        ok[ok] &= has_core[nb[ok]]
        tx = np.repeat(np.where(ok, cell_x[np.maximum(nb, 0)], 0.0), counts)
        ty = np.repeat(np.where(ok, cell_y[np.maximum(nb, 0)], 0.0), counts)
        d2 = (xs[order] - tx) ** 2 + (ys[order] - ty) ** 2
        d2 = np.where(core_sorted & np.repeat(ok, counts), d2, np.inf)
        low = np.minimum.reduceat(d2, starts)
        first = np.minimum.reduceat(np.where(d2 == np.repeat(low, counts), idx, n), starts)
        near[(dx, dy)] = np.where(ok, order[np.minimum(first, n - 1)], -1)
        if (dx, dy) > (0, 0):
            pa = np.nonzero(ok)[0]
            pairs.append((dx, dy, pa, nb[pa]))
    ea: list[np.ndarray] = []
    eb: list[np.ndarray] = []
    for dx, dy, pa, pb in pairs:
        p = near[(dx, dy)][pa]
        q = near[(-dx, -dy)][pb]
        hit = (xs[p] - xs[q]) ** 2 + (ys[p] - ys[q]) ** 2 <= eps2
        ea.append(pa[hit])
        eb.append(pb[hit])
    ea_all = np.concatenate(ea) if ea else np.empty(0, dtype=np.int64)
    eb_all = np.concatenate(eb) if eb else np.empty(0, dtype=np.int64)
    comp = _components(ncells, ea_all, eb_all)
    # The other pairs of cells, unless already joined: every pair of their
    # cores close enough to the other cell to be within eps of a point in it.
    ra = np.concatenate([pa for _, _, pa, _ in pairs]) if pairs else np.empty(0, np.int64)
    rb = np.concatenate([pb for _, _, _, pb in pairs]) if pairs else np.empty(0, np.int64)
    todo = comp[ra] != comp[rb]
    ra, rb = ra[todo], rb[todo]
    if len(ra):
        fa, fb = _near_cores(ra, rb, xs, ys, order, starts, counts, core, cell_x, cell_y, side, eps)
        ea_all = np.concatenate([ea_all, fa])
        eb_all = np.concatenate([eb_all, fb])
        comp = _components(ncells, ea_all, eb_all)

    # Labels as dbscan_labels: a core's is its component's lowest core index; a
    # border point takes the lowest label among the cores within eps of it.
    big = n
    cell_low = np.minimum.reduceat(np.where(core_sorted, order, big), starts)
    comp_low = np.full(ncells, big)
    np.minimum.at(comp_low, comp, cell_low)
    labels = np.where(core, comp_low[comp[cell_of]], big)
    border = ~core[a] & core[b]
    if first_core:
        # Border points are in sparse cells, so (a, b) holds all their neighbours.
        claim = np.full(n, big)
        np.minimum.at(claim, a[border], b[border])
        claimed = claim < big
        labels[claimed] = labels[claim[claimed]]
    else:
        np.minimum.at(labels, a[border], labels[b[border]])
    _, dense = np.unique(labels, return_inverse=True)
    return np.where(labels < big, dense, -1).astype(np.int64)


def _sparse_points(
    sparse: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    mp: np.ndarray,
    core: np.ndarray,
    eps: float,
    side: float,
    cell_of: np.ndarray,
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    counts: np.ndarray,
    starts: np.ndarray,
    order: np.ndarray,
    around: list[tuple[int, int, np.ndarray]],
) -> tuple[np.ndarray, np.ndarray]:
    """Decide which points of sparse cells are cores (sets `core`); returns the
    pairs (a, b) within eps of each non-core point a with a core b.

    Whole cells bound a point's neighbours: its own cell and the cells entirely
    within eps of it count in full, the cells out of reach not at all; only
    points whose count these bounds leave open are counted pair by pair, and
    only against the cells partly within eps.
    """
    eps2 = eps * eps
    px, py = xs[sparse], ys[sparse]
    lower = counts[cell_of[sparse]].copy()  # the own cell: all within eps, itself included
    upper = lower.copy()
    # A margin over float rounding: a cell "entirely within" is so for every point in it.
    full_d2, reach_d2 = (eps * (1 - 1e-9)) ** 2, (eps * (1 + 1e-9)) ** 2
    reach: list[np.ndarray] = []
    full: list[np.ndarray] = []
    for dx, dy, nb in around:
        at = np.maximum(nb, 0)
        hx, hy = np.abs(px - cell_x[at]), np.abs(py - cell_y[at])
        nx, ny = np.maximum(hx - side / 2, 0.0), np.maximum(hy - side / 2, 0.0)
        fx, fy = hx + side / 2, hy + side / 2
        own = (dx, dy) == (0, 0)
        r = (nb >= 0) & (own | (nx * nx + ny * ny <= reach_d2))
        f = r & ~own & (fx * fx + fy * fy <= full_d2)
        lower += np.where(f, counts[at], 0)
        upper += np.where(r & ~own, counts[at], 0)
        reach.append(r)
        full.append(f)

    def close(sel: np.ndarray, nb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(sparse position, point) pairs within eps, for the selected points' cell `nb`."""
        at = np.nonzero(sel)[0]
        seg, pos = _expand(counts[nb[at]])
        ii = sparse[at][seg]
        jj = order[starts[nb[at]][seg] + pos]
        hit = (xs[ii] - xs[jj]) ** 2 + (ys[ii] - ys[jj]) ** 2 <= eps2
        return at[seg[hit]], jj[hit]

    need = mp[sparse]
    unsure = (lower < need) & (upper >= need)
    count = lower.copy()
    # Nearest cells first: a point stops being counted once its count reaches
    # minpoints (a core) or the cells left cannot get it there (not one).
    nearest = sorted(range(len(around)), key=lambda i: around[i][0] ** 2 + around[i][1] ** 2)
    for i in nearest:
        dx, dy, nb = around[i]
        if (dx, dy) == (0, 0):
            continue
        sel = unsure & reach[i] & ~full[i]
        at, _ = close(sel, nb)
        hits = np.bincount(at, minlength=len(sparse))
        count += hits
        upper -= np.where(sel, counts[np.maximum(nb, 0)], 0) - hits
        unsure &= (count < need) & (upper >= need)
    # Decided by the bounds, or counted until decided (or in full).
    core[sparse] = count >= need
    # Non-core points against the cells that hold a core: the border claims.
    has_core = np.zeros(len(counts), dtype=bool)
    has_core[cell_of[core]] = True
    noncore = ~core[sparse]
    left: list[np.ndarray] = []
    right: list[np.ndarray] = []
    for (_, _, nb), r in zip(around, reach, strict=True):
        at, jj = close(noncore & r & has_core[np.maximum(nb, 0)], nb)
        keep = core[jj]
        left.append(sparse[at[keep]])
        right.append(jj[keep])
    return np.concatenate(left), np.concatenate(right)


def _near_cores(
    ra: np.ndarray,
    rb: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    core: np.ndarray,
    cell_x: np.ndarray,
    cell_y: np.ndarray,
    side: float,
    eps: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of cells (ra, rb) that hold two cores within eps of each other."""

    def candidates(mine: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # (pair, point) for each core of `mine` within eps of the `other` cell.
        seg, pos = _expand(counts[mine])
        pts = order[starts[mine][seg] + pos]
        ox = np.maximum(np.abs(xs[pts] - cell_x[other][seg]) - side / 2, 0.0)
        oy = np.maximum(np.abs(ys[pts] - cell_y[other][seg]) - side / 2, 0.0)
        keep = core[pts] & (ox * ox + oy * oy <= eps * eps)
        return seg[keep], pts[keep]

    sa, pa = candidates(ra, rb)
    sb, pb = candidates(rb, ra)
    npairs = len(ra)
    kb = np.bincount(sb, minlength=npairs)
    b_start = np.cumsum(kb) - kb
    rep = kb[sa]  # each candidate of a cell meets every candidate of its pair's other cell
    ii, pos = _expand(rep)
    jj = b_start[sa[ii]] + pos
    p, q = pa[ii], pb[jj]
    hit = (xs[p] - xs[q]) ** 2 + (ys[p] - ys[q]) ** 2 <= eps * eps
    joined = np.unique(sa[ii[hit]])
    return ra[joined], rb[joined]
