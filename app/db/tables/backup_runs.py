"""Outcomes of backups taken by the scheduler or by command, for backup-status and /readyz."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Identity, Index, Table, Text

from app.db.tables.reports import metadata

backup_runs = Table(
    "backup_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", Text, nullable=False),
    # 'schedule' or 'command'
    Column("trigger", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("label", Text),
    Column("error", Text),
    Index("ix_backup_runs_finished_at", "finished_at"),
)
