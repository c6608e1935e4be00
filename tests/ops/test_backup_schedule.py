"""Backups on a schedule: the scheduler takes them by itself, one at a time, and failures show."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.ops.conftest import ROOT, backup_cluster, backup_env, backups, serve, start_scheduler

pytestmark = pytest.mark.slow
LOCK_KEY = 7_418_203_001  # app.repo.backup_runs.LOCK_KEY


@pytest.fixture(scope="module")
def cluster(migrated_template: Any) -> Iterator[Any]:
    with backup_cluster("trygg-schedule-", migrated_template) as handle:
        yield handle


@pytest.fixture(scope="module")
def env(cluster: Any) -> dict[str, str]:
    values = backup_env(cluster)
    app("migrate", env=values)
    return values


def app(*args: str, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if ok:
        assert result.returncode == 0, f"app {args[0]}:\n{result.stdout}{result.stderr}"
    return result


def wait_for(check: Any, seconds: float, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} within {seconds} s\n{tail}")


def test_the_scheduler_takes_a_full_then_incremental_backups_by_itself(
    cluster: Any, env: dict[str, str]
) -> None:
    log = cluster.base / "scheduler.log"
    schedule = {
        **env,
        "TRYGG_BACKUP_FULL_EVERY": "3600",
        "TRYGG_BACKUP_INCREMENTAL_EVERY": "2",
    }
    process = start_scheduler(schedule, log)
    try:
        wait_for(lambda: len(backups(env)) >= 2, 180, "no full and incremental backup", log)
        taken = backups(env)
        assert taken[0]["type"] == "full"
        assert taken[1]["type"] == "incr"
        # While another process holds the backup lock, no backup starts anywhere.
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
            held = len(backups(env))
            busy = app("backup", "--wait", "1", env=env, ok=False)
            assert busy.returncode == 1
            assert "another backup is still running" in busy.stderr
            time.sleep(5)
            assert len(backups(env)) == held
        wait_for(lambda: len(backups(env)) > held, 60, "no backup after the lock was freed", log)
    finally:
        process.terminate()
        process.wait(30)
    assert process.returncode == 0, log.read_text()[-3000:]
    status = app("backup-status", env=schedule).stdout
    assert "incremental every 2 s" in status
    assert "last run:        ok, incr by schedule" in status


def test_readyz_fails_while_backups_have_been_failing_and_recovers(
    cluster: Any, env: dict[str, str]
) -> None:
    broken = {**env, "TRYGG_BACKUP_DIR": str(cluster.base / "no-such-repository")}
    failed = app("backup", env=broken, ok=False)
    assert failed.returncode == 1
    watched = {**env, "TRYGG_BACKUP_FAILING_SECONDS": "1"}
    with serve(cluster.url(), cluster.base / "server.log", **watched) as server:
        time.sleep(1.5)
        answer = httpx.get(server.url + "/readyz", timeout=5)
        assert answer.status_code == 503
        assert "backups have been failing" in answer.json()["detail"]
        status = app("backup-status", env=watched, ok=False)
        assert "last run:        FAILED" in status.stdout
        app("backup", env=env)
        assert httpx.get(server.url + "/readyz", timeout=5).status_code == 200
