"""The service survives its database going away: 503 meanwhile, no lost 201s."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import point_feature
from tests.ops.conftest import Server, count_ids

pytestmark = pytest.mark.slow


def _wait_until_201(server: Server, seconds: float) -> httpx.Response:
    deadline = time.monotonic() + seconds
    with server.client() as http:
        while True:
            answer = http.post("/api/v1/reports", json=point_feature())
            if answer.status_code == 201 or time.monotonic() > deadline:
                return answer
            time.sleep(0.5)


def test_database_stop_gives_503_and_the_service_recovers_by_itself(
    server: Server, cluster: Any
) -> None:
    with server.client() as http:
        assert http.post("/api/v1/reports", json=point_feature()).status_code == 201
        cluster.stop()
        try:
            # The client's 10 s timeout is the bound: the answer must come, not hang.
            down = http.post("/api/v1/reports", json=point_feature())
            assert down.status_code == 503, down.text
            assert int(down.headers["retry-after"]) > 0
            assert "try again" in down.json()["detail"].lower()
            assert http.get("/readyz").status_code == 503
            assert http.get("/healthz").status_code == 200
        finally:
            cluster.start()
    back = _wait_until_201(server, 30)
    assert back.status_code == 201, back.text
    assert server.process.poll() is None  # recovered without a restart


def test_every_acknowledged_report_survives_a_sigkill(server: Server, cluster: Any) -> None:
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def submit() -> None:
        with server.client(timeout=5) as http:
            while not stop.is_set():
                try:
                    answer = http.post(
                        "/api/v1/reports",
                        json=point_feature(),
                        headers={"Idempotency-Key": str(uuid.uuid4())},
                    )
                except httpx.HTTPError:
                    continue
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append(answer.json()["id"])
                else:
                    assert answer.status_code == 503, answer.text

    workers = [threading.Thread(target=submit) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 20
        while len(acknowledged) < 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        cluster.kill()
        before_restart = len(acknowledged)
        time.sleep(1.0)
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
        cluster.start()
    assert before_restart >= 50, "too few reports went through before the kill"
    with lock:
        ids = list(acknowledged)
    assert count_ids(cluster, ids) == len(ids)
    assert _wait_until_201(server, 30).status_code == 201
