"""The grid DBSCAN the recompute uses gives DBSCAN's own labels, busy places included."""

from __future__ import annotations

import numpy as np
import pytest

from geo.dbscan import dbscan_labels, grid_labels


def scene(seed: int) -> tuple[np.ndarray, np.ndarray, float, int, np.ndarray | None]:
    """Busy places on a quiet background, sometimes on a coarse grid (many equal distances)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    k = int(rng.integers(1, 6))
    cx, cy = rng.uniform(0, 2000, k), rng.uniform(0, 2000, k)
    which = rng.integers(0, k, n)
    busy = rng.random(n) < rng.random()
    spread = rng.uniform(5, 80)
    xs = np.where(busy, cx[which] + rng.normal(0, spread, n), rng.uniform(0, 2000, n))
    ys = np.where(busy, cy[which] + rng.normal(0, spread, n), rng.uniform(0, 2000, n))
    if seed % 5 == 0:
        xs, ys = np.round(xs / 10) * 10, np.round(ys / 10) * 10
    groups = rng.integers(0, 3, n) if seed % 3 == 0 else None
    return xs, ys, float(rng.choice([20.0, 35.0, 50.0])), int(rng.integers(1, 12)), groups


@pytest.mark.parametrize("seed", range(30))
def test_grid_labels_are_dbscans_labels(seed: int) -> None:
    xs, ys, eps, minpoints, groups = scene(seed)
    assert np.array_equal(
        grid_labels(xs, ys, eps, minpoints, groups), dbscan_labels(xs, ys, eps, minpoints, groups)
    )


def test_each_group_is_clustered_with_its_own_minpoints() -> None:
    rng = np.random.default_rng(3)
    xs, ys = rng.normal(0, 60, 4000), rng.normal(0, 60, 4000)
    groups = rng.integers(0, 4, 4000)
    minpoints = np.array([3, 5, 8, 13])
    labels = grid_labels(xs, ys, 50.0, minpoints[groups], groups)
    for g, m in enumerate(minpoints):
        mine = groups == g
        alone = dbscan_labels(xs[mine], ys[mine], 50.0, int(m))
        together = labels[mine]
        # The same partition (numbering aside).
        assert np.array_equal(alone < 0, together < 0)
        pairs = set(zip(alone[alone >= 0].tolist(), together[together >= 0].tolist(), strict=True))
        assert len(pairs) == len(set(alone[alone >= 0].tolist()))
        assert len(pairs) == len(set(together[together >= 0].tolist()))


def test_a_place_just_over_eps_away_stays_apart() -> None:
    # Two busy cells whose nearest points are eps + 1 cm apart: not joined.
    a = np.column_stack([np.full(10, 0.0), np.linspace(0, 5, 10)])
    b = np.column_stack([np.full(10, 50.01), np.linspace(0, 5, 10)])
    xy = np.vstack([a, b])
    labels = grid_labels(xy[:, 0], xy[:, 1], 50.0, 5)
    assert len(set(labels.tolist())) == 2
    joined = grid_labels(xy[:, 0] * 0.999, xy[:, 1], 50.0, 5)
    assert len(set(joined.tolist())) == 1
