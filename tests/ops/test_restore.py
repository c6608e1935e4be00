"""Restore drill: lose the data directory, restore, and nothing erased comes back."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import point_feature
from tests.ops.conftest import (
    ROOT,
    Server,
    backup_cluster,
    backup_env,
    backups,
    free_port,
    start_scheduler,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster(migrated_template: Any) -> Iterator[Any]:
    with backup_cluster("trygg-restore-", migrated_template) as handle:
        yield handle


@pytest.fixture(scope="module")
def env(cluster: Any) -> dict[str, str]:
    values = backup_env(
        cluster,
        TRYGG_RATE_LIMIT_CLIENT_PER_HOUR="0",
        TRYGG_RATE_LIMIT_ADDRESS_PER_HOUR="0",
        TRYGG_ARCHIVE_FAILING_SECONDS="3",
    )
    app("migrate", env=values)
    return values


def app(*args: str, env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"app {args[0]}:\n{result.stdout}{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def server(env: dict[str, str]) -> Iterator[Server]:
    port = free_port()
    log = Path(env["TRYGG_ERASURE_LOG"]).parent / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    handle = Server(f"http://127.0.0.1:{port}", process, log)
    wait_ready(handle)
    yield handle
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_ready(server: Server, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail("service not ready:\n" + server.log.read_text()[-3000:])


def file_report(server: Server, **props: Any) -> dict[str, Any]:
    with server.client() as http:
        answer = http.post("/api/v1/reports", json=point_feature(**props))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def sql(cluster: Any, query: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        cur = conn.execute(query, params or None)
        return cur.fetchall() if cur.description else []


def wait_archived(cluster: Any) -> None:
    """Every change so far is in the archive (archive_timeout switches the segment)."""
    (wal,) = sql(cluster, "SELECT pg_walfile_name(pg_current_wal_lsn())")[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        (done,) = sql(cluster, "SELECT last_archived_wal FROM pg_stat_archiver")[0]
        if done and done[8:] >= wal[8:]:
            return
        time.sleep(0.2)
    pytest.fail(f"WAL {wal} was not archived in time")


def lose_the_disk(cluster: Any) -> None:
    cluster.kill()
    shutil.rmtree(cluster.data)


def present(cluster: Any, ids: list[str]) -> set[str]:
    rows = sql(cluster, "SELECT id::text FROM reports WHERE id = ANY(%s::uuid[])", ids)
    return {row[0] for row in rows}


def test_restore_drill_keeps_acknowledged_reports_and_erasures(
    cluster: Any, server: Server, env: dict[str, str]
) -> None:
    before = [file_report(server, description=f"före {n}") for n in range(3)]
    # An old report whose free text retention will purge after the backup.
    old = file_report(server, description="gammal text")
    sql(
        cluster,
        "UPDATE reports SET received_at = now() - interval '400 days' WHERE id = %s",
        old["id"],
    )
    app("backup", "--type", "full", env=env)

    after = [file_report(server) for _ in range(3)]
    withdrawn = before[0]
    with server.client() as http:
        gone = http.delete(
            f"/api/v1/reports/{withdrawn['id']}", headers={"X-Receipt": withdrawn["receipt"]}
        )
    assert gone.status_code == 204
    assert "purged: texts 1" in app("purge", env=env)
    wait_archived(cluster)

    lose_the_disk(cluster)
    # As `make restore` does: the replay runs before the cluster opens its own port,
    # so the running service never reads the withdrawn report back.
    cluster.restore(then=[sys.executable, "-m", "app", "erasure-replay"], env=env)

    acknowledged = [r["id"] for r in before[1:] + [old] + after]
    assert present(cluster, acknowledged + [withdrawn["id"]]) == set(acknowledged)
    assert sql(cluster, "SELECT description FROM reports WHERE id = %s", old["id"]) == [(None,)]
    wait_ready(server)
    status = app("backup-status", env=env)
    assert "last backup" in status and "WAL archived to: 0000" in status
    the_scheduler_takes_a_full_backup_first(cluster, env)


def the_scheduler_takes_a_full_backup_first(cluster: Any, env: dict[str, str]) -> None:
    """After the restore (a new timeline) the scheduler's first backup is a full one."""
    (walfile,) = sql(cluster, "SELECT pg_walfile_name(pg_current_wal_lsn())")[0]
    assert walfile[:8] != "00000001"  # the restore began a new timeline
    held = len(backups(env))
    # A day between backups: only the restore can make one due now.
    daily = {**env, "TRYGG_BACKUP_FULL_EVERY": "86400", "TRYGG_BACKUP_INCREMENTAL_EVERY": "86400"}
    log = cluster.base / "scheduler.log"
    process = start_scheduler(daily, log)
    try:
        deadline = time.monotonic() + 120
        while len(backups(env)) == held and time.monotonic() < deadline:
            time.sleep(0.5)
        time.sleep(3)  # and nothing more after it
    finally:
        process.terminate()
        process.wait(30)
    new = backups(env)[held:]
    assert [b["type"] for b in new] == ["full"], log.read_text()[-3000:]
    assert new[0]["archive"]["start"][:8] == walfile[:8]


def test_point_in_time_restore_gets_exactly_the_first_report_and_no_withdrawn_one(
    cluster: Any, server: Server, env: dict[str, str]
) -> None:
    kept = file_report(server)
    app("backup", env=env)  # incremental, on the full one the scheduler took after the drill
    first = file_report(server)
    time.sleep(0.3)
    (target,) = sql(cluster, "SELECT now()::text")[0]
    time.sleep(0.3)
    second = file_report(server)
    with server.client() as http:
        gone = http.delete(f"/api/v1/reports/{kept['id']}", headers={"X-Receipt": kept["receipt"]})
    assert gone.status_code == 204
    wait_archived(cluster)

    lose_the_disk(cluster)
    cluster.restore(target_time=target)
    # No replay by hand: the service's start-up replays the erasure log itself.
    server.process.terminate()
    server.process.wait(10)
    restarted = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", server.url.rsplit(":", 1)[1]],
        env=env,
        cwd=ROOT,
        stdout=server.log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    server.process = restarted
    wait_ready(server)
    assert present(cluster, [first["id"], second["id"], kept["id"]]) == {first["id"]}


def test_readyz_fails_while_archiving_has_been_failing_too_long(
    cluster: Any, server: Server
) -> None:
    sql(cluster, "ALTER SYSTEM SET archive_command = 'false'")
    sql(cluster, "SELECT pg_reload_conf()")
    try:
        file_report(server)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 503:
                break
            time.sleep(0.3)
        answer = httpx.get(server.url + "/readyz", timeout=2)
        assert answer.status_code == 503
        assert "archiving" in answer.json()["detail"]
    finally:
        sql(cluster, "ALTER SYSTEM RESET archive_command")
        sql(cluster, "SELECT pg_reload_conf()")
    wait_ready(server)
