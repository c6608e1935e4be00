"""The complete schema: importing this registers every table on `metadata`."""

from __future__ import annotations

from app.db.tables import (  # noqa: F401
    backup_runs,
    erasure,
    hotspots,
    open311,
    planning,
    presence,
    report_features,
    staff,
    tile_grid,
)
from app.db.tables.reports import metadata

__all__ = ["metadata"]
