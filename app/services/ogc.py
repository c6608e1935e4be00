"""Use cases behind OGC API – Features: pages of hotspots, reports and sites.

`hotspots` is the public view, read through the same path and thresholds as
anonymous GET /api/v1/hotspots; `reports` reads are audited like the staff
reports API.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import orjson

from app.config import Settings
from app.db.pool import Database, Row
from app.domain.filters import ReportFilter
from app.repo import ogc as store
from app.repo.ogc import SWEREF99TM, WGS84, PageLinks, Query, TokenCheck
from app.security import audit
from app.security.access import PendingToken, Principal
from app.services import hotspots as hotspot_store
from app.services.hotspots.reading import named_collection, named_feature
from app.services.hotspots.serving import Served, serve

__all__ = ["SWEREF99TM", "WGS84", "Page", "PageLinks", "Query"]


# Whoever holds a bearer token, before the statement has looked it up.
TOKEN_HOLDER = Principal(via="token")


@dataclass(frozen=True)
class Page:
    """A page of Features as a JSON array text, built by PostGIS."""

    features: str
    returned: int
    more: bool
    matched: int | None = None
    stale: bool = False


async def _crs84_box(db: Database, q: Query) -> tuple[float, float, float, float] | None:
    if q.bbox is None or q.bbox_srid == WGS84:
        return q.bbox
    return await store.box_3006_to_crs84(db, *q.bbox)


async def public_hotspots(
    db: Database, settings: Settings, filters: ReportFilter, read: Database | None = None
) -> tuple[list[object], bool]:
    """Exactly the features anonymous GET /api/v1/hotspots shows for `filters`.

    `read` is the hot standby, used whenever its newest run is fresh.
    """
    served = await _served(db, settings, filters, read)
    body = await named_collection(db, settings, served, filters, public=True)
    features: list[object] = orjson.loads(body)["features"]
    return features, served.stale


async def _served(
    db: Database, settings: Settings, filters: ReportFilter, read: Database | None
) -> Served:
    """The run GET /api/v1/hotspots would answer from, at once (never waiting on a recompute)."""
    ctx = hotspot_store.context_of(settings)
    return await serve(db, ctx, filters, wait=settings.hotspot_wait_seconds, read=read)


async def _in_crs(db: Database, features: list[object], srid: int) -> str:
    text = orjson.dumps(features).decode()
    return await store.features_in_3006(db, text) if srid == SWEREF99TM else text


async def hotspot_page(
    db: Database, settings: Settings, q: Query, read: Database | None = None
) -> Page:
    filters = ReportFilter(since=q.since, until=q.until, bbox=await _crs84_box(read or db, q))
    features, stale = await public_hotspots(db, settings, filters, read)
    db = read or db  # the rest is plain SQL on values, fine on the standby
    shown = features[q.offset : q.offset + q.limit]
    return Page(
        await _in_crs(db, shown, q.srid),
        len(shown),
        q.offset + q.limit < len(features),
        matched=len(features),
        stale=stale,
    )


async def hotspot_item(
    db: Database, settings: Settings, hotspot_id: uuid.UUID, srid: int, read: Database | None = None
) -> str | None:
    served = await _served(db, settings, ReportFilter(), read)
    feature = await named_feature(db, settings, served, hotspot_id, public=True)
    if feature is None:
        return None
    return (await _in_crs(served.source, [feature], srid))[1:-1]


def _audit_details(q: Query) -> dict[str, object]:
    details: dict[str, object] = {"via": "ogc", "limit": q.limit, "offset": q.offset}
    if q.key is not None:
        details["before" if q.backward else "after"] = [q.key[0].isoformat(), str(q.key[1])]
    if q.bbox is not None:
        details["bbox"] = list(q.bbox)
        details["bbox_srid"] = q.bbox_srid
    for name, moment in (("since", q.since), ("until", q.until)):
        if isinstance(moment, datetime):
            details[name] = moment.isoformat()
    return details


async def report_collection(
    db: Database, who: Principal | PendingToken, q: Query, links: PageLinks
) -> tuple[bytes, Row | None]:
    """A page of raw reports as FeatureCollection bytes; no count (a scan on every page).

    For a `PendingToken` the same statement looks the token up and returns its
    user (None: not valid); the page and its audit entry exist only when the
    user's roles allow the read, and the caller admits or refuses from that.
    """
    # The audit entry is written by the page's own statement: one round trip.
    # For a token, the user's id and email come from the token, in the statement.
    principal, check = (
        (who, None)
        if isinstance(who, Principal)
        else (TOKEN_HOLDER, TokenCheck(who.token_hash, who.allowed_roles))
    )
    entry = audit.entry(principal, "reports:read", details=_audit_details(q))
    return await store.report_collection(db, q, entry, links, check)


async def report_item(
    db: Database, principal: Principal, report_id: uuid.UUID, srid: int
) -> str | None:
    feature = await store.report_feature(db, report_id, srid)
    await audit.record(
        db,
        principal,
        "reports:read",
        target=str(report_id),
        details={"via": "ogc"},
        rows=0 if feature is None else 1,
    )
    return feature


async def site_page(db: Database, q: Query) -> Page:
    features, matched = await store.site_features(db, q)
    return Page(
        "[" + ",".join(features) + "]",
        len(features),
        q.offset + len(features) < matched,
        matched=matched,
    )


async def site_item(db: Database, site_id: uuid.UUID, srid: int) -> str | None:
    return await store.site_feature(db, site_id, srid)


async def time_span(db: Database, table: str) -> tuple[datetime | None, datetime | None]:
    row = await store.time_span(db, table)
    return (None, None) if row is None else (row["first"], row["last"])
