"""Tables for hotspots; registered on the shared metadata in app.db.tables.reports.

A *run* is one computation with its parameters, filters and input version.
A *hotspot identity* is the stable id a planner's note hangs on; each run's
hotspots point at an identity matched by overlap with earlier runs.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from app.db.tables.reports import metadata

hotspot_runs = Table(
    "hotspot_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    # '' for the unfiltered run the background worker keeps fresh; otherwise
    # the canonical JSON of the filters that produced it.
    Column("filter_key", Text, nullable=False),
    Column("filters", JSONB, nullable=False),
    Column("params", JSONB, nullable=False),
    Column("params_hash", Text, nullable=False),
    Column("input_version", BigInteger, nullable=False),
    Column("input_reports", BigInteger, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("finished_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("points", Integer, nullable=False),
    Column("k_mc", Integer, nullable=False),
    Column("k_threshold", Integer, nullable=False),
    Column("hotspot_count", Integer, nullable=False),
    Column("duration_ms", Integer, nullable=False),
    Index("ix_hotspot_runs_filter_key_id", "filter_key", "id"),
)

hotspot_identities = Table(
    "hotspot_identities",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("first_seen", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The latest outline of the unfiltered run: what the next run is matched against.
    Column(
        "outline_3006",
        Geometry(geometry_type="POLYGON", srid=3006, spatial_index=True),
        nullable=False,
    ),
)

hotspots = Table(
    "hotspots",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("hotspot_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "hotspot_id",
        Uuid,
        ForeignKey("hotspot_identities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("rank", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("reporters", Integer, nullable=False),
    Column("reports", Integer, nullable=False),
    Column("reasons", JSONB, nullable=False),
    Column("times", JSONB, nullable=False),
    Column("days", JSONB, nullable=False),
    Column("hours", JSONB, nullable=False),
    Column("severity_mean", Float),
    Column("safe_share", Float, nullable=False),
    Column("first_report", DateTime(timezone=True)),
    Column("last_report", DateTime(timezone=True)),
    Column("level", Integer, nullable=False),
    # Many of its people were first seen from one network address at about the
    # same time (app.repo.rate_counters); staff only, never public.
    Column("possibly_coordinated", Boolean, nullable=False, server_default=text("false")),
    # Against the local background (geo.significance.Verdict.as_dict): the
    # chance count expected there, the people needed, p-value and margin; staff
    # only. A held back place is stored for staff and never shown publicly.
    Column("significance", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("significance_held", Boolean, nullable=False, server_default=text("false")),
    # WGS 84, counter-clockwise, as served (RFC 7946); SWEREF 99 TM for GIS exports.
    Column(
        "outline", Geometry(geometry_type="POLYGON", srid=4326, spatial_index=True), nullable=False
    ),
    Column(
        "outline_3006",
        Geometry(geometry_type="POLYGON", srid=3006, spatial_index=False),
        nullable=False,
    ),
    Column(
        "centre", Geometry(geometry_type="POINT", srid=4326, spatial_index=False), nullable=False
    ),
    # The generalised shape the public see (geo.generalise); staff keep `outline`.
    Column("public_outline", Geometry(geometry_type="POLYGON", srid=4326, spatial_index=False)),
    Column("public_centre", Geometry(geometry_type="POINT", srid=4326, spatial_index=False)),
    # Why the independence gate (geo.independence) held it from the public; empty: not held.
    Column("held_reasons", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("independent_units", Integer, nullable=False, server_default="0"),
    Column("support", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_hotspots_run_id_rank", "run_id", "rank"),
    Index("ix_hotspots_hotspot_id", "hotspot_id"),
)

# A moderator's decision on a held (or public) place, keyed by the stable id.
# A rejection stands until the place has more independent units than it had
# when it was rejected.
hotspot_reviews = Table(
    "hotspot_reviews",
    metadata,
    Column(
        "hotspot_id",
        Uuid,
        ForeignKey("hotspot_identities.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("decision", Text, nullable=False),
    Column("independent_units", Integer, nullable=False),
    Column("decided_by", Uuid),
    Column("decided_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("decision IN ('published', 'rejected')", name="decision"),
)

# What an incremental refresh (app.services.hotspots.incremental) needs of the
# unfiltered run it starts from: per CELL_M cell of person-places (SWEREF 99 TM
# cell indices), how many person-places and how many DBSCAN noise points at
# level 0. The area-wide significance inputs (the noise count behind k, the
# cell counts behind the local test) are sums over these.
hotspot_run_state = Table(
    "hotspot_run_state",
    metadata,
    Column(
        "run_id",
        BigInteger,
        ForeignKey("hotspot_runs.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("incremental", Boolean, nullable=False),
    Column("gx", ARRAY(Integer), nullable=False),
    Column("gy", ARRAY(Integer), nullable=False),
    Column("places", ARRAY(Integer), nullable=False),
    Column("noise", ARRAY(Integer), nullable=False),
    # Reports received in the minute before the run started that it saw: the
    # next refresh takes the rest of that minute's reports as new.
    Column("recent", ARRAY(Uuid), nullable=False, server_default=text("'{}'::uuid[]")),
)

__all__ = [
    "hotspot_identities",
    "hotspot_reviews",
    "hotspot_run_state",
    "hotspot_runs",
    "hotspots",
    "metadata",
]
