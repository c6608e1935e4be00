"""Flat attribute columns shared by the GeoPackage and CSV exports.

GIS tables want one value per column, so the breakdowns become one column
per code (`reason_lighting`, `time_night`, `days_weekend`) and the 24-hour
profile a JSON text column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson

from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES

SCALARS: tuple[tuple[str, str], ...] = (
    ("id", "str"),
    ("name", "str"),
    ("rank", "int"),
    ("score", "float"),
    ("reporters", "int"),
    ("reports", "int"),
    ("severity_mean", "float"),
    ("safe_share", "float"),
    ("first_seen", "str"),
    ("last_seen", "str"),
    ("first_report", "str"),
    ("last_report", "str"),
    ("centre_lon", "float"),
    ("centre_lat", "float"),
)
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("reason", "reasons", REASON_CODES),
    ("time", "times", TIME_CODES),
    ("days", "days", DAY_CODES),
)


def columns() -> list[tuple[str, str]]:
    """(name, kind) of every attribute column, in export order."""
    out = list(SCALARS)
    for prefix, _, codes in GROUPS:
        out.extend((f"{prefix}_{code}", "int") for code in codes)
    out.append(("hours", "str"))
    return out


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def flat(row: dict[str, Any]) -> dict[str, Any]:
    """One export row's attributes, from a row of `app.repo.hotspots.export_rows`."""
    out = {name: _text(row.get(name)) for name, _ in SCALARS}
    for prefix, source, codes in GROUPS:
        counts = row.get(source) or {}
        for code in codes:
            out[f"{prefix}_{code}"] = int(counts.get(code, 0))
    out["hours"] = orjson.dumps(row.get("hours") or []).decode()
    return out


def flat_rows(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [flat(r) for r in rows]
