"""Database tables, as SQLAlchemy Core metadata. Alembic migrations follow these.

Enumerated codes are text with CHECK constraints built from `geo.vocabulary`,
so adding a reason is a migration of one constraint, not of a PostgreSQL enum.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from geo.vocabulary import (
    AGE_BAND_CODES,
    CHANNELS,
    DAY_CODES,
    GENDER_CODES,
    KIND_CODES,
    REASON_CODES,
    STATUSES,
    TEXT_STATUSES,
    TIME_CODES,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _subset(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} <@ ARRAY[{quoted}]::text[]"


import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("source", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("report_count", Integer, nullable=False),
    # Features without a respondent token: the batch then counts as one source
    # of support for the independence gate (geo.independence).
    Column("untokened_reports", Integer, nullable=False, server_default="0"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("channel", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="published"),
    Column("text_status", Text, nullable=False, server_default="none"),
    Column("kind", Text, nullable=False, server_default="unsafe"),
    Column("severity", SmallInteger),
    Column("reasons", ARRAY(Text), nullable=False),
    Column("times", ARRAY(Text), nullable=False),
    Column("days", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("dark_season", Boolean, nullable=False, server_default=text("false")),
    Column("description", Text),
    Column("suggestion", Text),
    Column("avoids_place", Boolean),
    Column("age_band", Text),
    Column("gender", Text),
    Column("reporter_hash", LargeBinary),
    Column("receipt_hash", LargeBinary),
    Column("batch_id", Uuid, ForeignKey("import_batches.id", ondelete="CASCADE")),
    Column(
        "geom",
        Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=True),
        nullable=False,
    ),
    Column(
        "geom_3006",
        Geometry(geometry_type="GEOMETRY", srid=3006, spatial_index=True),
        Computed("ST_Transform(geom, 3006)", persisted=True),
        nullable=False,
    ),
    CheckConstraint(_in("channel", CHANNELS), name="channel"),
    CheckConstraint(_in("status", STATUSES), name="status"),
    CheckConstraint(_in("text_status", TEXT_STATUSES), name="text_status"),
    CheckConstraint(_in("kind", KIND_CODES), name="kind"),
    CheckConstraint("severity IS NULL OR severity BETWEEN 1 AND 3", name="severity"),
    CheckConstraint(
        "cardinality(reasons) >= 1 AND " + _subset("reasons", REASON_CODES), name="reasons"
    ),
    CheckConstraint("cardinality(times) >= 1 AND " + _subset("times", TIME_CODES), name="times"),
    CheckConstraint(_subset("days", DAY_CODES), name="days"),
    CheckConstraint("age_band IS NULL OR " + _in("age_band", AGE_BAND_CODES), name="age_band"),
    CheckConstraint("gender IS NULL OR " + _in("gender", GENDER_CODES), name="gender"),
    CheckConstraint("char_length(description) <= 2000", name="description_length"),
    CheckConstraint("char_length(suggestion) <= 2000", name="suggestion_length"),
    CheckConstraint("ST_SRID(geom) = 4326", name="geom_srid"),
    CheckConstraint("GeometryType(geom) IN ('POINT', 'LINESTRING', 'POLYGON')", name="geom_type"),
    CheckConstraint("ST_NDims(geom) = 2", name="geom_2d"),
    CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
    # NaN and Infinity compare greater than every number in PostgreSQL, so these
    # bounds also refuse non-finite coordinates.
    CheckConstraint(
        "ST_XMin(geom) >= -180 AND ST_XMax(geom) <= 180 "
        "AND ST_YMin(geom) >= -90 AND ST_YMax(geom) <= 90",
        name="geom_finite_range",
    ),
    Index("ix_reports_created_at_id", "created_at", "id"),
    # New reports since the last hotspot run (app.services.hotspots.incremental).
    Index("ix_reports_received_at", "received_at"),
    Index("ix_reports_batch_id", "batch_id"),
    # The safe reports under a hotspot's outline (its safe share), migration 0017.
    Index(
        "ix_reports_safe_geom_3006",
        "geom_3006",
        postgresql_using="gist",
        postgresql_where=text("kind = 'safe'"),
    ),
    Index(
        "ix_reports_text_pending",
        "received_at",
        postgresql_where=text("text_status = 'pending'"),
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key_hash", LargeBinary, primary_key=True),
    Column("request_hash", LargeBinary, nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_idempotency_keys_created_at", "created_at"),
)

# Bumped by every change to the reports that count toward hotspots, so a stored
# hotspot result knows which input it was computed from.
data_version = Table(
    "data_version",
    metadata,
    Column("name", Text, primary_key=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
