"""What a hotspot computation needs besides the database, from Settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shapely.geometry.base import BaseGeometry

from app.config import Settings
from geo.area import load_area
from geo.crs import to_sweref
from geo.hotspots import Params
from geo.independence import Rules

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None


def params_of(settings: Settings) -> Params:
    return Params(
        eps=settings.hotspot_eps,
        minpoints=settings.hotspot_minpoints,
        dedup_distance=settings.hotspot_dedup_distance,
        min_reporters=settings.hotspot_min_reporters,
        mc_runs=settings.hotspot_mc_runs,
        mc_seed=settings.hotspot_mc_seed,
        max_extent=settings.hotspot_max_extent,
        local_significance=settings.hotspot_local_significance,
    )


@lru_cache(maxsize=8)
def _area_3006(path: str | None) -> BaseGeometry:
    return to_sweref(load_area(Path(path) if path else None).polygon)


@dataclass
class Context:
    """Everything a computation needs besides the database."""

    params: Params
    area_3006: BaseGeometry
    public_min_reporters: int = 5
    coordinated_window_minutes: int = 60
    independence: Rules = field(default_factory=Rules)
    keep_filtered_runs: int = 50

    @property
    def params_hash(self) -> str:
        # The gate's rules and the public shape are part of a run: changing
        # them (or upgrading to them) makes stored runs stale.
        gate = f"{self.independence!r} shape-v1"
        return self.params.digest(self.area_3006.wkt + gate)


def context_of(settings: Settings) -> Context:
    area = _area_3006(str(settings.service_area) if settings.service_area else None)
    return Context(
        params_of(settings),
        area,
        settings.public_min_reporters,
        settings.coordinated_window_minutes,
        rules_of(settings),
        settings.hotspot_keep_filtered_runs,
    )


def rules_of(settings: Settings) -> Rules:
    """The independence gate's thresholds (geo.independence) from Settings."""
    return Rules(
        min_units=settings.public_min_reporters,
        min_sources=settings.public_min_sources,
        burst_window=settings.public_burst_hours * 3600.0,
        repeat_reports=settings.public_repeat_reports,
    )
