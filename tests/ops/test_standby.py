"""Reads from a hot standby, writes on the primary; reads go on while the primary is down."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.conftest import point_feature
from tests.ops.conftest import Server, _pgcluster, free_port, serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def standby(cluster: Any) -> Iterator[Any]:
    base = Path(tempfile.mkdtemp(prefix="trygg-ops-standby-"))
    base.chmod(0o711)
    handle = _pgcluster().Cluster(base / "pg", free_port())
    handle.standby_of(cluster)
    try:
        yield handle
    finally:
        handle.kill()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def split(cluster: Any, standby: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("split") / "server.log"
    with serve(cluster.url(), log, TRYGG_READ_DATABASE_URL=standby.url()) as server:
        yield server


def _in_recovery(standby: Any) -> bool:
    with psycopg.connect(standby.url()) as conn:
        row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
        return bool(row and row[0])


def _readers(standby: Any) -> int:
    with psycopg.connect(standby.url()) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'trygghetskartan'"
        ).fetchone()
        return int(row[0]) if row else 0


def test_the_receipt_flow_reads_its_own_writes(split: Server, standby: Any) -> None:
    assert _in_recovery(standby)
    with split.client() as http:
        for _ in range(5):
            filed = http.post("/api/v1/reports", json=point_feature())
            assert filed.status_code == 201, filed.text
            # At once, before the standby may have replayed it: the primary answers.
            body = filed.json()
            gone = http.delete(body["location"], headers={"X-Receipt": body["receipt"]})
            assert gone.status_code == 204, gone.text
        assert http.get("/ogc/collections/hotspots/items").status_code == 200
        listed = http.get("/api/v1/hotspots")
        assert listed.status_code == 200 and "etag" in listed.headers
    # The public read pool lives on the standby.
    assert _readers(standby) > 0


def test_primary_down_reads_keep_working_and_reports_answer_503(
    split: Server, cluster: Any
) -> None:
    with split.client() as http:
        assert http.post("/api/v1/reports", json=point_feature()).status_code == 201
        cluster.stop()
        try:
            started = time.monotonic()
            paths = (
                "/api/v1/hotspots",
                "/ogc/collections/hotspots/items",
                "/api/v1/reasons",
                "/ogc",
            )
            for path in paths:
                answer = http.get(path)
                assert answer.status_code == 200, (path, answer.text)
            assert time.monotonic() - started < 15
            down = http.post("/api/v1/reports", json=point_feature())
            assert down.status_code == 503, down.text
            assert int(down.headers["retry-after"]) > 0
        finally:
            cluster.start()
