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

__all__ = ["BBox", "bbox", "codes", "instant", "path_uuid", "period", "public_period"]


def codes(
    name: str, values: Iterable[str] | str | None, allowed: tuple[str, ...]
) -> tuple[str, ...]:
    """Codes from repeated and/or comma-separated parameters, each checked, sorted, unique."""
    try:
        return parsing.codes(name, values, allowed)
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


def bbox(value: str | None, name: str = "bbox") -> BBox | None:
    """`min_lon,min_lat,max_lon,max_lat` in WGS 84."""
    try:
        return parsing.bbox(value, name)
    except parsing.ParseError as exc:
        raise Unprocessable(str(exc)) from exc


def path_uuid(raw: str, not_found: str) -> uuid.UUID:
    """A path id; anything that is not a UUID is simply not found."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise NotFound(not_found) from exc
