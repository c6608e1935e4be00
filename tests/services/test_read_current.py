"""A reader never gets an empty map or a 404 because a newer run replaced the
one it chose a moment before (the newer run prunes it in the same commit)."""

from __future__ import annotations

import numpy as np

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo.hotspots.runs import latest_run
from app.services import hotspots as store
from app.services.hotspots import reading, serving
from tests.conftest import Sql
from tests.services.conftest import on_db
from tests.services.test_hotspots import add_reports, people, place


def test_a_run_pruned_between_choosing_and_reading_is_chosen_again(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    add_reports(sql, place(0, 0, 8, np.random.default_rng(6)), people("resident", 8))
    ctx = store.context_of(settings)

    async def work(db: Database) -> tuple[int, int, list[bool], int | None]:
        await store.compute(db, ctx, force=True)
        first = await latest_run(db, "")
        assert first is not None
        (hotspot,) = sql.all("SELECT hotspot_id FROM hotspots WHERE run_id = %s", (first["id"],))
        found: list[bool] = []

        async def read(served: serving.Served) -> object:
            if not found:
                # A newer run commits between the choice and the read.
                await store.compute(db, ctx, force=True)
            feature = await reading.named_feature(
                db, settings, served, hotspot["hotspot_id"], public=False
            )
            found.append(feature is not None)
            return feature

        async def serve_again() -> serving.Served:
            return await serving.serve(db, ctx, ReportFilter(), wait=0)

        chosen = serving.Served(first, False, db)
        served, _ = await serving.read_current(chosen, serve_again, read)
        latest = await latest_run(db, "")
        assert served.run is not None and latest is not None
        return int(first["id"]), int(served.run["id"]), found, int(latest["id"])

    first, read_from, found, latest = on_db(settings, work)
    # The chosen run was gone when it was read; the hotspot came from the new one.
    assert found == [False, True]
    assert read_from == latest != first
