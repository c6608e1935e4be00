"""One filter type for every question asked of the reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from app.domain import parsing
from geo.vocabulary import DAY_CODES, REASON_CODES, STATUSES, TIME_CODES

DEFAULT_KEY = ""


@dataclass(frozen=True)
class ReportFilter:
    """Which reports a request is about: hotspots, staff reports, map data and exports.

    For hotspots, `bbox` only selects which hotspots are shown (it does not
    change what is clustered) and `status` is ignored (hotspots use published
    reports only).
    """

    times: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    status: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> ReportFilter:
        """Filters from a plain mapping (other features' callers); unknown keys are ignored.

        The same rules as the query parameters (`app.domain.parsing`): codes
        are lists or comma-separated strings, `since`/`until` dates (a bare
        date is Swedish midnight), date-times or datetimes, bbox four numbers
        or "a,b,c,d". A value that breaks them raises `ParseError`.
        """
        if not data:
            return cls()
        since, until = parsing.period(data.get("since"), data.get("until"))
        return cls(
            times=parsing.codes("times", data.get("times"), TIME_CODES),
            days=parsing.codes("days", data.get("days"), DAY_CODES),
            reasons=parsing.codes("reasons", data.get("reasons"), REASON_CODES),
            since=since,
            until=until,
            bbox=parsing.bbox(data.get("bbox")),
            status=parsing.codes("status", data.get("status"), STATUSES),
        )

    def clustering(self) -> dict[str, Any]:
        """The filters that change which reports are clustered (bbox does not)."""
        out: dict[str, Any] = {}
        if self.times:
            out["times"] = sorted(self.times)
        if self.days:
            out["days"] = sorted(self.days)
        if self.reasons:
            out["reasons"] = sorted(self.reasons)
        if self.since:
            out["since"] = self.since.isoformat()
        if self.until:
            out["until"] = self.until.isoformat()
        return out

    def key(self) -> str:
        data = self.clustering()
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode() if data else DEFAULT_KEY

    def describe(self) -> dict[str, Any]:
        """Every filter, for audit records and export metadata."""
        out = self.clustering()
        if self.bbox:
            out["bbox"] = list(self.bbox)
        if self.status:
            out["status"] = sorted(self.status)
        return out

    def sql_params(self) -> dict[str, Any]:
        return {
            "times": list(self.times) or None,
            "days": list(self.days) or None,
            "reasons": list(self.reasons) or None,
            "since": self.since,
            "until": self.until,
        }
