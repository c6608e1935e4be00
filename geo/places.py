"""A human name for each hotspot from the nearest named place.

Names come from a list of named points (the gazetteer, or points along named
streets): the nearest within `NEAR` metres names the place; when that name is
already taken by another hotspot the second nearest is added ("Järnvägsgatan
vid Skräcklan"), so two hotspots rarely share a name.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

NEAR = 400.0  # metres; farther than this a place is not named after anything
BESIDE = 600.0  # metres; how far the second name may be


@dataclass(frozen=True)
class Named:
    name: str
    x: float
    y: float


def name_for(x: float, y: float, named: Sequence[Named], taken: Iterable[str] = ()) -> str | None:
    """The name for a hotspot centred at (x, y) in metres, or None with nothing near."""
    ranked = sorted(named, key=lambda n: math.dist((x, y), (n.x, n.y)))
    if not ranked or math.dist((x, y), (ranked[0].x, ranked[0].y)) > NEAR:
        return None
    first = ranked[0].name
    used = set(taken)
    if first not in used:
        return first
    for other in ranked[1:]:
        if math.dist((x, y), (other.x, other.y)) > BESIDE:
            break
        if other.name != first and f"{first} vid {other.name}" not in used:
            return f"{first} vid {other.name}"
    return first
