"""Reading a stored run for the API: the FeatureCollection and one Feature, built in PostGIS."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import text

from app.db.pool import Database
from app.domain.filters import ReportFilter


def _public_counts(column: str) -> str:
    return (
        f"(SELECT COALESCE(jsonb_object_agg(key, value), '{{}}'::jsonb) "
        f"FROM jsonb_each(h.{column}) WHERE value::int >= :public_min)"
    )


STAFF_PROPERTIES = """json_build_object(
    'rank', h.rank, 'score', h.score, 'centre', json_build_array(
        round(ST_X(h.centre)::numeric, 7), round(ST_Y(h.centre)::numeric, 7)),
    'reporters', h.reporters, 'reports', h.reports, 'reasons', h.reasons,
    'times', h.times, 'days', h.days, 'hours', h.hours,
    'severity_mean', h.severity_mean, 'safe_share', h.safe_share,
    'first_seen', i.first_seen, 'last_seen', r.finished_at,
    'first_report', h.first_report, 'last_report', h.last_report,
    'level', h.level, 'run', h.run_id, 'possibly_coordinated', h.possibly_coordinated,
    'public', {visible}, 'held_reasons', h.held_reasons,
    'independent_units', h.independent_units, 'support', h.support,
    'review', rv.decision, 'public_outline', ST_AsGeoJSON(h.public_outline, 5, 0)::json,
    'significance', h.significance)"""

PUBLIC_PROPERTIES = f"""json_build_object(
    'rank', row_number() OVER (ORDER BY h.rank), 'score', h.score, 'centre', json_build_array(
        round(ST_X(h.public_centre)::numeric, 5), round(ST_Y(h.public_centre)::numeric, 5)),
    'reporters', h.reporters, 'reasons', {_public_counts("reasons")},
    'times', {_public_counts("times")}, 'days', {_public_counts("days")},
    'first_seen', i.first_seen, 'last_seen', r.finished_at)"""

# Whether a hotspot may be shown to the public (issue 10): enough people, a
# generalised shape, and either published by a moderator, or not held by the
# independence gate and not rejected (a rejection stands until the place has
# more independent units than when it was rejected). Every public path
# (API, /karta, promises, OGC) reads hotspots through this.
# Both gates: significance against the local background (issue 15) holds a place
# outright; independence of support (issue 10) holds it until a moderator publishes it.
PUBLIC_VISIBLE = """COALESCE(h.reporters >= :public_min AND h.public_outline IS NOT NULL
    AND NOT h.significance_held AND (
    rv.decision = 'published'
    OR (cardinality(h.held_reasons) = 0
        AND (rv.decision IS NULL OR h.independent_units > rv.independent_units))), false)"""
STAFF_PROPERTIES = STAFF_PROPERTIES.replace("{visible}", PUBLIC_VISIBLE)

# Hotspots touching `bbox` (four numbers, or NULL for all).
IN_BBOX = """(CAST(:bbox AS float8[]) IS NULL OR h.outline && ST_MakeEnvelope(
      (CAST(:bbox AS float8[]))[1], (CAST(:bbox AS float8[]))[2],
      (CAST(:bbox AS float8[]))[3], (CAST(:bbox AS float8[]))[4], 4326))"""

_FEATURES = (
    """
SELECT h.rank, h.hotspot_id AS hid, json_build_object(
    'type', 'Feature', 'id', h.hotspot_id,
    'geometry', {geometry},
    'properties', {props}) AS feature
FROM hotspots h
JOIN hotspot_runs r ON r.id = h.run_id
JOIN hotspot_identities i ON i.id = h.hotspot_id
LEFT JOIN hotspot_reviews rv ON rv.hotspot_id = h.hotspot_id
WHERE h.run_id = :run AND {where}
  AND """
    + IN_BBOX
    + "\n"
)
STAFF_GEOMETRY = "ST_AsGeoJSON(h.outline, 7, 0)::json"
# Public coordinates: five decimals, about a metre.
PUBLIC_GEOMETRY = "ST_AsGeoJSON(h.public_outline, 5, 0)::json"
_STAFF = {"geometry": STAFF_GEOMETRY, "props": STAFF_PROPERTIES, "where": "TRUE"}
_PUBLIC = {"geometry": PUBLIC_GEOMETRY, "props": PUBLIC_PROPERTIES, "where": PUBLIC_VISIBLE}

COLLECTION = """
SELECT json_build_object('type', 'FeatureCollection',
    'features', COALESCE(json_agg(f.feature ORDER BY f.rank), '[]'::json))::text AS body,
    count(*)::int AS n
FROM ({features}) f
"""

STAFF_COLLECTION = text(COLLECTION.format(features=_FEATURES.format(**_STAFF)))
PUBLIC_COLLECTION = text(COLLECTION.format(features=_FEATURES.format(**_PUBLIC)))
# One feature; the rank is computed among all shown hotspots first.
ONE = "SELECT f.feature FROM ({features}) f WHERE f.hid = CAST(:hotspot AS uuid)"
STAFF_FEATURES = text(ONE.format(features=_FEATURES.format(**_STAFF)))
PUBLIC_FEATURES = text(ONE.format(features=_FEATURES.format(**_PUBLIC)))


def _read_params(
    run_id: int,
    filters: ReportFilter,
    *,
    public: bool,
    public_min: int,
    hotspot_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "run": run_id,
        "public_min": public_min,
        "bbox": list(filters.bbox) if filters.bbox else None,
        "hotspot": hotspot_id,
    }


async def collection_json(
    db: Database,
    run_id: int,
    filters: ReportFilter,
    *,
    public: bool,
    public_min: int,
) -> str:
    """The FeatureCollection, built in PostGIS (ST_AsGeoJSON + json_agg)."""
    stmt = PUBLIC_COLLECTION if public else STAFF_COLLECTION
    values = _read_params(run_id, filters, public=public, public_min=public_min)
    rows = await db.fetch_all(stmt, values=values)
    return str(rows[0]["body"])


async def collection_with_count(
    db: Database, run_id: int, filters: ReportFilter
) -> tuple[str, int]:
    """The staff FeatureCollection and how many features it has (for exports)."""
    values = _read_params(run_id, filters, public=False, public_min=0)
    rows = await db.fetch_all(STAFF_COLLECTION, values=values)
    return str(rows[0]["body"]), int(rows[0]["n"])


async def feature_of(
    db: Database, run_id: int, hotspot_id: uuid.UUID, *, public: bool, public_min: int
) -> dict[str, Any] | None:
    """One Feature of run `run_id`, or None when it is not in it (or not public)."""
    stmt = PUBLIC_FEATURES if public else STAFF_FEATURES
    values = _read_params(
        run_id, ReportFilter(), public=public, public_min=public_min, hotspot_id=hotspot_id
    )
    row = await db.fetch_one(stmt, values=values)
    if row is None:
        return None
    feature = row["feature"]
    return feature if isinstance(feature, dict) else orjson.loads(feature)
