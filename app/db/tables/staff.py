"""Tables for staff access, audit, moderation and abuse resistance.

Secrets (passwords, session ids, API tokens, network addresses) are stored
only as Argon2 hashes or keyed HMACs, so a database dump alone lets nobody log
in or learn where a resident reported from.
"""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from app.db.tables.reports import metadata

ROLE_CODES = ("police", "planner", "moderator", "admin", "coordinator")
_ROLES_SQL = ", ".join(f"'{r}'" for r in ROLE_CODES)

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(f"roles <@ ARRAY[{_ROLES_SQL}]::text[]", name="roles"),
    CheckConstraint("email = lower(email) AND position('@' in email) > 1", name="email"),
    Index("uq_staff_users_email", "email", unique=True),
)

# A session id lives only in the browser's cookie; the table holds its keyed hash.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id_hash", LargeBinary, primary_key=True),
    Column("user_id", Uuid, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_staff_sessions_user_id", "user_id"),
    Index("ix_staff_sessions_expires_at", "expires_at"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", LargeBinary, nullable=False),
    Column("name", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_used_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Index("uq_api_tokens_token_hash", "token_hash", unique=True),
    Index("ix_api_tokens_user_id", "user_id"),
)

# Append-only: a trigger (migration 0003) refuses UPDATE and DELETE. No foreign
# key to staff_users, so removing a user never removes their history.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("user_id", Uuid),
    Column("actor", Text, nullable=False),
    Column("via", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("details", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("rows", Integer),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_action", "action"),
)

# What a moderator changed, with the state before, so an admin can revert it.
moderation_actions = Table(
    "moderation_actions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("report_id", Uuid, ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("user_id", Uuid),
    Column("action", Text, nullable=False),
    Column("previous", JSONB, nullable=False),
    Column("reverted_at", DateTime(timezone=True)),
    CheckConstraint(
        "action IN ('approve', 'redact', 'hide', 'unhide', 'reject_text')", name="action"
    ),
    Index("ix_moderation_actions_report_id", "report_id"),
)

# Fixed-window counters for rate limits and login throttling; keys are keyed
# hashes, and rows past `expires_at` are deleted.
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key_hash", LargeBinary, primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False, server_default="0"),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_rate_counters_expires_at", "expires_at"),
    # Unlogged: counting a report must not cost a WAL flush of its own, and
    # counters lost in a crash only forgive an hour of rate limiting.
    prefixes=["UNLOGGED"],
)

# Where (keyed hash of the network address) and when a client token was first
# seen: the basis of the "possibly coordinated" hotspot flag. Expires.
reporter_first_seen = Table(
    "reporter_first_seen",
    metadata,
    Column("reporter_hash", LargeBinary, primary_key=True),
    Column("address_hash", LargeBinary, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_reporter_first_seen_address_hash", "address_hash"),
    Index("ix_reporter_first_seen_first_seen_at", "first_seen_at"),
    # Unlogged like rate_counters: a heuristic that may forget after a crash.
    prefixes=["UNLOGGED"],
)
