"""Report counts per Web Mercator grid cell, kept by triggers on `reports`.

Cells are the tiles of zoom `level` (20, 17 and 14): the staff report tiles
below zoom 15 are sums of these, so a tile costs a few thousand index rows
however many reports there are. Migration 0011 holds the triggers.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, SmallInteger, Table

from app.db.tables.reports import metadata

report_grid = Table(
    "report_grid",
    metadata,
    Column("level", SmallInteger, primary_key=True),
    Column("gx", Integer, primary_key=True),
    Column("gy", Integer, primary_key=True),
    # Every report, hidden ones too (staff see them), and the published ones.
    Column("reports", Integer, nullable=False),
    Column("published", Integer, nullable=False),
)
