"""A PostgreSQL cluster of the tests' own, and the app served against it.

These tests stop, restart and SIGKILL PostgreSQL, so they never use the
project-local cluster that `make run` keeps the developer's data in.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import orjson
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _pgcluster() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pgcluster", ROOT / "scripts" / "pgcluster.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[Any]:
    """A stopped cluster with the schema migrated, made once and copied by each module:
    initdb and the migrations took about 15 s per module."""
    base = _private_dir("trygg-ops-template-")
    handle = _pgcluster().Cluster(base, free_port(), backups=False)
    handle.init()
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"],
        env={**os.environ, "DATABASE_URL": handle.url()},
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    handle.stop()
    try:
        yield handle
    finally:
        handle.kill()
        shutil.rmtree(base, ignore_errors=True)


def _private_dir(prefix: str) -> Path:
    # A folder of its own, not under pytest's shared temp root: a parallel pytest
    # run may reset that root to 0700, which locks the unprivileged owner out.
    base = Path(tempfile.mkdtemp(prefix=prefix))
    for parent in [base, *base.parents]:
        if str(parent) == "/":
            break
        parent.chmod(parent.stat().st_mode | 0o001)
    return base


@pytest.fixture(scope="module")
def cluster(migrated_template: Any) -> Iterator[Any]:
    base = _private_dir("trygg-ops-pg-")
    handle = _pgcluster().Cluster(base, free_port(), backups=False)
    handle.copy_of(migrated_template)
    try:
        yield handle
    finally:
        handle.kill() if handle.is_running() else None
        shutil.rmtree(base, ignore_errors=True)


class Server:
    def __init__(self, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.url = url
        self.process = process
        self.log = log

    def client(self, timeout: float = 10.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)


@contextmanager
def serve(database_url: str, log: Path, **env: str) -> Iterator[Server]:
    """The app in a subprocess against `database_url`, with extra settings in `env`."""
    port = free_port()
    settings = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TRYGG_ENV": "test",
        "TRYGG_SECRET_KEY": "ops-test-secret-key-long-enough-0123456789",
        "TRYGG_DB_TIMEOUT_SECONDS": "2",
        "TRYGG_RATE_LIMIT_CLIENT_PER_HOUR": "0",
        "TRYGG_RATE_LIMIT_ADDRESS_PER_HOUR": "0",
        **env,
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=settings,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    handle = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        # Generous: on a loaded 2-core machine the app can take over 30 s to import and bind.
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(handle.url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            pytest.fail("server did not start:\n" + log.read_text()[-3000:])
        yield handle
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def server(cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(cluster.url(), tmp_path_factory.mktemp("server") / "server.log") as handle:
        yield handle


@contextmanager
def backup_cluster(prefix: str, template: Any) -> Iterator[Any]:
    """A copy of `template` with pgBackRest and WAL archiving, for backup and restore tests."""
    base = _private_dir(prefix)
    # A one-second archive_timeout keeps the tests short: WAL reaches the archive at once.
    handle = _pgcluster().Cluster(base, free_port(), archive_timeout=1)
    if not handle.backups_enabled():
        pytest.skip("pgbackrest is not installed (scripts/bootstrap.sh installs it)")
    handle.copy_of(template)
    try:
        yield handle
    finally:
        handle.kill()
        shutil.rmtree(base, ignore_errors=True)


def backup_env(cluster: Any, **extra: str) -> dict[str, str]:
    """The app's environment against a `backup_cluster`."""
    return {
        **os.environ,
        "DATABASE_URL": cluster.url(),
        "TRYGG_ENV": "test",
        "TRYGG_SECRET_KEY": "ops-test-secret-key-long-enough-0123456789",
        "TRYGG_HOTSPOT_WORKER": "false",
        "TRYGG_BACKUP_DIR": str(cluster.backup_dir),
        "TRYGG_BACKUP_CONFIG": str(cluster.backup_conf),
        "TRYGG_ERASURE_LOG": str(cluster.base / "erasure.log"),
        **extra,
    }


def backups(env: dict[str, str]) -> list[dict[str, Any]]:
    """pgBackRest's own list of backups in the repository, oldest first."""
    result = subprocess.run(
        ["pgbackrest", f"--config={env['TRYGG_BACKUP_CONFIG']}", "--stanza=trygg", "info"]
        + ["--output=json"],
        capture_output=True,
        check=True,
    )
    stanzas = orjson.loads(result.stdout or b"[]")
    return list(stanzas[0].get("backup", [])) if stanzas else []


def start_scheduler(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`python -m app backup-scheduler` in the background, its output in `log`."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app", "backup-scheduler"],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def count_ids(cluster: Any, ids: list[str]) -> int:
    with psycopg.connect(cluster.url()) as conn:
        row = conn.execute("SELECT count(*) FROM reports WHERE id = ANY(%s::uuid[])", (ids,))
        return int(row.fetchone()[0])  # type: ignore[index]
