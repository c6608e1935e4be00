"""One throwaway PostGIS database per test run, migrated once.

`make test` passes the project-local cluster (or DATABASE_URL) as
TRYGG_TEST_ADMIN_URL; the run creates its own database there and drops it at
the end, so the developer's data is never touched.
"""

from __future__ import annotations

import os
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.rows import dict_row

from app.config import Environment, Settings, get_settings
from app.security.passwords import hash_password, use_cheap_hashing
from app.security.tokens import api_token_hash, new_api_token

TEST_SECRET = "test-secret-key-that-is-long-enough-for-production-checks"
# Withdrawals in tests must not land in the developer's .local/erasure.log.
os.environ.setdefault("TRYGG_ERASURE_LOG", f"/tmp/trygg-test-erasure-{os.getpid()}.log")


def _with_db(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


@contextmanager
def _own_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new empty database named after this process; dropped afterwards."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_db(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def admin_url() -> str:
    url = os.environ.get("TRYGG_TEST_ADMIN_URL") or os.environ.get("DATABASE_URL")
    if not url:
        pytest.exit("set TRYGG_TEST_ADMIN_URL (make test does) to a PostGIS server", returncode=2)
    return url


@pytest.fixture(scope="session")
def database_url(admin_url: str) -> Iterator[str]:
    """Create, migrate and finally drop this run's own database."""
    with _own_database(admin_url, "trygg_test") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        from alembic import command

        from app.repo.schema_version import alembic_config

        command.upgrade(alembic_config(), "head")
        yield url


@pytest.fixture
def scratch_url(admin_url: str) -> Iterator[str]:
    """An empty database of the test's own, dropped afterwards (nothing migrated)."""
    with _own_database(admin_url, "trygg_scratch") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Rate limits off: many tests post lots of reports from one TestClient.
    # tests/security builds its own app with the limits on.
    return Settings(
        env=Environment.test,
        database_url=database_url,
        secret_key=TEST_SECRET,
        rate_limit_client_per_hour=0,
        rate_limit_address_per_hour=0,
        # Every read sees the database's state at once (tests/web/api/test_hotspots.py
        # turns the cache on).
        public_hotspot_cache_seconds=0,
    )


@pytest.fixture(scope="session")
def app_client(settings: Settings) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient, clean_db: None) -> TestClient:
    """The API on an empty database (and with no staff login left from other tests)."""
    app_client.cookies.clear()
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
DATA_TABLES += [
    "staff_users",
    "staff_sessions",
    "api_tokens",
    "audit_log",
    "moderation_actions",
    "rate_counters",
    "reporter_first_seen",
]
DATA_TABLES += [
    "patrol_runs",
    "patrol_plans",
    "site_history",
    "sites",
    "promises",
    "walk_ways",
    "walk_vertices",
]
DATA_TABLES += [
    "hotspots",
    "hotspot_runs",
    "hotspot_run_state",
    "hotspot_reviews",
    "hotspot_identities",
]
DATA_TABLES += ["open311_requests", "open311_keys"]
DATA_TABLES += ["place_names", "place_name_history", "presence_visits", "presence_plans"]
DATA_TABLES += ["presence_groups", "walk_actions", "walk_stops", "walks"]


def _truncate(sql: Sql, tables: list[str]) -> None:
    sql.all("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")


@pytest.fixture
def clean_db(sql: Sql) -> None:
    """Every table in DATA_TABLES empty, as if all were truncated.

    Only the tables holding rows are truncated: a TRUNCATE makes new files for
    each table and index it names, and naming all of them cost ~0.3 s (2 s under
    load) per test. `reports` is always truncated: its TRUNCATE trigger moves
    data_version as before, and its lock waits for any computation still reading
    it, so that computation's rows are visible to the check that follows.
    """
    existing = {
        row["tablename"]
        for row in sql.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    }
    tables = [t for t in DATA_TABLES if t in existing]
    if not tables:
        return
    with sql.conn.transaction():
        if "reports" in tables:
            _truncate(sql, ["reports"])
        rest = [t for t in tables if t != "reports"]
        filled = (
            sql.all(
                " UNION ALL ".join(
                    f"SELECT '{t}' AS name WHERE EXISTS (SELECT FROM \"{t}\")" for t in rest
                )
            )
            if rest
            else []
        )
        if filled:
            _truncate(sql, [row["name"] for row in filled])


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


# --- staff users and tokens, for any test of a staff-only route ---------------

use_cheap_hashing(True)  # Argon2 at full cost would slow every test that makes a user

UserFactory = Callable[..., tuple[str, str]]
TokenFactory = Callable[..., str]


def _role_list(roles: str | Iterable[str]) -> list[str]:
    return [roles] if isinstance(roles, str) else list(roles)


@pytest.fixture
def make_user(sql: Sql, clean_db: None) -> UserFactory:
    """`make_user(email=None, roles=("planner",), password=None) -> (email, password)`."""

    def make(
        email: str | None = None,
        roles: str | Iterable[str] = ("planner",),
        password: str | None = None,
    ) -> tuple[str, str]:
        email = (email or f"user-{uuid.uuid4().hex[:8]}@example.se").lower()
        password = password or "pw-" + secrets.token_urlsafe(12)
        sql.all(
            "INSERT INTO staff_users (id, email, password_hash, roles) VALUES (%s, %s, %s, %s)",
            (uuid.uuid4(), email, hash_password(password), _role_list(roles)),
        )
        return email, password

    return make


@pytest.fixture
def token_for(make_user: UserFactory, sql: Sql) -> TokenFactory:
    """`token_for(roles, email=None) -> str`: a Bearer token of a new user with `roles`."""

    def make(roles: str | Iterable[str], email: str | None = None) -> str:
        email, _ = make_user(email, roles)
        token = new_api_token()
        sql.all(
            "INSERT INTO api_tokens (id, user_id, token_hash, name) "
            "SELECT %s, id, %s, 'test' FROM staff_users WHERE email = %s",
            (uuid.uuid4(), api_token_hash(TEST_SECRET.encode(), token), email),
        )
        return token

    return make


@pytest.fixture
def staff_headers(token_for: TokenFactory) -> Callable[..., dict[str, str]]:
    """`staff_headers(roles)` -> `{"Authorization": "Bearer ..."}` for a new user."""

    def make(roles: str | Iterable[str], email: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token_for(roles, email)}"}

    return make


def login(client: TestClient, email: str, password: str) -> str:
    """Log in through /staff/login like a browser; returns the CSRF token for forms."""
    form = client.get("/staff/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert match, form.text
    answer = client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": match.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    page = client.get("/staff/")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, page.text
    return token.group(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run browser tests last.

    Playwright's sync API keeps an event loop running in the main thread for as
    long as its session-wide browser lives; tests that call asyncio.run() (the
    CLI, the hotspot pipeline) must run before it starts.
    """
    items.sort(key=lambda item: "tests/browser/" in item.nodeid.replace("\\", "/"))


def fresh_get(client: TestClient, url: str, headers: dict[str, str] | None = None) -> Any:
    """GET a hotspot answer once it is no longer stale: reads never wait on a
    recompute (issue 10), they get the last run and `Hotspots-Stale: true`."""
    answer = client.get(url, headers=headers)
    for _ in range(150):
        if "hotspots-stale" not in answer.headers:
            break
        time.sleep(0.2)
        answer = client.get(url, headers=headers)
    assert "hotspots-stale" not in answer.headers, url
    return answer
