"""The area-wide Monte Carlo significance threshold k for hotspots, made cheap.

The reference test scatters the noise points at random over the service area
(99 runs, seeded), clusters each scatter with the same DBSCAN and takes the
95th percentile of the largest cluster's distinct reporters, plus one.

Three things keep it cheap:
- every scattered point counts as its own person (an upper bound, so the
  threshold is conservative), which makes the answer depend only on the
  number of noise points, the area and the DBSCAN parameters, so it is cached;
- the count is rounded *up* to a 5 % grid, so a few new reports reuse the
  cached answer (more noise can only raise the threshold);
- all runs are clustered in one PostGIS query (`PARTITION BY run`, in
  app.repo.hotspots.compute_sql), and when runs x points would exceed a
  budget, the runs scatter the same density over a smaller window and the
  percentile is taken at 0.95^(window/area), since the largest cluster of the
  whole area is the largest of area/window windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

POINT_BUDGET = 40_000
GRID_STEP = 1.05


@dataclass(frozen=True)
class Simulation:
    """The scattered points of all runs, and how to read the per-run maxima."""

    runs: np.ndarray
    xs: np.ndarray
    ys: np.ndarray
    nruns: int
    quantile: float  # of the per-run largest clusters


def rounded_count(n: int) -> int:
    """`n` rounded up to the next step of a 5 % grid (1, 2, ..., 20, 21, 22, 24, ...)."""
    if n <= 20:
        return n
    return math.ceil(GRID_STEP ** math.ceil(math.log(n) / math.log(GRID_STEP)))


def _uniform_in(
    rng: np.random.Generator, polygon: BaseGeometry, n: int
) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = polygon.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    have = 0
    share = max(polygon.area / ((maxx - minx) * (maxy - miny)), 0.05)
    while have < n:
        m = int((n - have) / share * 1.1) + 16
        x = rng.uniform(minx, maxx, m)
        y = rng.uniform(miny, maxy, m)
        inside = shapely.contains_xy(polygon, x, y)
        xs.append(x[inside])
        ys.append(y[inside])
        have += int(inside.sum())
    return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def simulate(area_3006: BaseGeometry, n: int, runs: int, seed: int) -> Simulation:
    """Seeded scatters of `n` points over the area (or a window of it, see above)."""
    rng = np.random.default_rng(seed)
    area = float(area_3006.area)
    region = area_3006
    quantile = 0.95
    if n * runs > POINT_BUDGET:
        # Same density on a square window in the middle of the area's bounds.
        per_run = max(POINT_BUDGET // runs, 1)
        window_area = area * per_run / n
        side = math.sqrt(window_area)
        cx, cy = area_3006.centroid.x, area_3006.centroid.y
        region = shapely.box(cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)
        quantile = 0.95 ** (window_area / area)
        n = per_run
    xs = np.empty(n * runs)
    ys = np.empty(n * runs)
    for r in range(runs):
        x, y = _uniform_in(rng, region, n)
        xs[r * n : (r + 1) * n] = x
        ys[r * n : (r + 1) * n] = y
    run_ids = np.repeat(np.arange(runs, dtype=np.int32), n)
    return Simulation(run_ids, xs, ys, runs, quantile)


def threshold(largest: list[int], quantile: float) -> int:
    """The percentile of the per-run largest clusters, plus one."""
    if not largest:
        return 1
    value = float(np.quantile(np.asarray(largest, dtype=float), quantile, method="higher"))
    return int(value) + 1


def poisson_upper(mu: float, alpha: float) -> int:
    """The smallest q with P(X >= q) <= alpha for X ~ Poisson(mu)."""
    if mu <= 0:
        return 1
    # Walk the pmf in logs from 0; fine for the densities met here (mu < 1e5).
    log_pmf = -mu
    cdf = 0.0
    q = 0
    while True:
        cdf += math.exp(log_pmf)
        q += 1
        if 1.0 - cdf <= alpha:
            return q
        log_pmf += math.log(mu) - math.log(q)
        if q > mu + 50 * math.sqrt(mu) + 50:
            return q


def dense_minpoints(neighbours: float, points: int, alpha: float = 0.05) -> int:
    """Minpoints at which a uniform area this dense has no core point by chance.

    Under complete spatial randomness a point's neighbours within eps are
    Poisson(`neighbours`); with minpoints counting the point itself, a core
    point needs `minpoints - 1` neighbours. The chance that any of `points`
    points is a core by chance is kept below `alpha` (Bonferroni).
    """
    return 1 + poisson_upper(neighbours, alpha / max(points, 1))
