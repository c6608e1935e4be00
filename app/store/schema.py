"""The complete schema: importing this registers every table on `metadata`."""

from __future__ import annotations

from app.store import tables_hotspots, tables_planning, tables_staff  # noqa: F401
from app.store.tables import metadata

__all__ = ["metadata"]
