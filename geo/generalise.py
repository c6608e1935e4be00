"""The public shape of a hotspot: an ellipse of its people's spread, never an outline of reports.

Staff see the exact outline (a buffered hull of the dense core, geo.outline,
whose arcs are centred on report points). The public see an ellipse built
only from aggregates of the hotspot's people, each counted once: the mean
position and the covariance, both coarsened before use. So no vertex, no
circle through vertices and no centre is tied to one report (issue 10):

- the centre is the mean of at least `public_min_reporters` people, snapped
  to a `CENTRE_SNAP_M` lattice, so one more person moves it in steps that hide
  where that person stood (see docs/PRIVACY.md for the arithmetic);
- the semi-axes are `SPREAD_SIGMAS` standard deviations plus `MARGIN_M`, at
  least `MIN_SEMI_AXIS_M`, rounded up to `AXIS_SNAP_M`; the orientation is
  rounded to `ANGLE_SNAP_DEG`;
- the ring has `VERTICES` points at fixed parametric angles, rounded to 1 m.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

CENTRE_SNAP_M = 10.0
AXIS_SNAP_M = 5.0
ANGLE_SNAP_DEG = 15.0
SPREAD_SIGMAS = 2.5
MARGIN_M = 40.0
MIN_SEMI_AXIS_M = 45.0
VERTICES = 8


@dataclass(frozen=True)
class PublicShape:
    """Centre and ring in SWEREF 99 TM metres (whole metres); the ring is closed, CCW."""

    cx: float
    cy: float
    ring: tuple[tuple[float, float], ...]

    def wkt(self) -> str:
        coords = ", ".join(f"{x:.0f} {y:.0f}" for x, y in self.ring)
        return f"POLYGON(({coords}))"

    def centre_wkt(self) -> str:
        return f"POINT({self.cx:.0f} {self.cy:.0f})"


def _snap(value: float, step: float) -> float:
    return round(value / step) * step


def _snap_up(value: float, step: float) -> float:
    return math.ceil(value / step) * step


def people_points(points: Sequence[tuple[object, float, float]]) -> list[tuple[float, float]]:
    """One point per person: the mean of each person's points (`(person, x, y)` rows)."""
    sums: dict[object, tuple[float, float, int]] = {}
    for person, x, y in points:
        sx, sy, n = sums.get(person, (0.0, 0.0, 0))
        sums[person] = (sx + x, sy + y, n + 1)
    return [(sx / n, sy / n) for sx, sy, n in sums.values()]


def public_shape(people: Sequence[tuple[float, float]]) -> PublicShape:
    """The generalised ellipse for one hotspot's people (one point each)."""
    if not people:
        raise ValueError("a hotspot without people has no shape")
    n = len(people)
    mx = sum(p[0] for p in people) / n
    my = sum(p[1] for p in people) / n
    sxx = sum((p[0] - mx) ** 2 for p in people) / n
    syy = sum((p[1] - my) ** 2 for p in people) / n
    sxy = sum((p[0] - mx) * (p[1] - my) for p in people) / n
    # Eigen-decomposition of the 2x2 covariance.
    half_trace = (sxx + syy) / 2
    root = math.sqrt(max(0.0, ((sxx - syy) / 2) ** 2 + sxy**2))
    major_var, minor_var = half_trace + root, max(0.0, half_trace - root)
    angle = 0.5 * math.atan2(2 * sxy, sxx - syy)
    angle = math.radians(_snap(math.degrees(angle), ANGLE_SNAP_DEG))

    def axis(var: float) -> float:
        size = max(MIN_SEMI_AXIS_M, SPREAD_SIGMAS * math.sqrt(var) + MARGIN_M)
        return _snap_up(size, AXIS_SNAP_M)

    a, b = axis(major_var), axis(minor_var)
    cx, cy = _snap(mx, CENTRE_SNAP_M), _snap(my, CENTRE_SNAP_M)
    cos_t, sin_t = math.cos(angle), math.sin(angle)
    ring = []
    for i in range(VERTICES):
        t = 2 * math.pi * i / VERTICES
        u, v = a * math.cos(t), b * math.sin(t)
        ring.append(
            (float(round(cx + u * cos_t - v * sin_t)), float(round(cy + u * sin_t + v * cos_t)))
        )
    ring.append(ring[0])
    return PublicShape(cx, cy, tuple(ring))


def circle_centre(
    p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]
) -> tuple[float, float] | None:
    """The centre of the circle through three points; None when they are (nearly) on a line."""
    ax, ay = p
    bx, by = q
    cx, cy = r
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    if abs(d) < 1e-9:
        return None
    a2, b2, c2 = ax**2 + ay**2, bx**2 + by**2, cx**2 + cy**2
    ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d
    uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d
    return ux, uy


def recovered_points(
    ring: Sequence[tuple[float, float]], centre: tuple[float, float] | None = None
) -> list[tuple[float, float]]:
    """What an observer can pull out of a public outline: its vertices, the centres of
    circles through each three consecutive vertices, and its centre."""
    pts = list(ring[:-1]) if len(ring) > 1 and ring[0] == ring[-1] else list(ring)
    out = list(pts)
    for i in range(len(pts)):
        c = circle_centre(pts[i - 2], pts[i - 1], pts[i])
        if c is not None:
            out.append(c)
    if centre is not None:
        out.append(centre)
    return out
