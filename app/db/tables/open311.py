"""Tables for Open311 GeoReport v2: client systems' API keys and where each request came from."""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    func,
)

from app.db.tables.reports import metadata

# One key per client system (a kommun's report app, FixMyStreet, a case system).
# Only a keyed hash of the key is stored; a key is revoked, never deleted, so
# the requests it filed keep their source.
open311_keys = Table(
    "open311_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("key_hash", LargeBinary, nullable=False),
    Column("per_hour", Integer, nullable=False, server_default="600"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    CheckConstraint("per_hour > 0", name="per_hour"),
    Index("uq_open311_keys_key_hash", "key_hash", unique=True),
)

# The source of each report filed over Open311: which key, which service.
open311_requests = Table(
    "open311_requests",
    metadata,
    Column("report_id", Uuid, ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True),
    Column("key_id", Uuid, ForeignKey("open311_keys.id"), nullable=False),
    Column("service_code", Text, nullable=False),
    Index("ix_open311_requests_key_id", "key_id"),
)
