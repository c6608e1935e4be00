"""Tables for patrol plans, redesign sites, promises and the walking network.

Hotspot ids are kept as text: a hotspot's stable id is the hotspot feature's
business, and a plan or promise must survive a recomputation that retires it.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Date,
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
from sqlalchemy.dialects.postgresql import JSONB

from app.db.tables.reports import metadata
from geo.redesign import MEASURE_CODES, STATUS_CODES


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


patrol_plans = Table(
    "patrol_plans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column("request", JSONB, nullable=False),
    Column("plan", JSONB, nullable=False),
    Column("routing", Text, nullable=False),
    Column("route", Geometry(geometry_type="LINESTRING", srid=4326, spatial_index=False)),
    CheckConstraint("routing IN ('network', 'straight_line')", name="routing"),
    Index("ix_patrol_plans_created_at", "created_at"),
)

patrol_runs = Table(
    "patrol_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("plan_id", Uuid, ForeignKey("patrol_plans.id", ondelete="CASCADE"), nullable=False),
    Column("carried_out_on", Date, nullable=False),
    Column("hotspot_ids", ARRAY(Text), nullable=False),
    Column("note", Text),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("recorded_by", Uuid),
    CheckConstraint("char_length(note) <= 2000", name="note_length"),
    Index("ix_patrol_runs_plan_id", "plan_id"),
    Index("ix_patrol_runs_hotspot_ids", "hotspot_ids", postgresql_using="gin"),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="candidate"),
    Column("hotspot_id", Text),
    Column("reasons", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("measures", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("responsible", Text),
    Column("planned_start", Date),
    Column("planned_end", Date),
    Column("completed_on", Date),
    Column("notes", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_by", Uuid),
    Column(
        "geom", Geometry(geometry_type="GEOMETRY", srid=4326, spatial_index=True), nullable=False
    ),
    Column(
        "geom_3006",
        Geometry(geometry_type="GEOMETRY", srid=3006, spatial_index=True),
        Computed("ST_Transform(geom, 3006)", persisted=True),
        nullable=False,
    ),
    CheckConstraint(f"status IN ({_quoted(STATUS_CODES)})", name="status"),
    CheckConstraint(f"measures <@ ARRAY[{_quoted(MEASURE_CODES)}]::text[]", name="measures"),
    CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name="done_has_date"),
    CheckConstraint("char_length(name) BETWEEN 1 AND 200", name="name_length"),
    CheckConstraint("char_length(notes) <= 5000", name="notes_length"),
    CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name="geom_type"),
    CheckConstraint("ST_IsValid(geom)", name="geom_valid"),
    Index("ix_sites_status", "status"),
)

site_history = Table(
    "site_history",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("site_id", Uuid, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("changed_by", Uuid),
    Column("changed_by_email", Text),
    Column("from_status", Text),
    Column("to_status", Text, nullable=False),
    Column("changes", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_site_history_site_id", "site_id"),
)

promises = Table(
    "promises",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("position", Integer, nullable=False, server_default="0"),
    Column("area_sv", Text, nullable=False),
    Column("area_en", Text, nullable=False),
    Column("text_sv", Text, nullable=False),
    Column("text_en", Text, nullable=False),
    Column("hotspot_ids", ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")),
    Column("site_ids", ARRAY(Uuid), nullable=False, server_default=text("'{}'::uuid[]")),
    Column("source", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
    Index("ix_promises_year", "year"),
)

# The walkable street network for pgRouting: edges with costs in metres
# (cost = reverse_cost for walking; one-way streets are walkable both ways).
walk_vertices = Table(
    "walk_vertices",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("osm_id", BigInteger, nullable=False),
    Column("geom", Geometry(geometry_type="POINT", srid=4326, spatial_index=True), nullable=False),
    Index("uq_walk_vertices_osm_id", "osm_id", unique=True),
)

walk_ways = Table(
    "walk_ways",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("osm_id", BigInteger, nullable=False),
    Column("highway", Text, nullable=False),
    Column("name", Text),  # the street's name (OSM name=), for naming places
    Column("source", BigInteger, nullable=False),
    Column("target", BigInteger, nullable=False),
    Column("cost", Float, nullable=False),
    Column("reverse_cost", Float, nullable=False),
    Column(
        "geom",
        Geometry(geometry_type="LINESTRING", srid=4326, spatial_index=True),
        nullable=False,
    ),
    Index("ix_walk_ways_source", "source"),
    Index("ix_walk_ways_target", "target"),
)
