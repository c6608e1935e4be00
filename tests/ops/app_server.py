"""Serve the app in a subprocess with settings of a test's own (standby, proxy tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.ops.conftest import ROOT, Server, free_port


@contextmanager
def serve(database_url: str, log: Path, **env: str) -> Iterator[Server]:
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
        deadline = time.monotonic() + 30
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
