"""One filter type for every question asked of the reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

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

        Codes may be lists or comma-separated strings, times datetimes or ISO
        strings (UTC when without a zone), bbox four numbers or "a,b,c,d".
        """
        if not data:
            return cls()

        def codes(name: str) -> tuple[str, ...]:
            value = data.get(name) or ()
            if isinstance(value, str):
                value = value.split(",")
            return tuple(sorted({str(v).strip() for v in value if str(v).strip()}))

        def moment(name: str) -> datetime | None:
            value = data.get(name)
            if value is None or value == "":
                return None
            moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

        bbox = data.get("bbox")
        if isinstance(bbox, str):
            bbox = bbox.split(",")
        box = tuple(float(v) for v in bbox) if bbox else None
        return cls(
            times=codes("times"),
            days=codes("days"),
            reasons=codes("reasons"),
            since=moment("since"),
            until=moment("until"),
            bbox=box if box and len(box) == 4 else None,
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
        return out

    def sql_params(self) -> dict[str, Any]:
        return {
            "times": list(self.times) or None,
            "days": list(self.days) or None,
            "reasons": list(self.reasons) or None,
            "since": self.since,
            "until": self.until,
        }
