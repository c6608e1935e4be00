"""The density-valley search: split clusters until each final one is a single place.

The decisions are `geo.hotspots`' (when to split, how far to raise minpoints,
when to sample); the statements are `app.repo.hotspots.compute_sql`'s.
"""

from __future__ import annotations

from app.repo.hotspots import compute_sql as sql
from app.repo.hotspots.places import Places, thinned_border
from app.repo.hotspots.transaction import Tx
from app.services.hotspots.context import Context, Progress
from geo import hotspots as method
from geo.hotspots import Cluster


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
    all_cids = await sql.cluster_ids(tx)
    anchors = await sql.cluster_stats(tx, p.eps, all_cids)
    # Clusters with fewer than k people are not final, so the relabelling at
    # the end (compute_sql.RELABEL) drops them.
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
    await sql.start_probes(tx, list(trying))
    offset = (max(all_cids) + 1) if all_cids else 0
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
        top = await sql.split_probes(
            tx,
            [probe.cid for probe, _, _ in trying.values()],
            [sample_pts[a] for a in trying],
            [keeps[a] for a in trying],
            eps=p.eps,
            offset=offset,
        )
        offset = max(offset, top + 1)
        share = {probe.cid: keeps[a] / 1024 for a, (probe, _, _) in trying.items()}
        children: dict[int, list[Cluster]] = {}
        # Unscaled, these are also the stats of the children that become anchors.
        found: dict[int, Cluster] = {}
        for parent, child in await sql.split_stats(tx, p.eps):
            found[child.cid] = child
            children.setdefault(parent, []).append(method.scaled(child, share[parent]))
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
        if split_children:
            await sql.note_split(tx, split_children)
            for cid, a in zip(split_children, split_anchors, strict=True):
                keep_of[cid] = keeps[a]
                root_of[cid] = root_of[a]
                anchors[cid] = method.scaled(found[cid], keeps[a] / 1024)
        if split_children or dropped:
            progress(
                f"level {level}: split {len(set(split_anchors))} cluster(s) into "
                f"{len(split_children)}, dropped {len(dropped)} diffuse one(s)"
            )
        trying = next_trying
        await sql.next_probes(tx, [probe.cid for probe, _, _ in trying.values()])
    for a in trying:  # still splitting at the last level: keep what there is
        final[a] = level_of[a]
    await sql.relabel(tx, list(final))
    thinned = [c for c in final if keep_of[c] < 1024]
    if thinned:
        keep_by_root: dict[int, int] = {}
        for c in thinned:
            root = root_of[c]
            keep_by_root[root] = min(keep_by_root.get(root, 1024), keep_of[c])
        await thinned_border(
            tx,
            places,
            thinned,
            list(keep_by_root),
            list(keep_by_root.values()),
            method.THIN_HULL_MARGIN_M,
        )
    return final
