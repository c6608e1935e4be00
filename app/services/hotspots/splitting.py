"""The density-valley search: split clusters until each final one is a single place.

The decisions are `geo.hotspots`' (when to split, how far to raise minpoints,
when to sample); the re-clustering runs on the person-places in memory
(`geo.splits`, PostGIS' ST_ClusterDBSCAN point for point); PostGIS measures
the clusters' hulls (`compute_sql.hull_figures`) and stores the final labels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from app.repo.hotspots import compute_sql as sql
from app.repo.hotspots.places import Places, thinned_border
from app.repo.hotspots.transaction import Tx
from app.services.hotspots.context import Context, Progress
from geo import hotspots as method
from geo import splits
from geo.hotspots import Cluster


def _counted(
    places: Places, idx: np.ndarray, labels: np.ndarray, cids: np.ndarray
) -> list[Cluster]:
    """The clusters of the points `idx` (labels 0.., `cids` their ids): people,
    points and median position; extent and density still 0."""
    x, y, rid = places.x[idx], places.y[idx], places.rid[idx]
    stats = splits.cluster_stats(x, y, rid, labels, len(cids))
    return [
        Cluster(cid, n, people, cx, cy, 0.0, 0.0)
        for cid, n, people, cx, cy in zip(
            cids.tolist(),
            stats["n"].tolist(),
            stats["reporters"].tolist(),
            stats["cx"].tolist(),
            stats["cy"].tolist(),
            strict=True,
        )
    ]


async def _measured(
    tx: Tx,
    places: Places,
    idx: np.ndarray,
    labels: np.ndarray,
    clusters: list[Cluster],
    eps: float,
    wanted: Sequence[int],
) -> dict[int, Cluster]:
    """`clusters` (one per label) by id, with extent and density (PostGIS, from
    their hulls) for the labels in `wanted`."""
    measure = np.asarray(wanted, dtype=np.int64)
    shape: dict[int, tuple[float, float]] = {}
    if len(measure):
        vl, vx, vy = await asyncio.to_thread(
            splits.hull_vertices, places.x[idx], places.y[idx], labels, measure
        )
        ids = np.array([c.cid for c in clusters], dtype=np.int64)
        counts = {clusters[i].cid: clusters[i].n for i in measure.tolist()}
        shape = await sql.hull_figures(tx, eps, counts, (ids[vl], vx, vy))
    return {
        c.cid: replace(c, extent=shape[c.cid][0], neighbours=shape[c.cid][1])
        if c.cid in shape
        else c
        for c in clusters
    }


async def split_clusters(
    tx: Tx,
    ctx: Context,
    k: int,
    progress: Progress,
    least: int | None = None,
    *,
    places: Places,
) -> dict[int, int]:
    """Split clusters at density valleys; returns cluster id -> level of the final clusters.

    Clusters with `least` to k - 1 people are final as they are (too small to
    split): candidates the local significance test decides on (issue 15).

    Each cluster (an *anchor*) has a *probe*: its points that are still dense
    at the current minpoints. Each level re-clusters every probe at a higher
    minpoints (see `geo.hotspots.split_outcome` for what happens then).
    """
    p = ctx.params
    level0 = places.labels
    npoints = len(level0)
    all_cids = np.unique(level0[level0 >= 0])
    everything = np.arange(npoints)
    level0_clusters = await asyncio.to_thread(_counted, places, everything, level0, all_cids)
    anchors = await _measured(
        tx, places, everything, level0, level0_clusters, p.eps, range(len(all_cids))
    )
    # Clusters with fewer than k people are not final, so the labelling at the
    # end drops them.
    # anchor id -> (its probe, the probe's minpoints, its sample's hash buckets)
    trying = {
        c.cid: (c, p.minpoints, 1024)
        for c in anchors.values()
        if c.reporters >= k and method.may_split(c, k, p.eps, p.max_extent)
    }
    level_of = dict.fromkeys(anchors, 0)
    keep_of = dict.fromkeys(anchors, 1024)  # hash buckets of the sample a cluster was found on
    root_of = {a: a for a in anchors}  # its level-0 cluster
    # Clusters that cannot hold two cores are final as they are.
    least = k if least is None else min(least, k)
    final = {c.cid: 0 for c in anchors.values() if c.reporters >= least and c.cid not in trying}
    # probe id -> its points (indices in pid order)
    members = await asyncio.to_thread(_members_of, level0, list(trying))
    # Each point's newest core (child ids grow with the level), -1 for none.
    newest = np.full(npoints, -1, dtype=np.int64)
    offset = int(all_cids.max()) + 1 if len(all_cids) else 0
    for level in range(1, method.MAX_SPLIT_LEVELS + 1):
        if not trying:
            break
        next_pts = {
            a: method.next_minpoints(m, anchors[a], probe, p.max_extent)
            for a, (probe, m, _) in trying.items()
        }
        keeps = {a: method.sample_keep(probe, keep) for a, (probe, _, keep) in trying.items()}
        # On a sample, minpoints shrink with the share of points kept.
        sample_pts = {
            a: method.sample_minpoints(
                next_pts[a], anchors[a], keeps[a] / 1024, p.minpoints, p.max_extent
            )
            for a in trying
        }
        thinned_probes = sum(keep < 1024 for keep in keeps.values())
        if thinned_probes:
            progress(f"level {level}: {thinned_probes} cluster(s) searched on a thinned sample")
        idx, parent, labels = await asyncio.to_thread(
            splits.split_level,
            places.x,
            places.y,
            places.bucket,
            [members[probe.cid] for probe, _, _ in trying.values()],
            [probe.cid for probe, _, _ in trying.values()],
            [sample_pts[a] for a in trying],
            [keeps[a] for a in trying],
            p.eps,
        )
        nchildren = int(labels.max()) + 1 if len(labels) else 0
        # Children get ids above `offset`, in (probe, first core) order.
        child_ids = offset + 1 + np.arange(nchildren)
        child_parent = np.zeros(nchildren, dtype=np.int64)
        child_parent[labels[labels >= 0]] = parent[labels >= 0]
        if nchildren:
            offset = max(offset, int(child_ids[-1]) + 1)
        share = {probe.cid: keeps[a] / 1024 for a, (probe, _, _) in trying.items()}
        counted = await asyncio.to_thread(_counted, places, idx, labels, child_ids)
        # Only children with k people (scaled up) can be kept: PostGIS measures those.
        wanted_shapes = [
            i
            for i, c in enumerate(counted)
            if method.scaled(c, share[int(child_parent[i])]).reporters >= k
        ]
        found = await _measured(tx, places, idx, labels, counted, p.eps, wanted_shapes)
        children: dict[int, list[Cluster]] = {}
        # Unscaled, these are also the stats of the children that become anchors.
        for i, cid in enumerate(child_ids.tolist()):
            parent_id = int(child_parent[i])
            children.setdefault(parent_id, []).append(method.scaled(found[cid], share[parent_id]))
        split_children: list[int] = []
        split_anchors: list[int] = []
        dropped: list[int] = []
        next_trying: dict[int, tuple[Cluster, int, int]] = {}
        for a, (probe, _, _) in trying.items():
            outcome, kept = method.split_outcome(
                anchors[a], children.get(probe.cid, []), k, p.eps, p.max_extent
            )
            if outcome == "keep":
                final[a] = level_of[a]
            elif outcome == "drop":
                dropped.append(a)
            elif outcome == "deeper":
                if method.worth_deeper(anchors[a], next_pts[a]):
                    next_trying[a] = (kept[0], next_pts[a], keeps[a])
                else:
                    final[a] = level_of[a]
            else:
                for child in kept:
                    split_children.append(child.cid)
                    split_anchors.append(a)
                    level_of[child.cid] = level
                    next_trying[child.cid] = (child, next_pts[a], keeps[a])
        of_child = {int(c): i for i, c in enumerate(child_ids.tolist())}
        # The points of each child that is split off or searched further.
        wanted = {probe.cid for probe, _, _ in next_trying.values()} | set(split_children)
        points_of = await asyncio.to_thread(
            _points_of, idx, labels, [of_child[c] for c in sorted(wanted)]
        )
        members = dict(zip(sorted(wanted), points_of, strict=True))
        for cid, a in zip(split_children, split_anchors, strict=True):
            newest[members[cid]] = cid
            keep_of[cid] = keeps[a]
            root_of[cid] = root_of[a]
            anchors[cid] = method.scaled(found[cid], keeps[a] / 1024)
        if split_children or dropped:
            progress(
                f"level {level}: split {len(set(split_anchors))} cluster(s) into "
                f"{len(split_children)}, dropped {len(dropped)} diffuse one(s)"
            )
        trying = next_trying
    for a in trying:  # still splitting at the last level: keep what there is
        final[a] = level_of[a]
    # A point belongs to its newest cluster if that cluster is final.
    current = np.where(newest >= 0, newest, level0)
    labels_final = np.where(np.isin(current, list(final)), current, -1)
    thinned = [c for c in final if keep_of[c] < 1024]
    if thinned:
        keep_by_root: dict[int, int] = {}
        for c in thinned:
            root = root_of[c]
            keep_by_root[root] = min(keep_by_root.get(root, 1024), keep_of[c])
        labels_final = await thinned_border(
            tx,
            places,
            labels_final,
            thinned,
            list(keep_by_root),
            list(keep_by_root.values()),
            method.THIN_HULL_MARGIN_M,
        )
    await sql.write_labels(tx, labels_final, level0)
    return final


def _members_of(labels: np.ndarray, cids: Sequence[int]) -> dict[int, np.ndarray]:
    """The points (indices, ascending) of each cluster in `cids`."""
    return {
        int(c): pts
        for c, pts in zip(cids, _points_of(np.arange(len(labels)), labels, cids), strict=True)
    }


def _points_of(idx: np.ndarray, labels: np.ndarray, wanted: Sequence[int]) -> list[np.ndarray]:
    """For each label in `wanted`, the entries of `idx` with that label (in order)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    lo = np.searchsorted(sorted_labels, wanted, side="left")
    hi = np.searchsorted(sorted_labels, wanted, side="right")
    return [idx[order[a:b]] for a, b in zip(lo.tolist(), hi.tolist(), strict=True)]
