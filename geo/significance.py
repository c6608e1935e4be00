"""Significance of each hotspot against its local background (issue 15).

The background density at a cluster's spot comes from geo.background (ring
sectors); the chance clusters of a uniform scatter at that density from the
Monte Carlo scatter of geo.montecarlo, clustered here in numpy (geo.dbscan).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.background import (
    CELL_M,
    RING_OUTER,
    background_density,
    cell_counts_xy,
    ring_counts_xy,
    second_density,
    sector_shares,
    typical_density,
)
from geo.dbscan import dbscan_labels, largest_per_group
from geo.montecarlo import simulate, threshold
from geo.splits import hull_candidates

# --- significance against the local background (issue 15) ---------------------
#
# A uniform scatter over the whole area expects far fewer chance clusters than
# a busy town centre makes. So each final cluster is judged at its own spot:
# - its background density comes from the ring sectors around it, in two
#   passes (geo.background);
# - it must beat the chance clusters of a uniform scatter at that density over
#   the parts of the area about that busy (`window_m2`): the Monte Carlo test
#   of geo.montecarlo, clustered in numpy (geo.dbscan), with the area-wide k
#   as a floor where the spot is as busy as the area's mean; quieter spots (a
#   busy centre raises k above what their chance clusters reach) need only
#   min_reporters, judged at no less than the typical cell's density
#   (`floors_of`);
# - or, when it is smaller than that, be more compact than any chance cluster
#   of its size: near the density where DBSCAN's chance clusters chain into
#   big ones (a busy centre), size alone would hold back real places of 40
#   people within 30 m. A chance cluster is sprawling; a real place is not. The
#   same simulation notes each chance cluster's people and people per m2 of its
#   outline; a place passes when chance clusters at least as big and as dense
#   are rarer than ALPHA in its window (`Level.compact_p_value`).
# The ring estimate runs low (it leaves out the busiest sector, a person's
# repeats count once, the sectors are small samples), and chance clusters grow
# steeply with density, so the simulations take a margin: SIZE_MARGIN where the
# spot is BUSY_RATIO times as busy as the typical cell (in an even area the
# area-wide k already covers it), COMPACT_MARGIN for the compact test (capped
# at saturation).
# Densities and windows are rounded up on a LEVEL_STEP grid, so a computation
# needs only a few simulations, and they are cached.

ALPHA = 0.05
# A spot is quiet (the area-wide k is no floor there) below this share of the
# area's mean density of person-places.
QUIET_RATIO = 1.0
SIZE_MARGIN = 1.5
BUSY_RATIO = 2.0
COMPACT_MARGIN = 3.0
# Chance clusters are measured by their hull buffered this much, as the pipeline's
# hull_m2 (geo.hotspots.OUTLINE_BUFFER_M; the staff outline is the core's, geo.outline).
OUTLINE_BUFFER_M = 15.0
LEVEL_STEP = 1.25
# Beyond this many mean neighbours within eps a uniform scatter is one giant
# DBSCAN cluster (and simulating it costs points x neighbours): there the
# density-valley splits (geo.hotspots) are the test, and the local one is
# skipped (`tested` false, nothing held back).
SATURATED_NEIGHBOURS = 8.0
# The chance clusters a place competes with are those of the parts of the area
# at least WINDOW_SHARE as busy as its spot (CELL_M cells of all person-places),
# not of the whole area: a small busy centre makes fewer chance clusters than
# a whole area that busy would. At least a ring's disc, at most the area.
WINDOW_SHARE = 0.5
MIN_WINDOW_M2 = math.pi * RING_OUTER**2


@dataclass(frozen=True)
class Verdict:
    """How one cluster compares with the chance clusters at its spot."""

    background: float  # person-places per km2 around it
    expected: float  # background person-places expected inside its outline
    threshold: int  # people a cluster needs there
    p_value: float  # of a chance cluster this big anywhere at that density (upper bound)
    margin: int  # reporters - threshold
    held: bool  # below the threshold: kept for staff, never public
    tested: bool = True  # False where the background is too dense to simulate

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return {
            "background_per_km2": round(self.background, 1),
            "expected": round(self.expected, 2),
            "threshold": self.threshold,
            "p_value": round(self.p_value, 4) if self.tested else None,
            "margin": self.margin,
            "held": self.held,
            "tested": self.tested,
        }


def level_count(density: float, area_m2: float) -> int:
    """Points a uniform scatter at `density` puts in an area, rounded up on a coarse grid."""
    n = density * area_m2
    if n <= 1:
        return 1
    return math.ceil(LEVEL_STEP ** math.ceil(math.log(n) / math.log(LEVEL_STEP)))


def window_m2(density: float, cell_counts: np.ndarray, area_m2: float) -> float:
    """The area at least WINDOW_SHARE as busy as `density`, rounded up on a coarse grid."""
    cell = CELL_M**2
    busy = float((np.asarray(cell_counts) >= density * WINDOW_SHARE * cell).sum()) * cell
    if busy <= MIN_WINDOW_M2:
        return min(MIN_WINDOW_M2, area_m2)
    steps = math.ceil(math.log(busy / MIN_WINDOW_M2) / math.log(LEVEL_STEP))
    return min(MIN_WINDOW_M2 * LEVEL_STEP**steps, area_m2)


@dataclass(frozen=True)
class Level:
    """The chance clusters of a uniform scatter at one density over the whole area."""

    largest: np.ndarray  # per run, in the simulated window
    quantile: float  # as Simulation.quantile
    threshold: int
    # Every chance cluster of every run: its people and people per m2 of its
    # outline (hull + OUTLINE_BUFFER_M, as the pipeline's).
    sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    densities: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @property
    def windows(self) -> float:
        """How many simulated windows make up the area the level stands for."""
        return math.log(0.95) / math.log(self.quantile) if self.quantile < 1 else 1.0

    def p_value(self, people: int) -> float:
        """Chance of a cluster of `people` or more anywhere in the area (upper bound)."""
        exceed = (1 + int((self.largest >= people).sum())) / (1 + len(self.largest))
        return min(1.0, 1.0 - float((1.0 - exceed) ** self.windows))

    def compact_p_value(self, people: int, density: float) -> float:
        """Chance of a cluster at least as big *and* as compact anywhere in the area.

        From the mean number of such chance clusters per run (half a cluster
        when none was seen), scaled to the area: a rate, so it resolves below
        1/runs, which the busy places that beat every chance cluster need.
        """
        runs = max(len(self.largest), 1)
        count = int(((self.sizes >= people) & (self.densities >= density)).sum())
        rate = max(count, 0.5) / runs * self.windows
        return min(1.0, 1.0 - math.exp(-rate))


def simulate_level(
    region: BaseGeometry | float,
    n: int,
    runs: int,
    seed: int,
    eps: float,
    minpoints: int,
    buffer: float = OUTLINE_BUFFER_M,
) -> Level:
    """The Monte Carlo test above at `n` points over `region` (or a square of that
    many m2), clustered here in numpy; with each chance cluster's people and
    compactness."""
    if n < minpoints:
        return Level(np.zeros(runs, dtype=np.int64), 0.95, 1)
    if isinstance(region, float | int):
        side = math.sqrt(region)
        region = shapely.box(0, 0, side, side)
    sim = simulate(region, n, runs, seed)
    labels = dbscan_labels(sim.xs, sim.ys, eps, minpoints, sim.runs)
    largest = largest_per_group(labels, sim.runs, sim.nruns)
    keep = labels >= 0
    sizes = np.zeros(0, dtype=np.int64)
    densities = np.zeros(0)
    if keep.any():
        lab = labels[keep]
        ids, sizes = np.unique(lab, return_counts=True)
        # GEOS' hull of the points that can be its vertices is the hull of them all.
        edge = hull_candidates(sim.xs[keep], sim.ys[keep], lab)
        order = np.argsort(lab[edge], kind="stable")
        pts = shapely.points(sim.xs[keep][edge][order], sim.ys[keep][edge][order])
        index = np.searchsorted(ids, lab[edge][order])
        hulls = shapely.convex_hull(shapely.multipoints(pts, indices=index))
        areas = shapely.area(shapely.buffer(hulls, buffer, quad_segs=4))
        densities = sizes / np.maximum(areas, 1.0)
    return Level(largest, sim.quantile, threshold(largest.tolist(), sim.quantile), sizes, densities)


def judge(
    reporters: int,
    outline_m2: float,
    density: float,
    level: Level,
    floor: int,
    gate: bool = True,
    compact: Level | None = None,
) -> Verdict:
    """A cluster's verdict at its spot; `floor` is the area-wide threshold k.

    It passes with `floor` people or more when it is bigger than the chance
    clusters of `level`, or when no chance cluster of `compact` (the same
    window at COMPACT_MARGIN times the density) is as big and as compact.
    With `gate` off the verdict is reported but holds nothing back.
    """
    need = max(level.threshold, floor)
    p_value = level.p_value(reporters)
    passes = reporters >= need
    if compact is not None:
        p_compact = compact.compact_p_value(reporters, reporters / max(outline_m2, 1.0))
        p_value = min(p_value, p_compact)
        passes = passes or (reporters >= floor and p_compact <= ALPHA)
    return Verdict(
        background=density * 1e6,
        expected=density * outline_m2,
        threshold=need,
        p_value=p_value,
        margin=reporters - need,
        held=gate and not passes,
    )


def has_quiet_parts(cells: np.ndarray, mean: float) -> bool:
    """Whether a typical cell is quieter than `mean` (the density the area-wide
    k scattered): only then can a cluster smaller than k pass (`floors_of`)."""
    return typical_density(cells) < QUIET_RATIO * mean


def floors_of(density: np.ndarray, mean: float, floor: int, least: int | None) -> list[int]:
    """Per cluster, the fewest people it needs whatever its level says.

    The area-wide k scatters the noise at the area's `mean` density evenly, so
    it is a fair floor only where the spot is about that busy: a busy centre
    raises it above what a quiet corner's chance clusters reach (issue 15).
    """
    if least is None or least >= floor:
        return [floor] * len(density)
    return [least if float(d) < QUIET_RATIO * mean else floor for d in density]


LevelOf = Callable[[int, float], "Level"]  # (points, window m2) -> its chance clusters


def saturation(eps: float) -> float:
    """The background density (per m2) above which the local test is skipped."""
    return SATURATED_NEIGHBOURS / (math.pi * eps**2)


def judge_all(
    reporters: Sequence[int],
    outline_m2: Sequence[float],
    density: np.ndarray,
    cells: np.ndarray,
    area_m2: float,
    level_of: LevelOf,
    floor: int,
    gate: bool = True,
    saturated: float = math.inf,
    least: int | None = None,
    mean: float | None = None,
) -> list[Verdict]:
    """Verdicts for many clusters, simulating as few levels as possible.

    Thresholds grow with the density and the window, so the busiest spots
    come first; a cluster that beats the threshold of a level already
    simulated that is at least as busy and as wide passes on that level (its
    threshold and p-value are then conservative); the others get their own.
    `floor` (the area-wide k) holds only where the spot is at least QUIET_RATIO
    times as busy as `mean` (the density k's Monte Carlo scattered; default
    all person-places over the area); quieter spots need only `least` people
    (the product minimum) and their own level decides (`floors_of`).
    """
    keys = []
    cells = np.asarray(cells)
    typical = typical_density(cells)
    if least is not None:
        # A small cluster's ring holds too few person-places to say it is quieter
        # than the area's typical cell (an estimate of 0 sends chance clusters of
        # 5 through), so it is judged at least that busy.
        small = np.asarray(reporters) < floor
        density = np.where(small, np.maximum(density, typical), density)
    if mean is None:
        mean = float(cells.sum()) / max(area_m2, 1.0)
    floors = floors_of(density, mean, floor, least)
    for d in density:
        w = window_m2(float(d), cells, area_m2)
        margin = SIZE_MARGIN if float(d) >= BUSY_RATIO * typical else 1.0
        keys.append((level_count(float(d) * margin, w), w))
    order = sorted(range(len(keys)), key=lambda i: (keys[i][0] / keys[i][1], keys[i][1]))
    done: list[tuple[float, float, Level]] = []
    out: dict[int, Verdict] = {}
    for i in reversed(order):
        n, w = keys[i]
        busy = n / w
        d = float(density[i])
        if reporters[i] < floors[i]:
            # Below the area-wide k where the spot is not quiet: no simulation needed.
            margin = reporters[i] - floors[i]
            out[i] = Verdict(d * 1e6, d * outline_m2[i], floors[i], 1.0, margin, gate)
            continue
        if d > saturated:
            margin = reporters[i] - floors[i]
            out[i] = Verdict(
                d * 1e6, d * outline_m2[i], floors[i], 1.0, margin, False, tested=False
            )
            continue
        level = next(
            (
                lv
                for d, ww, lv in done
                if d >= busy and ww >= w and max(lv.threshold, floors[i]) <= reporters[i]
            ),
            None,
        )
        if level is None:
            level = level_of(n, w)
            done.append((busy, w, level))
        compact = None
        # Compactness rescues big places in busy spots; below the area-wide k (a
        # quiet spot) size decides, which also spares a costly simulation.
        if floor <= reporters[i] < level.threshold:
            # Capped where a uniform scatter turns into one giant cluster.
            wide = min(float(density[i]) * COMPACT_MARGIN, saturated)
            compact = level_of(level_count(wide, w), w)
        out[i] = judge(reporters[i], outline_m2[i], d, level, floors[i], gate, compact)
    return [out[i] for i in range(len(keys))]


def judge_points(
    xs: np.ndarray,
    ys: np.ndarray,
    people: np.ndarray,
    area: BaseGeometry,
    *,
    eps: float,
    minpoints: int,
    floor: int,
    runs: int = 99,
    seed: int = 2017,
    buffer: float = 15.0,
    least: int | None = None,
    levels: dict[tuple[int, float, int, int, float, int], Level] | None = None,
) -> list[tuple[float, float, int, Verdict]]:
    """The whole local test on person-places held in arrays (for hand-made cases).

    DBSCAN here stands in for the pipeline's; each cluster with `least`
    (default `floor`) people or more is judged twice as in
    app.services.hotspots.computation. Returns (median x, median y, people,
    verdict) per cluster. `levels` keeps the simulations for the next call (a
    simulation depends only on its arguments, as the pipeline's cache assumes).
    """
    labels = dbscan_labels(xs, ys, eps, minpoints)
    fewest = floor if least is None else min(least, floor)
    cids = [
        int(c)
        for c in np.unique(labels[labels >= 0])
        if len(np.unique(people[labels == c])) >= fewest
    ]
    if not cids:
        return []
    centres = np.array([(np.median(xs[labels == c]), np.median(ys[labels == c])) for c in cids])
    reporters = [len(np.unique(people[labels == c])) for c in cids]
    outline = [
        float(
            shapely.MultiPoint(np.c_[xs[labels == c], ys[labels == c]])
            .convex_hull.buffer(buffer)
            .area
        )
        for c in cids
    ]
    shares = sector_shares(area, centres[:, 0], centres[:, 1])
    cells = cell_counts_xy(xs, ys)
    made = {} if levels is None else levels

    def level_of(n: int, w: float) -> Level:
        key = (n, w, runs, seed, eps, minpoints)
        if key not in made:
            made[key] = simulate_level(w, n, runs, seed, eps, minpoints)
        return made[key]

    passed: set[int] = set()
    verdicts: list[Verdict] = []
    for first in (True, False):
        counts = ring_counts_xy(xs, ys, labels, cids, passed)
        density = background_density(counts, shares) if first else second_density(counts, shares)
        verdicts = judge_all(
            reporters,
            outline,
            density,
            cells,
            float(area.area),
            level_of,
            floor,
            saturated=saturation(eps),
            least=least,
        )
        passed = {c for c, v in zip(cids, verdicts, strict=True) if not v.held}
    return [
        (float(x), float(y), r, v)
        for (x, y), r, v in zip(centres, reporters, verdicts, strict=True)
    ]
