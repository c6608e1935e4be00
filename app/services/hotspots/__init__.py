"""Hotspot use cases: compute, keep fresh, read the current result, recompute in the background.

The SQL is in `app.repo.hotspots`, the method's rules in `geo.hotspots`.
"""

from app.repo.hotspots.read_sql import collection_json, feature_of
from app.services.hotspots.computation import RunResult, compute
from app.services.hotspots.context import Context, context_of, params_of
from app.services.hotspots.freshness import current_run, ensure_fresh
from app.services.hotspots.reading import get_hotspot, list_hotspots, shown_counts

__all__ = [
    "Context",
    "RunResult",
    "collection_json",
    "compute",
    "context_of",
    "current_run",
    "ensure_fresh",
    "feature_of",
    "get_hotspot",
    "list_hotspots",
    "params_of",
    "shown_counts",
]
