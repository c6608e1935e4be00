"""A small SVG map of a patrol route for the printed plan.

Printing must not depend on map tiles or scripts, so the printout draws the
route and numbered stops itself, in SWEREF 99 TM metres, with a scale bar.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from geo.crs import lonlat_to_sweref

WIDTH = 680
HEIGHT = 520
MARGIN = 30


def _scale_length(span_m: float) -> int:
    for candidate in (50, 100, 200, 250, 500, 1000, 2000, 5000):
        if candidate >= span_m / 5:
            return candidate
    return 10000


def route_svg(
    route: Sequence[Sequence[float]],
    stops: Sequence[Mapping[str, Any]],
    start: Sequence[float],
    end: Sequence[float],
    title: str = "Rutt",
) -> str:
    """The route and numbered stops as an SVG; `title` in the page's language."""
    points = [lonlat_to_sweref(p[0], p[1]) for p in route] or [lonlat_to_sweref(*start[:2])]
    stop_xy = [lonlat_to_sweref(s["point"][0], s["point"][1]) for s in stops]
    start_xy = lonlat_to_sweref(start[0], start[1])
    end_xy = lonlat_to_sweref(end[0], end[1])
    every = points + stop_xy + [start_xy, end_xy]
    min_x = min(x for x, _ in every)
    max_x = max(x for x, _ in every)
    min_y = min(y for _, y in every)
    max_y = max(y for _, y in every)
    span = max(max_x - min_x, max_y - min_y, 100.0)
    scale = min((WIDTH - 2 * MARGIN) / span, (HEIGHT - 2 * MARGIN) / span)

    # Centre the drawing in the frame.
    pad_x = (WIDTH - 2 * MARGIN - (max_x - min_x) * scale) / 2
    pad_y = (HEIGHT - 2 * MARGIN - (max_y - min_y) * scale) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (
            MARGIN + pad_x + (x - min_x) * scale,
            HEIGHT - MARGIN - pad_y - (y - min_y) * scale,
        )

    line = " ".join(f"{a:.1f},{b:.1f}" for a, b in (at(x, y) for x, y in points))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-labelledby="route-map-title" class="route-map">',
        f'<title id="route-map-title">{html.escape(title)}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#fff" stroke="#999"/>',
        f'<polyline points="{line}" fill="none" stroke="#004b87" stroke-width="3" '
        'stroke-linejoin="round"/>',
    ]
    sx, sy = at(*start_xy)
    parts.append(f'<rect x="{sx - 7:.1f}" y="{sy - 7:.1f}" width="14" height="14" fill="#222"/>')
    for stop, (x, y) in zip(stops, stop_xy, strict=True):
        cx, cy = at(x, y)
        label = html.escape(str(stop["order"]))
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="11" fill="#c8102e" stroke="#fff" '
            f'stroke-width="2"/><text x="{cx:.1f}" y="{cy + 4:.1f}" text-anchor="middle" '
            f'font-size="12" font-family="sans-serif" fill="#fff">{label}</text>'
        )
    bar = _scale_length(span)
    bar_px = bar * scale
    parts.append(
        f'<line x1="{MARGIN}" y1="{HEIGHT - 12}" x2="{MARGIN + bar_px:.1f}" y2="{HEIGHT - 12}" '
        'stroke="#000" stroke-width="3"/>'
        f'<text x="{MARGIN + bar_px + 6:.1f}" y="{HEIGHT - 8}" font-size="12" '
        f'font-family="sans-serif">{bar} m</text>'
        f'<text x="{WIDTH - 20}" y="30" font-size="16" font-family="sans-serif" '
        'text-anchor="middle">N ↑</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
