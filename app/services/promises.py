"""Promises (medborgarlöften) with progress computed from the data, never typed in.

Progress: patrols carried out at the linked hotspots that are public now,
linked sites by status, and unsafe reports at the linked places this year
against the same part of last year, suppressed below the public threshold.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson

from app.db.pool import Database, Row
from app.domain.parsing import LOCAL_TZ, midnight
from app.errors import Unprocessable
from app.repo import promises as store
from app.repo import sites as site_store
from app.services import hotspots
from geo.evaluation import compare_rates
from geo.redesign import STATUS_CODES


async def check_sites(db: Database, site_ids: list[uuid.UUID]) -> None:
    found = {r["id"] for r in await site_store.sites_by_ids(db, site_ids)}
    missing = [str(s) for s in site_ids if s not in found]
    if missing:
        raise Unprocessable(f"no site {', '.join(missing)}")


async def progress(db: Database, row: Row, today: dt.date) -> dict[str, Any]:
    """What has been done for one promise, from patrols, sites and reports."""
    year = int(row["year"])
    start = dt.date(year, 1, 1)
    end = min(today, dt.date(year, 12, 31))
    outlines: list[str] = []
    public_ids: list[str] = []
    for hotspot_id in row["hotspot_ids"]:
        # Only hotspots that are public now are shown or measured on the public page.
        hotspot = await hotspots.get_hotspot(db, hotspot_id, public=True)
        if hotspot is not None:
            public_ids.append(str(hotspot["id"]))
            outlines.append(orjson.dumps(hotspot["geometry"]).decode())
    site_ids = list(row["site_ids"])
    by_status = await site_store.status_counts(db, site_ids)
    result: dict[str, Any] = {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "hotspots": {"linked": len(row["hotspot_ids"]), "public": public_ids},
        "patrols": {
            # Patrols at places the public cannot see would give those places away.
            "carried_out": await store.patrols_at(db, public_ids, start, end)
        },
        "sites": {
            "linked": len(site_ids),
            "by_status": {code: by_status.get(code, 0) for code in STATUS_CODES},
        },
        "reports": None,
    }
    if end >= start and (outlines or site_ids):
        days = (end - start).days + 1
        last_start = dt.date(year - 1, 1, 1)
        last_end = last_start + dt.timedelta(days=days)
        counts = await store.reports_at(
            db,
            outlines,
            site_ids,
            (midnight(last_start), midnight(last_end)),
            (midnight(start), midnight(end + dt.timedelta(days=1))),
        )
        compared = compare_rates(counts["before"], counts["during"], days, days)
        # Counts of fewer than public_min_reporters people are suppressed (None).
        shown = hotspots.shown_counts(db.settings, counts)
        suppressed = None in shown.values()
        result["reports"] = {
            "days": days,
            "last_year": shown["before"],
            "this_year": shown["during"],
            "rate_ratio": None if suppressed else compared.rate_ratio,
            "p_value": None if suppressed else compared.p_value,
        }
    return result


async def promise_json(db: Database, row: Row, today: dt.date) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "year": row["year"],
        "position": row["position"],
        "area": {"sv": row["area_sv"], "en": row["area_en"]},
        "text": {"sv": row["text_sv"], "en": row["text_en"]},
        "source": row["source"],
        "progress": await progress(db, row, today),
    }


async def promises_for_year(db: Database, year: int | None) -> dict[str, Any]:
    years = await store.years(db)
    chosen = year if year is not None else (years[0] if years else None)
    rows = await store.list_promises(db, chosen) if chosen is not None else []
    today = dt.datetime.now(LOCAL_TZ).date()
    return {
        "years": years,
        "year": chosen,
        "promises": [await promise_json(db, r, today) for r in rows],
    }
