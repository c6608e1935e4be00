"""The local background of a hotspot (issue 15): ring sectors around it, and area cells.

A cluster's background density is the mean count of person-places in the
sectors of a ring around it (RING_INNER..RING_OUTER metres, SECTORS sectors,
parts outside the service area left out), twice: first from the TRIM quietest
sectors (a true place next door is not background), then, with the places
that passed the first test left out, from the busier sectors (TRIM_LOW
quietest and TRIM_HIGH_AGAIN busiest left out: chance clusters are
background, and at the edge of a busy centre the busy side is what counts).
The area's CELL_M cells of person-places say how busy a typical spot is and
how much of the area is about as busy as a given one (geo.significance).
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

RING_INNER = 60.0
RING_OUTER = 300.0
SECTORS = 8
TRIM = 4
# The second pass, with places that passed left out, takes the busiest sectors:
# at the edge of a busy centre the busy side is the background a chance
# cluster there was drawn from.
TRIM_LOW = 3
# ... but for a place missed next door, still leaves out the busiest one.
TRIM_HIGH_AGAIN = 1
UNEVEN = 2.5
# A sector counts only when this share of it lies inside the service area.
MIN_SECTOR_SHARE = 0.25
CELL_M = 250.0
_SAMPLE_RINGS = 6
_SAMPLE_ANGLES = 8


def _sector_pattern() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample offsets evenly spread over each ring sector (equal area per sample)."""
    radii = np.sqrt(
        RING_INNER**2
        + (np.arange(_SAMPLE_RINGS) + 0.5) / _SAMPLE_RINGS * (RING_OUTER**2 - RING_INNER**2)
    )
    width = 2 * math.pi / SECTORS
    angles = (np.arange(_SAMPLE_ANGLES) + 0.5) / _SAMPLE_ANGLES * width
    r, a = np.meshgrid(radii, angles, indexing="ij")
    sectors = np.arange(SECTORS)
    theta = a.ravel()[None, :] + sectors[:, None] * width
    return (
        (r.ravel()[None, :] * np.cos(theta)).ravel(),
        (r.ravel()[None, :] * np.sin(theta)).ravel(),
        np.repeat(sectors, r.size),
    )


def sector_of(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """The ring sector (0..SECTORS-1) of offsets from a cluster's centre."""
    angle = np.mod(np.arctan2(dy, dx), 2 * math.pi)
    out: np.ndarray = np.minimum((angle / (2 * math.pi / SECTORS)).astype(int), SECTORS - 1)
    return out


def sector_shares(area: BaseGeometry, cx: np.ndarray, cy: np.ndarray) -> np.ndarray:
    """(clusters, SECTORS): the share of each ring sector inside the service area."""
    ox, oy, sector = _sector_pattern()
    cx = np.asarray(cx, dtype=float)
    cy = np.asarray(cy, dtype=float)
    shapely.prepare(area)
    inside = shapely.contains_xy(area, cx[:, None] + ox[None, :], cy[:, None] + oy[None, :])
    per = np.zeros((len(cx), SECTORS))
    for s in range(SECTORS):
        per[:, s] = inside[:, sector == s].mean(axis=1)
    return per


def background_density(
    counts: np.ndarray, shares: np.ndarray, drop_high: int = TRIM, drop_low: int = 0
) -> np.ndarray:
    """Person-places per m2 around each cluster, from ring sector counts and shares.

    The mean over the sectors inside the area, leaving out the `drop_high`
    busiest and the `drop_low` quietest (fewer when fewer sectors count, at
    least two kept); 0 when no sector lies inside.
    """
    sector_area = math.pi * (RING_OUTER**2 - RING_INNER**2) / SECTORS
    out = np.zeros(len(counts))
    for i, (c, s) in enumerate(zip(np.asarray(counts, float), np.asarray(shares), strict=True)):
        ok = s >= MIN_SECTOR_SHARE
        if not ok.any():
            continue
        dens = np.sort(c[ok] / (s[ok] * sector_area))
        spare = max(len(dens) - 2, 0)
        high = min(drop_high, spare)
        low = min(drop_low, spare - high)
        out[i] = float(dens[low : len(dens) - high].mean())
    return out


def second_density(counts: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """The second pass's background: the busier sectors where the ring is uneven
    (busier half at least UNEVEN times the quieter half: the edge of a busy
    part), else all of them (an even background: picking its busier sectors
    would only add bias)."""
    plain = background_density(counts, shares, TRIM_HIGH_AGAIN, 0)
    busy = background_density(counts, shares, TRIM_HIGH_AGAIN, TRIM_LOW)
    quiet = background_density(counts, shares, SECTORS // 2, 0)
    floor = 1.0 / (math.pi * (RING_OUTER**2 - RING_INNER**2) / SECTORS)  # one per sector
    uneven = busy >= UNEVEN * np.maximum(quiet, floor)
    out: np.ndarray = np.where(uneven, busy, plain)
    return out


def cell_counts_xy(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Person-places per CELL_M cell (non-empty cells), as incremental_sql.cells_of."""
    cells = np.c_[np.floor(xs / CELL_M), np.floor(ys / CELL_M)]
    if len(cells) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.unique(cells, axis=0, return_counts=True)[1]


def typical_density(cells: np.ndarray) -> float:
    """Person-places per m2 of the area's median (non-empty) CELL_M cell."""
    cells = np.asarray(cells)
    return float(np.median(cells)) / CELL_M**2 if len(cells) else 0.0


def ring_counts_xy(
    xs: np.ndarray, ys: np.ndarray, labels: np.ndarray, cids: list[int], exclude: set[int]
) -> np.ndarray:
    """(clusters, SECTORS): as app.repo.hotspots.compute_sql.RING_COUNTS, on arrays."""
    out = np.zeros((len(cids), SECTORS), dtype=np.int64)
    for i, cid in enumerate(cids):
        inside = labels == cid
        cx, cy = float(np.median(xs[inside])), float(np.median(ys[inside]))
        dx, dy = xs - cx, ys - cy
        d = np.hypot(dx, dy)
        other = ~inside & ~np.isin(labels, list(exclude))
        keep = (d >= RING_INNER) & (d <= RING_OUTER) & other
        out[i] = np.bincount(sector_of(dx[keep], dy[keep]), minlength=SECTORS)
    return out
