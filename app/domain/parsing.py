"""The rules for reading bbox, dates and date-times, code lists and single codes: one of each.

A bare date means midnight in Europe/Stockholm (as an end bound, the end of
that day); a date-time without a zone is Swedish time. The web layer turns a
`ParseError` into a 422 answer; other callers get it as a `ValueError`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import shapely

from geo.area import ServiceArea

LOCAL_TZ = ZoneInfo("Europe/Stockholm")

# The earliest and latest instants a filter may name: PostgreSQL and Python
# both represent them, so no date arithmetic can overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

BBox = tuple[float, float, float, float]


def midnight(day: date) -> datetime:
    """The start of a calendar day in Swedish time."""
    return datetime.combine(day, time(), LOCAL_TZ)


class ParseError(ValueError):
    """A value does not follow the rules; the message names the parameter."""


def codes(
    name: str, values: Iterable[str] | str | None, allowed: tuple[str, ...]
) -> tuple[str, ...]:
    """Codes from repeated and/or comma-separated values, each checked, sorted, unique."""
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    out: set[str] = set()
    for value in values:
        for code in str(value).split(","):
            code = code.strip()
            if not code:
                continue
            if code not in allowed:
                raise ParseError(f"{name}: '{code}' is not one of {', '.join(allowed)}")
            out.add(code)
    return tuple(sorted(out))


GEOMETRIES = ("point", "line", "area")


def choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """One code out of `allowed` (no list: e.g. one geometry type per GIS layer), or None."""
    if value is None or value.strip() == "":
        return None
    code = value.strip()
    if code not in allowed:
        raise ParseError(f"{name}: '{code}' is not one of {', '.join(allowed)}; give exactly one")
    return code


def _in_range(name: str, value: object, moment: datetime) -> datetime:
    if not EARLIEST <= moment <= LATEST:
        raise ParseError(f"{name}: '{value}' must lie between the years 1900 and 9000")
    return moment


def instant(name: str, value: str | datetime | None, *, end: bool = False) -> datetime | None:
    """An ISO date or date-time (or a datetime) in UTC.

    A date alone is midnight in Swedish time; as an end bound (`end=True`) it
    includes that whole day. A date-time without a zone is Swedish time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=LOCAL_TZ)
        return _in_range(name, value, moment.astimezone(UTC))
    hint = f"{name}: '{value}' is not a date (2026-05-01) or date-time (2026-05-01T20:00:00+02:00)"
    if " " in value and "T" in value:
        # A '+' in a query string that was not URL-encoded arrives as a space.
        hint += "; write the zone's '+' as %2B in a URL"
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end:
                day += timedelta(days=1)
            moment = midnight(day)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_TZ)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise ParseError(hint) from exc
    return _in_range(name, value, moment)


def period(
    since: str | datetime | None, until: str | datetime | None
) -> tuple[datetime | None, datetime | None]:
    """`since` and `until` parsed together; `since` must come first."""
    start = instant("since", since)
    stop = instant("until", until, end=True)
    if start and stop and start >= stop:
        raise ParseError("since must be before until")
    return start, stop


def bbox(
    value: str | Sequence[float] | None, name: str = "bbox", area: ServiceArea | None = None
) -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` in WGS 84, as a string or four numbers.

    Given the service `area`, a box that lies wholly outside it but would lie
    inside with longitude and latitude swapped is refused with that hint,
    rather than answered with nothing.
    """
    if value is None or len(value) == 0:
        return None
    parts = value.split(",") if isinstance(value, str) else list(value)
    message = (
        f"{name}: give four numbers min_lon,min_lat,max_lon,max_lat in WGS 84, "
        "e.g. 12.30,58.37,12.34,58.39"
    )
    if len(parts) != 4:
        raise ParseError(message)
    try:
        numbers = [float(p) for p in parts]
    except (TypeError, ValueError) as exc:
        raise ParseError(message) from exc
    if not all(math.isfinite(n) for n in numbers):
        raise ParseError(message)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise ParseError(f"{name}: longitudes must lie between -180 and 180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise ParseError(f"{name}: latitudes must lie between -90 and 90 (lon,lat order)")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise ParseError(f"{name}: the minimum must be below the maximum (min_lon,min_lat,...)")
    if area is not None and swapped_only(area, (min_lon, min_lat, max_lon, max_lat)):
        raise ParseError(
            f"{name}: the box lies outside the service area, but would lie inside with longitude "
            "and latitude swapped: give min_lon,min_lat,max_lon,max_lat (longitude first)"
        )
    return (min_lon, min_lat, max_lon, max_lat)


def swapped_only(area: ServiceArea, box: BBox) -> bool:
    """True when `box` misses the area entirely and its lon/lat swap meets it."""
    min_lon, min_lat, max_lon, max_lat = box
    if area.polygon.intersects(shapely.box(min_lon, min_lat, max_lon, max_lat)):
        return False
    return bool(area.polygon.intersects(shapely.box(min_lat, min_lon, max_lat, max_lon)))
