"""Each report's OGC GeoJSON pieces, kept by triggers on `reports` (migration 0018).

`properties` is the Feature's properties object and `geometry` its CRS84
geometry, both as JSON text; an items page of staff reports joins them
instead of building JSON for every row of every page.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Table, Text, Uuid

from app.db.tables.reports import metadata

report_features = Table(
    "report_features",
    metadata,
    Column(
        "id",
        Uuid,
        ForeignKey("reports.id", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True,
    ),
    Column("properties", Text, nullable=False),
    Column("geometry", Text, nullable=False),
)
