"""Which Alembic revision the database is at, and which the code expects."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic.config import Config
from alembic.script import ScriptDirectory

from app.config import PROJECT_ROOT
from app.db.pool import Database


def alembic_config() -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(Path(PROJECT_ROOT) / "migrations"))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


async def current_revision(db: Database) -> str | None:
    try:
        rows = await db.fetch_all_sql("SELECT version_num FROM alembic_version")
    except psycopg.errors.UndefinedTable:
        return None
    return str(rows[0]["version_num"]) if rows else None
