"""The query parameters that make a ReportFilter, as one dependency for every router."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query, Request

from app.domain.filters import ReportFilter
from app.errors import Unprocessable
from app.web import params
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES


def hotspot_filters(
    request: Request,
    times: Annotated[
        list[str] | None,
        Query(description="Time of day: morning, day, evening, night (repeat or comma-separate)"),
    ] = None,
    days: Annotated[list[str] | None, Query(description="weekday, weekend")] = None,
    reasons: Annotated[list[str] | None, Query(description="Reason codes, e.g. lighting")] = None,
    since: Annotated[
        str | None, Query(description="Reports made on or after this date or date-time")
    ] = None,
    until: Annotated[
        str | None, Query(description="Reports made before this date-time (a date: to its end)")
    ] = None,
    bbox: Annotated[
        str | None, Query(description="min_lon,min_lat,max_lon,max_lat: hotspots touching it")
    ] = None,
    period: Annotated[
        str | None,
        Query(
            description="A fixed period instead of since/until: last12 (the last 12 months, "
            "by month), a year (2025) or a season (2025-winter, -spring, -summer, -autumn)"
        ),
    ] = None,
) -> ReportFilter:
    start: datetime | None
    stop: datetime | None
    if period is not None:
        if since is not None or until is not None:
            raise Unprocessable("period: give either period or since/until, not both")
        start, stop = params.public_period(period)
    else:
        start, stop = params.period(since, until)
    return ReportFilter(
        times=params.codes("times", times, TIME_CODES),
        days=params.codes("days", days, DAY_CODES),
        reasons=params.codes("reasons", reasons, REASON_CODES),
        since=start,
        until=stop,
        bbox=params.bbox(bbox, area=request.app.state.area),
    )


FiltersDep = Annotated[ReportFilter, Depends(hotspot_filters)]
