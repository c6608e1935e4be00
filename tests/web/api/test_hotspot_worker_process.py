"""`python -m app hotspot-worker`: the recompute in a process of its own (issue 12).

A server started with `hotspot_worker_process` computes nothing for the
unfiltered hotspots: a new report wakes the worker process through the
database, and the map shows the new hotspot once that process has finished.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import psycopg
from fastapi.testclient import TestClient

from app.config import Settings
from geo.crs import sweref_to_lonlat
from tests.conftest import TEST_SECRET, Sql, fresh_get, point_feature
from tests.services.test_hotspots import CX, CY, add_reports, people, place

ROOT = Path(__file__).resolve().parents[3]


@contextmanager
def _worker_process(database_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRYGG_ENV": "test",
        "TRYGG_SECRET_KEY": TEST_SECRET,
        "TRYGG_HOTSPOT_COALESCE_SECONDS": "0.2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "hotspot-worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        assert process.wait(30) == 0  # SIGTERM ends it cleanly


def _runs(sql: Sql) -> int:
    return int(sql.scalar("SELECT count(*) FROM hotspot_runs WHERE filter_key = ''"))


def test_a_report_reaches_the_map_through_the_worker_process(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    from app.main import create_app

    rng = np.random.default_rng(12)
    add_reports(sql, place(0, 0, 8, rng), people("first", 8))
    server = settings.model_copy(update={"hotspot_worker_process": True})
    with (
        _worker_process(settings.database_url) as worker,
        TestClient(create_app(server), raise_server_exceptions=False) as client,
    ):
        # The worker's first run, computed at its start.
        for _ in range(150):
            if _runs(sql):
                break
            time.sleep(0.2)
        assert _runs(sql) == 1
        assert len(fresh_get(client, "/api/v1/hotspots").json()["features"]) == 1

        # Eight more people at a second place; the last one reports through the API.
        add_reports(sql, place(400, 0, 7, rng), people("second", 7))
        lon, lat = sweref_to_lonlat(CX + 400, CY)
        assert client.post("/api/v1/reports", json=point_feature(lon, lat)).status_code == 201
        # The server answers at once with what it has, marked stale ...
        answer = client.get("/api/v1/hotspots")
        assert answer.status_code == 200
        assert answer.headers.get("hotspots-stale") == "true"
        assert len(answer.json()["features"]) == 1
        # ... and the woken worker process brings the second hotspot.
        assert len(fresh_get(client, "/api/v1/hotspots").json()["features"]) == 2
        assert worker.poll() is None


def test_a_worker_started_before_the_migrations_waits_for_them(scratch_url: str) -> None:
    """Compose starts the worker beside the server, which migrates first."""

    def runs() -> int | None:
        with psycopg.connect(scratch_url) as conn:
            exists = conn.execute("SELECT to_regclass('hotspot_runs')").fetchone()
            if not exists or exists[0] is None:
                return None
            row = conn.execute("SELECT count(*) FROM hotspot_runs").fetchone()
            return int(row[0]) if row else 0

    with _worker_process(scratch_url) as worker:
        time.sleep(2)
        assert worker.poll() is None  # still there, not crashed on missing tables
        assert runs() is None
        migrate = subprocess.run(
            [sys.executable, "-m", "app", "migrate"],
            env={**os.environ, "DATABASE_URL": scratch_url},
            cwd=ROOT,
            capture_output=True,
        )
        assert migrate.returncode == 0, migrate.stderr
        # It notices within its poll and computes its first run on the migrated database.
        for _ in range(150):
            if runs():
                break
            time.sleep(0.2)
        assert runs() == 1
        assert worker.poll() is None
