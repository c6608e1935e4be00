"""Significance against the local background (issue 15), through the real pipeline in PostGIS.

A 4 km x 4 km service area (the default) whose central 1.5 km x 1.5 km has a
background 8 times denser than the rest: the busy centre raises the area-wide
Monte Carlo threshold above what a quiet corner's chance clusters reach.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from app.config import Settings
from app.db.pool import Database
from app.services import hotspots as store
from tests.conftest import Sql
from tests.services.test_hotspots import add_reports, centre_offset, people, place

QUIET_PER_KM2 = 30
BUSY_TIMES = 8
CORNER = (-1500.0, -1500.0)


def town(sql: Sql, seed: int) -> None:
    """Background reports, each by its own person: quiet everywhere, 8 times denser in the
    centre; none within 100 m of the quiet corner's place, so it has exactly its six."""
    rng = np.random.default_rng(seed)
    quiet = rng.uniform(-2000, 2000, (16 * QUIET_PER_KM2, 2))
    busy = rng.uniform(-750, 750, (int(2.25 * QUIET_PER_KM2 * (BUSY_TIMES - 1)), 2))
    xy = np.vstack([quiet, busy])
    xy = xy[np.hypot(xy[:, 0] - CORNER[0], xy[:, 1] - CORNER[1]) > 100]
    add_reports(sql, [(float(x), float(y)) for x, y in xy], people(f"bg{seed}", len(xy)))


def first_seen_apart(sql: Sql, reporters: list[str]) -> None:
    """Each person first seen from an address group of their own, weeks apart."""
    now = datetime.now(UTC)
    sql.all(
        "INSERT INTO reporter_first_seen (reporter_hash, address_hash, first_seen_at) "
        "SELECT u.h, u.a, u.t FROM unnest(%(h)s::bytea[], %(a)s::bytea[], "
        "%(t)s::timestamptz[]) AS u(h, a, t)",
        {
            "h": [hashlib.sha256(r.encode()).digest() for r in reporters],
            "a": [hashlib.sha256(f"net-{r}".encode()).digest() for r in reporters],
            "t": [now - timedelta(days=20 * i + 1) for i in range(len(reporters))],
        },
    )


def recompute(settings: Settings) -> tuple[store.RunResult, list[dict[str, Any]], list[Any]]:
    """Recompute as the service does; the run, the staff view and the public view."""

    async def go() -> tuple[store.RunResult, list[dict[str, Any]], list[Any]]:
        db = Database(settings, min_size=0)
        await db.open()
        try:
            result = await store.compute(db, store.context_of(settings), force=True)
            assert result is not None
            staff = await store.list_hotspots(db)
            public = await store.list_hotspots(db, public=True)
            return result, staff, public
        finally:
            await db.close()

    return asyncio.run(go())


def test_a_uniform_busy_centre_without_a_true_place_gives_no_hotspot(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    town(sql, 1)
    result, staff, public = recompute(settings)
    assert result.k >= 6  # the busy centre raises the area-wide threshold
    assert public == []
    # Chance clusters the local test holds back stay visible to staff only.
    assert all(h["significance"]["held"] for h in staff)


def test_a_true_place_in_a_quiet_corner_with_six_people_is_found_and_published(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    town(sql, 1)
    rng = np.random.default_rng(7)
    six = people("corner", 6)
    add_reports(sql, place(*CORNER, 6, rng), six)
    first_seen_apart(sql, six)
    result, staff, public = recompute(settings)
    # Smaller than the area-wide threshold, yet found: its own background is quiet.
    assert result.k > 6
    (corner,) = [h for h in public if np.hypot(*np.subtract(centre_offset(h), CORNER)) < 50]
    assert corner["reporters"] == 6
    (seen,) = [h for h in staff if h["id"] == corner["id"]]
    verdict = seen["significance"]
    assert not verdict["held"] and verdict["expected"] < 1
    assert verdict["background_per_km2"] < 2 * QUIET_PER_KM2
    # Nothing else in the town is public: the busy centre's chance clusters are held.
    assert [h["id"] for h in public] == [corner["id"]]
