"""How far into the erasure log (a file, outside the backups) this database has applied."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, Column, DateTime, SmallInteger, Table

from app.db.tables.reports import metadata

erasure_replay = Table(
    "erasure_replay",
    metadata,
    Column("id", SmallInteger, primary_key=True),
    Column("log_offset", BigInteger, nullable=False, server_default="0"),
    Column("replayed_at", DateTime(timezone=True)),
    CheckConstraint("id = 1", name="one_row"),
)
