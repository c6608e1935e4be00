"""The recompute's grid DBSCAN finds the clusters PostGIS' ST_ClusterDBSCAN finds."""

from __future__ import annotations

import numpy as np

from geo.dbscan import grid_labels
from tests.conftest import Sql

POSTGIS = """
SELECT ST_ClusterDBSCAN(ST_Point(x, y, 3006), %(eps)s, %(minpoints)s) OVER (ORDER BY i) AS cid
FROM unnest(%(xs)s::float8[], %(ys)s::float8[]) WITH ORDINALITY AS u(x, y, i)
ORDER BY i
"""


def cores(xy: np.ndarray, eps: float, minpoints: int) -> np.ndarray:
    """Points with at least `minpoints` points (themselves included) within eps."""
    out = np.zeros(len(xy), dtype=bool)
    for start in range(0, len(xy), 500):
        part = xy[start : start + 500]
        d2 = ((part[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
        out[start : start + 500] = (d2 <= eps * eps).sum(axis=1) >= minpoints
    return out


def partition(labels: list[int | None], keep: np.ndarray) -> set[frozenset[int]]:
    clusters: dict[int, set[int]] = {}
    for i, label in enumerate(labels):
        if label is not None and keep[i]:
            clusters.setdefault(label, set()).add(i)
    return {frozenset(c) for c in clusters.values()}


def test_same_clusters_as_st_clusterdbscan_with_busy_places(sql: Sql) -> None:
    rng = np.random.default_rng(11)
    # A very busy place, two ordinary ones 120 m apart and a quiet background.
    centres = np.array([[500.0, 500.0], [1200.0, 800.0], [1320.0, 800.0]])
    spreads, sizes = [25, 20, 20], [3000, 300, 300]
    parts = [c + rng.normal(0, s, (n, 2)) for c, s, n in zip(centres, spreads, sizes, strict=True)]
    parts.append(rng.uniform(0, 2000, (1500, 2)))
    xy = np.vstack(parts)
    for eps, minpoints in ((50.0, 5), (50.0, 40), (25.0, 3)):
        rows = sql.all(
            POSTGIS,
            {"xs": xy[:, 0].tolist(), "ys": xy[:, 1].tolist(), "eps": eps, "minpoints": minpoints},
        )
        theirs = [r["cid"] for r in rows]
        labels = grid_labels(xy[:, 0], xy[:, 1], eps, minpoints).tolist()
        ours = [None if v < 0 else v for v in labels]
        # The same noise and the same clusters of cores; a border point within
        # eps of two clusters may join either (DBSCAN leaves it to the order).
        assert [c is None for c in ours] == [c is None for c in theirs]
        core = cores(xy, eps, minpoints)
        assert partition(ours, core) == partition(theirs, core)
        assert len(set(ours)) == len(set(theirs))
