"""Issue 10: hotspot reads never wait and ad-hoc staff computations stay bounded.

The single hotspot is cached like the list; staff get the last run at once
too; ad-hoc computations are limited per user and app-wide (in the database,
so across worker processes), run under a statement timeout, and their runs
are pruned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from fastapi.testclient import TestClient

from app.config import Settings
from geo.crs import sweref_to_lonlat
from tests.conftest import Sql, fresh_get, point_feature
from tests.services.test_hotspots import CX, CY, add_reports, people, place

Headers = Callable[..., dict[str, str]]


def _seed(sql: Sql, n: int = 8) -> None:
    add_reports(sql, place(0, 0, n, np.random.default_rng(6)), people("resident", n))


def _report_at_the_place(client: TestClient) -> None:
    lon, lat = sweref_to_lonlat(CX + 3, CY + 2)
    assert client.post("/api/v1/reports", json=point_feature(lon, lat)).status_code == 201


@contextmanager
def _other_app(settings: Settings, **values: Any) -> Iterator[TestClient]:
    from app.main import create_app

    update = {"hotspot_worker": False, **values}
    with TestClient(
        create_app(settings.model_copy(update=update)), raise_server_exceptions=False
    ) as other:
        yield other


@contextmanager
def _slots_taken(settings: Settings, name: str, count: int) -> Iterator[None]:
    """Hold `count` ad-hoc slots of `name` from another connection (another process)."""
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        for slot in range(count):
            conn.execute("SELECT pg_advisory_lock(hashtextextended(%s, %s))", (name, slot))
        yield
        # Closing the connection frees the locks only when the server gets round to
        # it (late under load); the next request must find them free.
        conn.execute("SELECT pg_advisory_unlock_all()")


def test_one_hotspot_has_an_etag_304_and_cache_control(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    _seed(sql)
    listed = fresh_get(client, "/api/v1/hotspots")
    (feature,) = listed.json()["features"]
    url = f"/api/v1/hotspots/{feature['id']}"
    one = client.get(url)
    assert one.status_code == 200 and one.json()["id"] == feature["id"]
    assert one.headers["cache-control"] == "public, max-age=30"
    # The same validator as the list: the run (and moderators' decisions) it came from.
    etag = one.headers["etag"]
    assert etag == listed.headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    # A new report makes a new run: the old validator no longer matches.
    _report_at_the_place(client)
    newer = fresh_get(client, url)
    assert newer.headers["etag"] != etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200
    staff = client.get(url, headers=staff_headers("planner"))
    assert staff.status_code == 200
    assert staff.headers["cache-control"] == "private, no-store"


def test_staff_reads_get_the_last_run_at_once_while_a_newer_one_is_computed(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    _seed(sql)
    police = staff_headers("police")
    before = fresh_get(client, "/api/v1/hotspots", police).json()["features"]
    assert [f["properties"]["reporters"] for f in before] == [8]
    _report_at_the_place(client)
    # No waiting for the recompute: the last run, marked stale.
    at_once = client.get("/api/v1/hotspots", headers=police)
    assert at_once.status_code == 200
    assert at_once.headers["hotspots-stale"] == "true"
    assert [f["properties"]["reporters"] for f in at_once.json()["features"]] == [8]
    after = fresh_get(client, "/api/v1/hotspots", police).json()["features"]
    assert [f["properties"]["reporters"] for f in after] == [9]


def test_ad_hoc_computations_are_limited_per_user_and_app_wide(
    client: TestClient, sql: Sql, staff_headers: Headers, settings: Settings
) -> None:
    from app.repo.hotspots import slots
    from app.services.hotspots import serving

    _seed(sql)
    police = staff_headers("police", email="police-1@example.se")
    user = str(sql.scalar("SELECT id FROM staff_users WHERE email = 'police-1@example.se'"))
    limit = settings.staff_compute_concurrency
    # The user's own computations run elsewhere (another worker process).
    with _slots_taken(settings, slots.NAMESPACE + user, limit):
        busy = client.get("/api/v1/hotspots?since=2021-01-01", headers=police)
        assert busy.status_code == 429, busy.text
        assert int(busy.headers["retry-after"]) > 0 and "detail" in busy.json()
        # Someone else may still compute.
        other = client.get("/api/v1/hotspots?since=2021-01-02", headers=staff_headers("police"))
        assert other.status_code == 200, other.text
    # Everyone's slots are taken: nobody starts another one.
    with _slots_taken(settings, slots.ALL, serving.APP_WIDE_AD_HOC):
        full = client.get("/api/v1/hotspots?since=2021-01-03", headers=staff_headers("police"))
        assert full.status_code == 429 and int(full.headers["retry-after"]) > 0
        # Reads of runs that exist never need a slot.
        assert client.get("/api/v1/hotspots?since=2021-01-02", headers=police).status_code == 200
    assert client.get("/api/v1/hotspots?since=2021-01-01", headers=police).status_code == 200


def test_an_ad_hoc_computation_that_runs_too_long_is_stopped_with_a_clear_answer(
    app_client: TestClient, sql: Sql, staff_headers: Headers, settings: Settings
) -> None:
    _seed(sql, 40)
    police = staff_headers("police")
    with _other_app(settings, staff_compute_timeout_seconds=0.001) as hurried:
        answer = hurried.get("/api/v1/hotspots?since=2021-01-01", headers=police)
        assert answer.status_code == 422, answer.text
        assert "took longer than" in answer.json()["detail"]
        # The plain (public) result is not ad hoc: no such limit.
        assert fresh_get(hurried, "/api/v1/hotspots").status_code == 200


def test_stored_ad_hoc_runs_are_pruned(
    client: TestClient, sql: Sql, staff_headers: Headers, settings: Settings
) -> None:
    _seed(sql)
    police = staff_headers("police")
    with _other_app(settings, hotspot_keep_filtered_runs=2) as pruning:
        for day in range(1, 6):
            answer = pruning.get(f"/api/v1/hotspots?since=2021-01-0{day}", headers=police)
            assert answer.status_code == 200, answer.text
    assert sql.scalar("SELECT count(*) FROM hotspot_runs WHERE filter_key <> ''") == 2
