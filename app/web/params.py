"""One parser per query or path concept: bbox, dates and date-times, code lists, UUID ids.

Every endpoint parses these through here, so a bare date means the same thing
everywhere: midnight in Europe/Stockholm (and, for an end bound, the end of
that day). Problems are domain errors naming the parameter.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.errors import NotFound, Unprocessable

LOCAL_TZ = ZoneInfo("Europe/Stockholm")

# The earliest and latest instants a filter may name: PostgreSQL and Python
# both represent them, so no date arithmetic can overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)

BBox = tuple[float, float, float, float]


def codes(
    name: str, values: Iterable[str] | str | None, allowed: tuple[str, ...]
) -> tuple[str, ...]:
    """Codes from repeated and/or comma-separated parameters, each checked, sorted, unique."""
    if not values:
        return ()
    if isinstance(values, str):
        values = [values]
    out: set[str] = set()
    for value in values:
        for code in value.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in allowed:
                raise Unprocessable(f"{name}: '{code}' is not one of {', '.join(allowed)}")
            out.add(code)
    return tuple(sorted(out))


def instant(name: str, value: str | None, *, end: bool = False) -> datetime | None:
    """An ISO date or date-time in UTC.

    A date alone is midnight in Swedish time; as an end bound (`end=True`) it
    includes that whole day. A date-time without a zone is Swedish time.
    """
    if value is None or value == "":
        return None
    hint = f"{name}: '{value}' is not a date (2026-05-01) or date-time (2026-05-01T20:00:00+02:00)"
    if " " in value and "T" in value:
        # A '+' in a query string that was not URL-encoded arrives as a space.
        hint += "; write the zone's '+' as %2B in a URL"
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end:
                day += timedelta(days=1)
            moment = datetime.combine(day, time(), LOCAL_TZ)
        else:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL_TZ)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise Unprocessable(hint) from exc
    if not EARLIEST <= moment <= LATEST:
        raise Unprocessable(f"{name}: '{value}' must lie between the years 1900 and 9000")
    return moment


def period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`since` and `until` parsed together; `since` must come first."""
    start = instant("since", since)
    stop = instant("until", until, end=True)
    if start and stop and start >= stop:
        raise Unprocessable("since must be before until")
    return start, stop


def bbox(value: str | None, name: str = "bbox") -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` in WGS 84."""
    if value is None or value == "":
        return None
    parts = value.split(",")
    message = (
        f"{name}: give four numbers min_lon,min_lat,max_lon,max_lat in WGS 84, "
        "e.g. 12.30,58.37,12.34,58.39"
    )
    if len(parts) != 4:
        raise Unprocessable(message)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise Unprocessable(message) from exc
    if not all(math.isfinite(n) for n in numbers):
        raise Unprocessable(message)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise Unprocessable(f"{name}: longitudes must lie between -180 and 180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise Unprocessable(f"{name}: latitudes must lie between -90 and 90 (lon,lat order)")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise Unprocessable(f"{name}: the minimum must be below the maximum (min_lon,min_lat,...)")
    return (min_lon, min_lat, max_lon, max_lat)


def path_uuid(raw: str, not_found: str) -> uuid.UUID:
    """A path id; anything that is not a UUID is simply not found."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(not_found) from exc


# The OGC API parsers below use only names that every version of this module
# imports (datetime, Unprocessable, instant), so they move with it unchanged.


def corners(value: str | None, name: str = "bbox") -> BBox | None:
    """Four finite numbers, lower corner then upper corner, in any CRS's units and order."""
    if value is None or value == "":
        return None
    message = f"{name}: give four numbers: the lower corner, then the upper corner"
    parts = value.split(",")
    if len(parts) != 4:
        raise Unprocessable(message)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise Unprocessable(message) from exc
    finite = all(abs(n) < float("inf") for n in numbers)  # NaN compares False too
    if not finite or not (numbers[0] < numbers[2] and numbers[1] < numbers[3]):
        raise Unprocessable(message)
    return (numbers[0], numbers[1], numbers[2], numbers[3])


def interval(value: str | None, name: str = "datetime") -> tuple[datetime | None, datetime | None]:
    """An OGC API `datetime`: one instant, `a/b`, `../b`, `a/..` (or empty ends); end exclusive.

    A bare date as the whole value or as the end means through that day, as
    everywhere else in the service; an end date-time is included.
    """
    if value is None or value == "":
        return None, None
    if "/" not in value:
        start = instant(name, value)
        if len(value) == 10:
            return start, instant(name, value, end=True)
        assert start is not None
        return start, start + datetime.resolution
    first, _, last = value.partition("/")
    start = None if first in ("", "..") else instant(name, first)
    stop = None if last in ("", "..") else instant(name, last, end=True)
    if stop is not None and len(last) != 10:
        stop += datetime.resolution
    if start and stop and start >= stop:
        raise Unprocessable(f"{name}: the start must come before the end")
    return start, stop
