"""The person-places in memory: pulled once after step 2, labelled in numpy.

DBSCAN at level 0 (`geo.dbscan.grid_labels`), the density splits
(`geo.splits`), the thinned samples' left-out points (`geo.hulls`), the ring
counts of the local test (`geo.rings`) and the public shapes' points only need
positions and labels: they run on arrays instead of statements. The final
labels go back to `hs_lab` (`compute_sql.write_labels`), which the statistics
of step 5 read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from sqlalchemy import TextClause, text

from app.db.pool import Row
from app.repo.hotspots.compute_sql import VERTICES_CTE, RingCounts, vertex_values
from app.repo.hotspots.transaction import Tx
from geo.dbscan import grid_labels
from geo.hulls import nearest_hull
from geo.rings import ring_rows
from geo.splits import hull_vertices

# Columns come as one binary string each (int4send, float8send: big-endian,
# exact): a million numbers unpack in milliseconds, where parsing their text
# takes a good part of a second. One aggregate pass feeds every column the
# same rows in the same order, so they line up without a sort per column;
# numpy puts them in pid order. `bucket` is the hash bucket the thinned
# samples of the splits keep or leave out (`compute_sql.CREATE_DEDUP`: the
# person-place's own person and position, not its rank).
PLACES_XY = text("""
SELECT COALESCE(string_agg(int4send(pid), ''::bytea), ''::bytea) AS pids,
       COALESCE(string_agg(int4send(rid), ''::bytea), ''::bytea) AS rids,
       COALESCE(string_agg(int4send(bucket), ''::bytea), ''::bytea) AS buckets,
       COALESCE(string_agg(float8send(ST_X(g)), ''::bytea), ''::bytea) AS xs,
       COALESCE(string_agg(float8send(ST_Y(g)), ''::bytea), ''::bytea) AS ys
FROM hs_dp
""")
# Labels go back as comma-separated text in pid order (pids are 1..n, from
# `row_number()` in step 2, so a label's position is its pid); -1 is noise.
CREATE_LABELS = text("""
CREATE TEMP TABLE hs_lab ON COMMIT DROP AS
SELECT pid::int AS pid, NULLIF(cid, -1) AS cid, NULLIF(cid, -1) AS root
FROM unnest(CAST(string_to_array(:cids, ',') AS int[])) WITH ORDINALITY AS u(cid, pid)
""")
INDEX_LABELS = (text("CREATE UNIQUE INDEX ON hs_lab (pid)"), text("ANALYZE hs_lab"))
# The current labels, in pid order (-1: noise, or not in a final cluster).
LABELS = text(
    "SELECT COALESCE(string_agg(int4send(pid), ''::bytea), ''::bytea) AS pids,"
    " COALESCE(string_agg(int4send(COALESCE(cid, -1)), ''::bytea), ''::bytea) AS cids"
    " FROM hs_lab"
)

# Clusters found on a thinned sample hold only sampled points. At the end,
# the points left out of the sample that lie inside a final cluster's hull
# (plus a small margin) of the same level-0 cluster (`root`) join it: the
# sample's hull stands for the region the full data's cluster covers. The
# hulls are built from their vertices (`geo.splits.hull_vertices`): GEOS' hull
# of the vertices is that of all the points, so its buffer and centroid are too.
HULLS = text(f"""
WITH {VERTICES_CTE}, hulls AS (
    SELECT cid, ST_Buffer(ST_ConvexHull(ST_Collect(g)), :margin) AS h FROM v GROUP BY cid
)
SELECT hulls.cid, r.root, ST_AsBinary(h) AS h, ST_X(ST_Centroid(h)) AS cx,
       ST_Y(ST_Centroid(h)) AS cy
FROM hulls JOIN unnest(CAST(:cids AS int[]), CAST(:roots AS int[])) AS r(cid, root) USING (cid)
ORDER BY cid
""")


def _text(values: np.ndarray) -> str:
    """Integers, comma-separated (`map(str)` on a list: a few times numpy's astype(str))."""
    return ",".join(map(str, values.tolist()))


@dataclass(frozen=True)
class Places:
    """The person-places in pid order: id, person, position, hash bucket, clusters."""

    pid: np.ndarray
    rid: np.ndarray
    x: np.ndarray
    y: np.ndarray
    bucket: np.ndarray
    root: np.ndarray  # the level-0 cluster, -1 for noise
    labels: np.ndarray  # the current cluster, -1 for none

    def people_means(self, cids: Sequence[int]) -> dict[int, list[tuple[float, float]]]:
        """Per cluster in `cids`, each person's mean position, people in id order:
        `geo.generalise.people_points` over their person-places in pid order (the
        sums run in that order, so they are the same to the last bit)."""
        idx = np.nonzero(np.isin(self.labels, np.asarray(cids, dtype=np.int64)))[0]
        idx = idx[np.lexsort((self.pid[idx], self.rid[idx], self.labels[idx]))]
        label, rid = self.labels[idx], self.rid[idx]
        first = np.ones(len(idx), dtype=bool)
        first[1:] = (label[1:] != label[:-1]) | (rid[1:] != rid[:-1])
        person = np.cumsum(first) - 1
        sx = np.zeros(int(first.sum()))
        sy = np.zeros(int(first.sum()))
        # ufunc.at adds one element at a time, in order.
        np.add.at(sx, person, self.x[idx])
        np.add.at(sy, person, self.y[idx])
        n = np.bincount(person)
        out: dict[int, list[tuple[float, float]]] = {}
        for cid, mx, my in zip(
            label[first].tolist(), (sx / n).tolist(), (sy / n).tolist(), strict=True
        ):
            out.setdefault(cid, []).append((mx, my))
        return out


async def _binary(tx: Tx, stmt: TextClause, types: dict[str, str]) -> dict[str, np.ndarray]:
    """The binary columns of a one-row result as arrays in pid order (`types`: numpy
    dtype per column, one of them "pids")."""
    row = (await tx.rows(stmt))[0]
    cols = {
        name: np.frombuffer(bytes(row[name]), dtype=dtype).astype(dtype.lstrip(">"))
        for name, dtype in types.items()
    }
    order = np.argsort(cols["pids"], kind="stable")
    return {name: col[order] for name, col in cols.items()}


async def cluster_places(tx: Tx, eps: float, minpoints: int, *, store: bool = True) -> Places:
    """DBSCAN over the person-places; the places with their labels.

    With `store`, the labels are stored as `hs_lab` (an incremental refresh reads
    the level-0 clusters there); a full computation only stores its final labels
    (`compute_sql.write_labels`).
    """
    ints, floats = ">i4", ">f8"
    cols = await _binary(
        tx,
        PLACES_XY,
        {"pids": ints, "rids": ints, "buckets": ints, "xs": floats, "ys": floats},
    )
    pid, rid, bucket = (cols[k].astype(np.int64) for k in ("pids", "rids", "buckets"))
    # Seconds of CPU at a million places: off the event loop, so requests
    # keep being answered meanwhile (numpy releases the GIL in its loops).
    labels = await asyncio.to_thread(grid_labels, cols["xs"], cols["ys"], eps, minpoints)
    if not np.array_equal(pid, np.arange(1, len(pid) + 1)):
        raise ValueError("person-places must be numbered 1..n")
    if store:
        await tx.run(CREATE_LABELS, values={"cids": _text(labels)})
        await tx.run(*INDEX_LABELS)
    return Places(pid, rid, cols["xs"], cols["ys"], bucket, labels, labels)


async def current_labels(tx: Tx, places: Places) -> Places:
    """The places with the labels `hs_lab` holds now (after the splits: the final ones)."""
    cols = await _binary(tx, LABELS, {"pids": ">i4", "cids": ">i4"})
    return replace(places, labels=cols["cids"].astype(np.int64))


async def thinned_border(
    tx: Tx,
    places: Places,
    labels: np.ndarray,
    cids: Sequence[int],
    roots: Sequence[int],
    keeps: Sequence[int],
    margin: float,
) -> np.ndarray:
    """`labels` (final, pid order) with the points left out of the samples of
    `roots` (bucket >= keep) joined to the final cluster (`cids`) of their root
    whose hull, grown by `margin`, holds them."""
    vl, vx, vy = await asyncio.to_thread(
        hull_vertices, places.x, places.y, labels, np.asarray(cids, dtype=np.int64)
    )
    # Each final cluster lies in one level-0 cluster: its first point's.
    present, first = np.unique(labels, return_index=True)
    mine = np.isin(present, np.asarray(cids, dtype=np.int64))
    root_of = dict(zip(present[mine].tolist(), places.root[first[mine]].tolist(), strict=True))
    values = {
        **vertex_values(vl, vx, vy),
        "cids": list(root_of),
        "roots": list(root_of.values()),
        "margin": margin,
    }
    hulls = await tx.rows(HULLS, values)
    keep_of = np.full(int(places.root.max()) + 2 if len(places.root) else 1, 1024)
    keep_of[np.asarray(roots, dtype=np.int64) + 1] = np.asarray(keeps, dtype=np.int64)
    left_out = (labels < 0) & (places.bucket >= keep_of[places.root + 1])
    joined = await asyncio.to_thread(
        nearest_hull,
        places.x,
        places.y,
        places.root,
        left_out,
        [
            (int(h["cid"]), int(h["root"]), shapely.from_wkb(bytes(h["h"])), h["cx"], h["cy"])
            for h in hulls
        ],
    )
    return np.where(joined >= 0, joined, labels)


def ring_counts(
    places: Places, clusters: Sequence[Row], *, inner: float, outer: float, sectors: int
) -> RingCounts:
    """Per final cluster (`compute_sql.final_clusters`), the person-places in each ring
    sector around its median centre, by the cluster they are in (final labels; none:
    noise), leaving out the cluster's own points. Counted once; each pass of the
    local test then leaves out the clusters it excludes (`RingCounts.excluding`)."""
    centres = [(int(r["cid"]), float(r["cx"]), float(r["cy"])) for r in clusters]
    rows = ring_rows(
        places.x, places.y, places.labels, centres, inner=inner, outer=outer, sectors=sectors
    )
    return RingCounts(sectors, rows)
