"""The staff outline of a hotspot: around its dense core, not every point it chained on."""

from __future__ import annotations

import numpy as np
import shapely

from geo import outline

BUFFER = 15.0


def tight_place(rng: np.random.Generator, n: int = 20, spread: float = 8.0) -> np.ndarray:
    return rng.normal(0.0, spread, (n, 2))


def chain(start: float = 40.0, step: float = 20.0, n: int = 11) -> np.ndarray:
    """Background person-places DBSCAN (50 m, 5) chains onto a place: each has four
    others within 50 m, but only two within 25 m."""
    xy: np.ndarray = np.c_[start + step * np.arange(n), np.zeros(n)]
    return xy


def holds(shape: shapely.Geometry, xy: np.ndarray) -> np.ndarray:
    return np.asarray(shapely.contains_xy(shape, xy[:, 0], xy[:, 1]))


def test_a_place_with_a_chain_of_background_is_outlined_around_the_place() -> None:
    for seed in range(5):
        place = tight_place(np.random.default_rng(seed))
        tail = chain()
        xy = np.vstack([place, tail])
        shape = outline.outline(xy[:, 0], xy[:, 1], BUFFER)
        assert holds(shape, place).all()  # every report of the place
        far = tail[tail[:, 0] >= 80]
        assert not holds(shape, far).any()  # none of the chain beyond its first steps
        whole = shapely.MultiPoint(xy).convex_hull.buffer(BUFFER, quad_segs=4)
        assert shape.area < 0.5 * whole.area


def test_a_compact_place_keeps_its_reports_inside_all_but_far_strays() -> None:
    inside = []
    for seed in range(10):
        place = tight_place(np.random.default_rng(seed), n=12, spread=10.0)
        shape = outline.outline(place[:, 0], place[:, 1], BUFFER)
        near = np.hypot(place[:, 0], place[:, 1]) <= 2 * 10.0
        assert holds(shape, place[near]).all()
        inside.append(holds(shape, place).mean())
    # A stray three spreads out, with nobody near it, may fall outside.
    assert np.mean(inside) >= 0.95


def test_a_sparse_place_without_a_dense_core_keeps_its_whole_hull() -> None:
    # Six people 40 m apart round a square: nobody has three others within 25 m.
    angles = np.linspace(0, 2 * np.pi, 6, endpoint=False)
    xy = np.c_[40 * np.cos(angles), 40 * np.sin(angles)]
    assert outline.core_mask(xy[:, 0], xy[:, 1]).all()
    shape = outline.outline(xy[:, 0], xy[:, 1], BUFFER)
    whole = shapely.MultiPoint(xy).convex_hull.buffer(BUFFER, quad_segs=4)
    assert abs(shape.area - whole.area) < 1e-6
    assert holds(shape, xy).all()


def test_a_thin_core_does_not_shrink_the_outline_to_a_corner() -> None:
    # Three people close together and seven spread wide: the core holds fewer
    # than half the place, so the outline is the whole hull.
    rng = np.random.default_rng(1)
    xy = np.vstack([rng.normal(0, 3, (4, 2)), np.c_[np.linspace(60, 300, 7), np.zeros(7)]])
    assert outline.core_mask(xy[:, 0], xy[:, 1]).all()


def test_many_clusters_at_once_get_the_cores_each_would_get_alone() -> None:
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 4, 400)
    spread = np.array([5.0, 15.0, 30.0, 60.0])[groups]
    # Side by side, overlapping: neighbours in another cluster do not count.
    xy = np.c_[40.0 * groups, np.zeros(400)] + rng.normal(0, 1, (400, 2)) * spread[:, None]
    together = outline.core_mask(xy[:, 0], xy[:, 1], groups)
    for g in range(4):
        mine = groups == g
        d = np.hypot(*(xy[mine][:, None, :] - xy[mine][None, :, :]).transpose(2, 0, 1))
        alone = (d <= outline.CORE_RADIUS_M).sum(axis=1) - 1 >= outline.CORE_NEIGHBOURS
        if alone.sum() < max(outline.CORE_MIN_POINTS, outline.CORE_MIN_SHARE * mine.sum()):
            alone[:] = True
        assert (together[mine] == alone).all()
        assert (outline.core_mask(xy[mine, 0], xy[mine, 1]) == alone).all()
