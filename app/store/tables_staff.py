"""Tables for staff; registered on the shared metadata in app.store.tables."""

from __future__ import annotations

from app.store.tables import metadata

__all__ = ["metadata"]
