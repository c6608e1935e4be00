"""Named places for the resident page's place search (the loader lives in geo)."""

from __future__ import annotations

from geo.gazetteer import GazetteerError, load_places

__all__ = ["GazetteerError", "load_places"]
