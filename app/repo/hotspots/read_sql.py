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
    'significance', h.significance)"""

PUBLIC_PROPERTIES = f"""json_build_object(
    'rank', row_number() OVER (ORDER BY h.rank), 'score', h.score, 'centre', json_build_array(
        round(ST_X(h.centre)::numeric, 7), round(ST_Y(h.centre)::numeric, 7)),
    'reporters', h.reporters, 'reasons', {_public_counts("reasons")},
    'times', {_public_counts("times")}, 'days', {_public_counts("days")},
    'first_seen', i.first_seen, 'last_seen', r.finished_at)"""

# Hotspots touching `bbox` (four numbers, or NULL for all).
IN_BBOX = """(CAST(:bbox AS float8[]) IS NULL OR h.outline && ST_MakeEnvelope(
      (CAST(:bbox AS float8[]))[1], (CAST(:bbox AS float8[]))[2],
      (CAST(:bbox AS float8[]))[3], (CAST(:bbox AS float8[]))[4], 4326))"""

_FEATURES = (
    """
SELECT h.rank, h.hotspot_id AS hid, json_build_object(
    'type', 'Feature', 'id', h.hotspot_id,
    'geometry', ST_AsGeoJSON(h.outline, 7, 0)::json,
    'properties', {props}) AS feature
FROM hotspots h
JOIN hotspot_runs r ON r.id = h.run_id
JOIN hotspot_identities i ON i.id = h.hotspot_id
WHERE h.run_id = :run AND h.reporters >= :min_reporters
  AND (:staff OR NOT h.significance_held)
  AND """
    + IN_BBOX
    + "\n"
)

COLLECTION = """
SELECT json_build_object('type', 'FeatureCollection',
    'features', COALESCE(json_agg(f.feature ORDER BY f.rank), '[]'::json))::text AS body,
    count(*)::int AS n
FROM ({features}) f
"""

STAFF_COLLECTION = text(COLLECTION.format(features=_FEATURES.format(props=STAFF_PROPERTIES)))
PUBLIC_COLLECTION = text(COLLECTION.format(features=_FEATURES.format(props=PUBLIC_PROPERTIES)))
# One feature; the rank is computed among all shown hotspots first.
ONE = "SELECT f.feature FROM ({features}) f WHERE f.hid = CAST(:hotspot AS uuid)"
STAFF_FEATURES = text(ONE.format(features=_FEATURES.format(props=STAFF_PROPERTIES)))
PUBLIC_FEATURES = text(ONE.format(features=_FEATURES.format(props=PUBLIC_PROPERTIES)))


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
        "min_reporters": public_min if public else 0,
        "staff": not public,
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
