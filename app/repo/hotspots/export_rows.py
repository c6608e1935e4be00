"""A stored run's hotspots as flat rows, for the GeoPackage and CSV exports."""

from __future__ import annotations

from sqlalchemy import text

from app.db.pool import Database, Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.read_sql import IN_BBOX

EXPORT_ROWS = text(
    """
SELECT h.hotspot_id::text AS id, h.rank, h.score, h.reporters, h.reports,
       h.severity_mean, h.safe_share, i.first_seen, r.finished_at AS last_seen,
       h.first_report, h.last_report,
       round(ST_X(h.centre)::numeric, 7)::float8 AS centre_lon,
       round(ST_Y(h.centre)::numeric, 7)::float8 AS centre_lat,
       h.reasons, h.times, h.days, h.hours,
       ST_AsBinary(h.outline_3006) AS wkb_3006, ST_AsText(h.outline, 7) AS wkt
FROM hotspots h
JOIN hotspot_runs r ON r.id = h.run_id
JOIN hotspot_identities i ON i.id = h.hotspot_id
WHERE h.run_id = :run
  AND """
    + IN_BBOX
    + """
ORDER BY h.rank
"""
)


async def export_rows(db: Database, run_id: int, filters: ReportFilter) -> list[Row]:
    """Every hotspot of run `run_id` touching the filters' bbox, in rank order."""
    values = {"run": run_id, "bbox": list(filters.bbox) if filters.bbox else None}
    return await db.fetch_all(EXPORT_ROWS, values=values)
