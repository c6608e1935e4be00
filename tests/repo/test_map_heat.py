"""The staff heat layer from the kept grids equals the count from the reports, cell by cell.

A planner who ticks a reason, a time or a day sees the heat summed from
`heat_code_grid` (migration 0020) instead of a count over every report; these
tests hold it to the per-report count for several filters and zoom levels,
after inserts, moderation, edits and deletes, and check which filters still
go to the reports.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo import map_heat
from tests.conftest import Sql
from tests.services.conftest import on_db

BBOX = (12.29, 58.36, 12.36, 58.40)
FILTERS = [
    {},
    {"reasons": ("lighting",)},
    {"reasons": ("lighting", "drugs")},
    {"reasons": ("groups", "deserted", "sightlines")},
    {"times": ("night",)},
    {"times": ("morning", "evening")},
    {"days": ("weekend",)},
    {"days": ("weekday", "weekend")},
]

# 900 reports by 60 people on a 12 x 8 lattice 40 m apart (people repeat
# places), each with one or two reasons and times, some without days, some
# `safe` places, so a person-place often has several codes.
SEED = """
INSERT INTO reports (id, channel, kind, reasons, times, days, reporter_hash, geom)
SELECT gen_random_uuid(), 'import',
       CASE WHEN i % 23 = 0 THEN 'safe' ELSE 'unsafe' END,
       (ARRAY[(ARRAY['lighting','sightlines','deserted','groups','drugs'])[1 + i % 5]]
        || CASE WHEN i % 3 = 0 THEN ARRAY['lighting'] ELSE ARRAY[]::text[] END),
       (ARRAY[(ARRAY['morning','day','evening','night'])[1 + i % 4]]
        || CASE WHEN i % 4 = 1 THEN ARRAY['night'] ELSE ARRAY[]::text[] END),
       CASE WHEN i % 5 = 0 THEN ARRAY[]::text[]
            ELSE ARRAY[(ARRAY['weekday','weekend'])[1 + i % 2]] END,
       sha256(convert_to('person ' || (i % 60)::text, 'UTF8')),
       ST_SetSRID(ST_MakePoint(12.3100 + (i * 7 % 12) * 0.0007,
                               58.3750 + (i * 5 % 8) * 0.00036), 4326)
FROM generate_series(1, 900) AS i
"""


def _points(body: str) -> list[tuple[float, float, int]]:
    import orjson

    data = orjson.loads(body)
    points = [(float(p[0]), float(p[1]), int(p[2])) for p in data["points"]]
    assert data["max"] == max((p[2] for p in points), default=0)
    return sorted(points)


def _same_cells(kept: str, counted: str, label: str) -> None:
    """Equal counts in every cell: each kept point has its counted twin (positions to 1e-5)."""
    a, b = _points(kept), _points(counted)
    assert len(a) == len(b), label
    left = list(b)
    for lon, lat, n in a:
        twin = min(left, key=lambda p: abs(p[0] - lon) + abs(p[1] - lat))
        assert abs(twin[0] - lon) <= 1.1e-5 and abs(twin[1] - lat) <= 1.1e-5, label
        assert twin[2] == n, label
        left.remove(twin)


def _compare(settings: Settings) -> int:
    """Compare grid and per-report heat for every filter at three zooms; the people seen."""

    async def work(db: Database) -> int:
        seen = 0
        for values in FILTERS:
            filters = ReportFilter(bbox=BBOX, **values)
            served = map_heat.grid_dimension(filters)
            assert served is not None, values
            for zoom in (12, 15, 17):
                kept = await map_heat.from_grid_json(db, BBOX, zoom, *served)
                counted = await map_heat.per_report_json(db, filters, zoom)
                _same_cells(kept, counted, f"{values} at zoom {zoom}")
                assert await map_heat.heat_json(db, filters, zoom) == kept
                seen += sum(p[2] for p in _points(kept))
        return seen

    return on_db(settings, work)


def test_grid_heat_equals_the_per_report_count(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    sql.all(SEED)
    assert _compare(settings) > 0
    # Moderation hides some, an edit changes reasons and times, a person moves.
    sql.all("UPDATE reports SET status = 'hidden' WHERE reasons @> ARRAY['drugs']")
    sql.all(
        "UPDATE reports SET reasons = ARRAY['harassment'], times = ARRAY['day'] "
        "WHERE reporter_hash = sha256(convert_to('person 7', 'UTF8'))"
    )
    sql.all(
        "UPDATE reports SET geom = ST_Translate(geom, 0.0011, 0.0002) "
        "WHERE reporter_hash = sha256(convert_to('person 8', 'UTF8'))"
    )
    assert _compare(settings) > 0
    sql.all("UPDATE reports SET status = 'published'")
    sql.all("DELETE FROM reports WHERE reasons @> ARRAY['groups']")
    assert _compare(settings) > 0
    sql.all("TRUNCATE reports CASCADE")
    assert _compare(settings) == 0


def test_filters_the_grid_cannot_answer_go_to_the_reports() -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert map_heat.grid_dimension(ReportFilter()) == ("", ())
    assert map_heat.grid_dimension(ReportFilter(days=("weekend",))) == ("days", ("weekend",))
    # Two dimensions at once, or a period: only the reports know.
    assert map_heat.grid_dimension(ReportFilter(reasons=("drugs",), times=("night",))) is None
    assert map_heat.grid_dimension(ReportFilter(since=since)) is None
    assert map_heat.grid_dimension(ReportFilter(reasons=("drugs",), until=since)) is None


def test_mixed_filters_count_a_place_only_for_a_report_matching_both(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    # One person at one place: lighting at night and drugs in the morning. Asked
    # for drugs at night, nobody is there, though the place has both codes.
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, reporter_hash, geom) VALUES "
        "(gen_random_uuid(), 'import', ARRAY['lighting'], ARRAY['night'], 'a', "
        "ST_SetSRID(ST_MakePoint(12.3234, 58.3808), 4326)), "
        "(gen_random_uuid(), 'import', ARRAY['drugs'], ARRAY['morning'], 'a', "
        "ST_SetSRID(ST_MakePoint(12.3234, 58.3808), 4326))"
    )

    async def people(db: Database, **values: Any) -> int:
        body = await map_heat.heat_json(db, ReportFilter(bbox=BBOX, **values), 15)
        return sum(p[2] for p in _points(body))

    async def work(db: Database) -> tuple[int, int, int]:
        return (
            await people(db, reasons=("drugs",)),
            await people(db, times=("night",)),
            await people(db, reasons=("drugs",), times=("night",)),
        )

    assert on_db(settings, work) == (1, 1, 0)
