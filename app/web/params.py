"""One parser per query or path concept: bbox, dates and date-times, code lists, UUID ids.

Every endpoint parses these through here, so a bare date means the same thing
everywhere: midnight in Europe/Stockholm (and, for an end bound, the end of
that day). The rules themselves live in `app.domain.parsing`; this module
turns their errors into 422 answers naming the parameter.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from app.domain import parsing, periods
from app.domain.parsing import BBox
from app.errors import NotFound, Unprocessable
from geo.area import ServiceArea

__all__ = ["BBox", "bbox", "choice", "codes", "instant", "path_uuid", "period", "public_period"]


def codes(
    name: str, values: Iterable[str] | str | None, allowed: tuple[str, ...]
) -> tuple[str, ...]:
    """Codes from repeated and/or comma-separated parameters, each checked, sorted, unique."""
    try:
        return parsing.codes(name, values, allowed)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    """One code out of `allowed`, or None when the parameter is absent or empty."""
    try:
        return parsing.choice(name, value, allowed)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def instant(name: str, value: str | None, *, end: bool = False) -> datetime | None:
    """An ISO date (midnight in Swedish time; as an end bound, its end) or date-time, in UTC."""
    try:
        return parsing.instant(name, value, end=end)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def period(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`since` and `until` parsed together; `since` must come first."""
    try:
        return parsing.period(since, until)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def public_period(code: str) -> tuple[datetime, datetime]:
    """A fixed public period (`app.domain.periods`): last12, a year or a season."""
    try:
        return periods.bounds(code)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def bbox(value: str | None, name: str = "bbox", area: ServiceArea | None = None) -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` in WGS 84; with `area`, swapped lon/lat get a hint."""
    try:
        return parsing.bbox(value, name, area)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


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
