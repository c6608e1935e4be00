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


AT = 75.0  # metres; this close to a named place, the place's name alone
ON_STREET = 60.0  # metres; this close to a named street, the place is on it


def place_name(
    x: float,
    y: float,
    named: Sequence[Named],
    street: tuple[str, float] | None = None,
    taken: Iterable[str] = (),
) -> str | None:
    """A name from the gazetteer and the nearest named street (name, metres) together.

    At a named place: the place ("Torget"). On a named street: the street with
    the nearest named place ("Järnvägsgatan vid Skräcklan"), or the street
    alone. Otherwise (or when those are taken) as `name_for`.
    """
    used = set(taken)
    ranked = sorted(named, key=lambda n: math.dist((x, y), (n.x, n.y)))
    nearest = ranked[0] if ranked else None
    distance = math.dist((x, y), (nearest.x, nearest.y)) if nearest else math.inf
    if nearest is not None and distance <= AT and nearest.name not in used:
        return nearest.name
    if street is not None and street[1] <= ON_STREET:
        candidate = street[0]
        if nearest is not None and distance <= NEAR and nearest.name != street[0]:
            candidate = f"{street[0]} vid {nearest.name}"
        if candidate not in used:
            return candidate
    found = name_for(x, y, named, used)
    if found is None and street is not None and street[1] <= ON_STREET:
        return street[0]
    return found
