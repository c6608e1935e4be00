"""Tables for named places, presence groups and plans, and safety walks.

Hotspot ids are text here as in planning.py: a name, a plan or a walk stop
must outlive the recomputation that retires the hotspot it refers to.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
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
from sqlalchemy.dialects.postgresql import JSONB

from app.db.tables.reports import metadata

GROUP_KINDS = ("police", "volunteers", "guards", "field_workers", "leisure")
NAME_SOURCES = ("gazetteer", "network", "planner")
RATINGS = ("ok", "brist", "allvarlig brist")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


place_names = Table(
    "place_names",
    metadata,
    Column("hotspot_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Uuid),
    CheckConstraint(f"source IN ({_quoted(NAME_SOURCES)})", name="source"),
    CheckConstraint("char_length(name) BETWEEN 1 AND 120", name="name_length"),
)

place_name_history = Table(
    "place_name_history",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("hotspot_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("changed_by", Uuid),
    Index("ix_place_name_history_hotspot_id", "hotspot_id"),
)

presence_groups = Table(
    "presence_groups",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("shifts", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    CheckConstraint(f"kind IN ({_quoted(GROUP_KINDS)})", name="kind"),
    CheckConstraint("char_length(name) BETWEEN 1 AND 120", name="name_length"),
)

presence_plans = Table(
    "presence_plans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("week", Text, nullable=False),
    Column("request", JSONB, nullable=False),
    Column("plan", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Index("ix_presence_plans_week", "week"),
)

# Carried-out presence, one row per stop of a plan; the group's name and kind
# are copied so the count survives a deleted group.
presence_visits = Table(
    "presence_visits",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("plan_id", Uuid, ForeignKey("presence_plans.id", ondelete="CASCADE"), nullable=False),
    Column("group_id", Uuid, nullable=False),
    Column("group_name", Text, nullable=False),
    Column("group_kind", Text, nullable=False),
    Column("hotspot_id", Text, nullable=False),
    Column("stop_key", Text, nullable=False),
    Column("carried_out_on", Date, nullable=False),
    Column("minutes", Integer),
    Column("note", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_by", Uuid),
    CheckConstraint("char_length(note) <= 2000", name="note_length"),
    Index("uq_presence_visits_stop", "plan_id", "stop_key", unique=True),
    Index("ix_presence_visits_carried_out_on", "carried_out_on"),
)

walks = Table(
    "walks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("meeting_point", Text),
    Column("meeting_time", Text),
    Column("announce", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column(
        "geom", Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=False), nullable=False
    ),
    CheckConstraint("GeometryType(geom) IN ('POLYGON', 'LINESTRING')", name="geom_type"),
    CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
    Index("ix_walks_date", "date"),
)

walk_stops = Table(
    "walk_stops",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("walk_id", Uuid, ForeignKey("walks.id", ondelete="CASCADE"), nullable=False),
    Column("client_key", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("hotspot_id", Text),
    Column("checklist", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("note", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column("geom", Geometry(geometry_type="POINT", srid=4326, spatial_index=False), nullable=False),
    CheckConstraint("char_length(note) <= 4000", name="note_length"),
    Index("uq_walk_stops_client_key", "walk_id", "client_key", unique=True),
)

walk_actions = Table(
    "walk_actions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("walk_id", Uuid, ForeignKey("walks.id", ondelete="CASCADE"), nullable=False),
    Column("stop_id", Uuid, ForeignKey("walk_stops.id", ondelete="CASCADE"), nullable=False),
    Column("text", Text, nullable=False),
    Column("unit", Text, nullable=False),
    Column("due", Date),
    Column("site_id", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    CheckConstraint("char_length(text) BETWEEN 1 AND 2000", name="text_length"),
    Index("ix_walk_actions_walk_id", "walk_id"),
)
