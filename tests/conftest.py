"""One throwaway PostGIS database per test run, migrated once.

`make test` passes the project-local cluster (or DATABASE_URL) as
TRYGG_TEST_ADMIN_URL; the run creates its own database there and drops it at
the end, so the developer's data is never touched.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.rows import dict_row

from app.settings import Environment, Settings, get_settings

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("TRYGG_TEST_ADMIN_URL") or os.environ.get("DATABASE_URL")
    if not url:
        pytest.exit("set TRYGG_TEST_ADMIN_URL (make test does) to a PostGIS server", returncode=2)
    return url


@pytest.fixture(scope="session")
def database_url(admin_url: str) -> Iterator[str]:
    """Create, migrate and finally drop this run's own database."""
    name = f"trygg_test_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin_url, name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    from alembic import command

    from app.store.schema_version import alembic_config

    command.upgrade(alembic_config(), "head")
    yield url
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(env=Environment.test, database_url=database_url, secret_key=TEST_SECRET)


@pytest.fixture(scope="session")
def app_client(settings: Settings) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient, clean_db: None) -> TestClient:
    """The API on an empty database."""
    return app_client


class Sql:
    """Direct SQL on the test database, for asserting what was stored."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row)

    def all(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        cur = self.conn.execute(query, params)
        return cur.fetchall() if cur.description else []

    def one(self, query: str, params: Any = None) -> dict[str, Any] | None:
        rows = self.all(query, params)
        return rows[0] if rows else None

    def scalar(self, query: str, params: Any = None) -> Any:
        row = self.one(query, params)
        return None if row is None else next(iter(row.values()))

    def close(self) -> None:
        self.conn.close()


@pytest.fixture(scope="session")
def sql(database_url: str) -> Iterator[Sql]:
    handle = Sql(database_url)
    yield handle
    handle.close()


# Tables that hold test data; each feature adds its own to this list.
DATA_TABLES = ["reports", "import_batches", "idempotency_keys"]


@pytest.fixture
def clean_db(sql: Sql) -> None:
    existing = {
        row["tablename"]
        for row in sql.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    tables = [t for t in DATA_TABLES if t in existing]
    if tables:
        sql.all("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


def point_feature(lon: float = 12.3234, lat: float = 58.3808, **props: Any) -> dict[str, Any]:
    """A valid report in central Vänersborg; keyword arguments override properties."""
    properties: dict[str, Any] = {
        "reasons": ["lighting"],
        "times": ["night"],
        "days": ["weekend"],
        "severity": 2,
        "client_token": "test-device-" + uuid.uuid4().hex[:8],
    }
    properties.update(props)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties,
    }
