"""The background worker owns the unfiltered hotspots: reads only tell it they found them
stale, and it never queues a connection behind another process's computation."""

from __future__ import annotations

import time

import psycopg
from fastapi.testclient import TestClient

from app.config import Settings
from app.repo.hotspots.transaction import ADVISORY_KEY
from app.services.hotspots import serving
from tests.conftest import Sql, fresh_get
from tests.web.api.test_hotspots import seed

WAITING_ON_A_LOCK = (
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


def _run_id(answer_etag: str) -> str:
    return answer_etag.strip('"').split(".")[0]


def test_a_stale_read_leaves_the_recompute_to_the_worker(client: TestClient, sql: Sql) -> None:
    seed(sql)
    first = fresh_get(client, "/api/v1/hotspots")
    seed(sql)  # new reports the worker was not told about (as from another process)
    stale = client.get("/api/v1/hotspots")
    assert stale.headers.get("hotspots-stale") == "true"
    # No computation of the read's own: the worker takes it after its coalescing pause.
    assert not serving._pending
    newer = fresh_get(client, "/api/v1/hotspots")
    assert _run_id(newer.headers["etag"]) != _run_id(first.headers["etag"])


def test_the_worker_waits_for_another_process_computing_without_holding_a_connection(
    client: TestClient, sql: Sql, settings: Settings
) -> None:
    seed(sql)
    fresh_get(client, "/api/v1/hotspots")
    with psycopg.connect(settings.database_url, autocommit=True) as other:
        # Another server process is computing (it holds the computation's lock).
        other.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_KEY,))
        seed(sql)
        assert client.get("/api/v1/hotspots").headers.get("hotspots-stale") == "true"
        time.sleep(settings.hotspot_coalesce_seconds + 1.5)
        # The worker is waiting its turn, but no session of ours waits on the lock.
        assert sql.scalar(WAITING_ON_A_LOCK) == 0
        assert client.get("/api/v1/hotspots").headers.get("hotspots-stale") == "true"
        other.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_KEY,))
    fresh_get(client, "/api/v1/hotspots")
