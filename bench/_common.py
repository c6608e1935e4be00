"""Shared bench plumbing: a throwaway database and the app served against it."""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

if TYPE_CHECKING:
    from app.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-secret-key-0123456789-0123456789"


def bench_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for a bench that runs the app's code in its own process: the test
    environment, no hotspot worker beside it, and no statement timeout (a 1M
    recompute runs longer than a request may)."""
    from app.config import Environment, Settings

    values: dict[str, Any] = {
        "env": Environment.test,
        "database_url": database_url,
        "secret_key": SECRET,
        "hotspot_worker": False,
        "db_statement_timeout_ms": 0,
    }
    return Settings(**{**values, **overrides})


def admin_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        sys.exit("set DATABASE_URL (make bench does)")
    return url


def create_database(admin: str, prefix: str = "trygg_bench") -> str:
    """Create and migrate a database for one bench run; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(3)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(admin)._replace(path="/" + name))
    try:
        subprocess.run(
            [sys.executable, "-m", "app", "migrate"],
            env={**os.environ, "DATABASE_URL": url},
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    except BaseException:
        drop_database(admin, url)
        raise
    return url


def drop_database(admin: str, url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_database(prefix: str = "trygg_bench") -> Iterator[str]:
    """A migrated database for one bench run, dropped afterwards."""
    admin = admin_url()
    url = create_database(admin, prefix)
    try:
        yield url
    finally:
        try:
            drop_database(admin, url)
        except psycopg.Error as exc:  # the figures are measured; say what is left behind
            print(f"could not drop {url.rsplit('/', 1)[-1]}: {exc}", file=sys.stderr)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve_process(database_url: str, **env: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`python -m app serve` on 127.0.0.1 against `database_url`; yields its URL and process.

    Rate limits stay on but out of reach, so their cost is measured and nothing
    is refused; `env` overrides any setting.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "TRYGG_SECRET_KEY": SECRET,
            "TRYGG_RATE_LIMIT_CLIENT_PER_HOUR": "100000000",
            "TRYGG_RATE_LIMIT_ADDRESS_PER_HOUR": "100000000",
            **env,
        },
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None:
                sys.exit("the app exited at start")
            time.sleep(0.2)
        else:
            sys.exit("the app did not start")
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:  # idle keep-alive connections hold it up
            process.kill()
            process.wait()


@contextlib.contextmanager
def served(database_url: str, **env: str) -> Iterator[str]:
    """The app on loopback (see `serve_process`); yields its URL."""
    with serve_process(database_url, **env) as (base, _):
        yield base
