"""The complete schema: importing this registers every table on `metadata`."""

from __future__ import annotations

from app.db.tables import erasure, hotspots, open311, planning, staff, tile_grid  # noqa: F401
from app.db.tables.reports import metadata

__all__ = ["metadata"]
