"""Only a database that cannot be reached is "unavailable" (503); a failing statement is not."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable, is_outage
from app.web.errors import install_error_handlers

TOO_MANY = text("SELECT 1 WHERE 1 IN (" + ", ".join(f":p{i}" for i in range(70_000)) + ")")


def test_too_many_parameters_is_not_an_outage(settings: Settings) -> None:
    async def run() -> None:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            await db.fetch_all(TOO_MANY, values={f"p{i}": i for i in range(70_000)})
        finally:
            await db.close()

    with pytest.raises(psycopg.Error) as caught:
        asyncio.run(run())
    assert not isinstance(caught.value, DatabaseUnavailable)


def test_refused_connection_is_an_outage(settings: Settings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql://nobody@127.0.0.1:9/none", "db_timeout_seconds": 1}
    )

    async def run() -> None:
        db = Database(down, min_size=0)
        await db.open(wait=False)
        try:
            await db.fetch_all(text("SELECT 1"))
        finally:
            await db.close()

    with pytest.raises(DatabaseUnavailable):
        asyncio.run(run())


def test_admin_shutdown_and_connection_states_are_outages() -> None:
    lost = psycopg.OperationalError("server closed the connection unexpectedly")
    assert is_outage(lost)  # no connection to ask: treated as lost
    shutdown = psycopg.errors.AdminShutdown("terminating connection")
    assert is_outage(shutdown)
    assert not is_outage(psycopg.errors.DivisionByZero("division by zero"))
    assert not is_outage(ValueError("not a database error"))


def test_a_failing_statement_answers_500_not_503(settings: Settings) -> None:
    db = Database(settings, min_size=1)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/broken")
    async def broken() -> dict[str, int]:
        await db.open()
        try:
            await db.fetch_all(TOO_MANY, values={f"p{i}": i for i in range(70_000)})
        finally:
            await db.close()
        return {"ok": 1}

    with TestClient(app, raise_server_exceptions=False) as client:
        answer = client.get("/broken")
    assert answer.status_code == 500
    assert "unavailable" not in answer.text
    assert "Retry-After" not in answer.headers
