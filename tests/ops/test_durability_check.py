"""The service refuses to start on a database that may lose acknowledged reports."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db.pool import DatabaseUnsafe
from app.main import create_app
from tests.ops.conftest import ROOT

pytestmark = pytest.mark.slow


def test_refuses_to_start_with_synchronous_commit_off(settings: Settings) -> None:
    url = settings.database_url + "?options=-csynchronous_commit%3Doff"
    unsafe = settings.model_copy(update={"database_url": url})
    with (
        pytest.raises(DatabaseUnsafe, match="synchronous_commit is off"),
        TestClient(create_app(unsafe)),
    ):
        pass


def test_refuses_to_start_with_fsync_off(cluster: Any) -> None:
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET fsync = off")
        conn.execute("SELECT pg_reload_conf()")
    try:
        result = subprocess.run(
            [sys.executable, "-m", "app", "serve", "--port", "1"],
            env={**os.environ, "DATABASE_URL": cluster.url(), "TRYGG_ENV": "test"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET fsync")
            conn.execute("SELECT pg_reload_conf()")
    assert result.returncode != 0
    assert "fsync is off" in result.stdout + result.stderr
