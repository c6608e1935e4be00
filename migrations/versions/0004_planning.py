"""patrol plans, redesign sites, promises

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# pgRouting is used when the server has it (Debian: postgresql-15-pgrouting);
# without it patrol plans fall back to straight lines, so a database without
# the package can still be migrated.
PGROUTING = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pgrouting') THEN
        CREATE EXTENSION IF NOT EXISTS pgrouting;
    END IF;
END $$;
"""


def _geometry(kind: str, srid: int) -> Geometry:
    return Geometry(
        geometry_type=kind,
        srid=srid,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=False,
    )


def upgrade() -> None:
    op.execute(PGROUTING)
    op.create_table(
        "patrol_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("plan", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("routing", sa.Text(), nullable=False),
        sa.Column(
            "route",
            Geometry(geometry_type="LINESTRING", srid=4326, dimension=2, spatial_index=False,
                     from_text="ST_GeomFromEWKT", name="geometry"),
            nullable=True,
        ),
        sa.CheckConstraint("routing IN ('network', 'straight_line')", name=op.f("ck_patrol_plans_routing")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plans")),
    )
    op.create_index("ix_patrol_plans_created_at", "patrol_plans", ["created_at"], unique=False)
    op.create_table(
        "promises",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("area_sv", sa.Text(), nullable=False),
        sa.Column("area_en", sa.Text(), nullable=False),
        sa.Column("text_sv", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("hotspot_ids", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("site_ids", sa.ARRAY(sa.Uuid()), server_default=sa.text("'{}'::uuid[]"), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_promises_year")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promises")),
    )
    op.create_index("ix_promises_year", "promises", ["year"], unique=False)
    op.create_table(
        "sites",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="candidate", nullable=False),
        sa.Column("hotspot_id", sa.Text(), nullable=True),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("measures", sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
        sa.Column("responsible", sa.Text(), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("planned_end", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("geom", _geometry("GEOMETRY", 4326), nullable=False),
        sa.Column("geom_3006", _geometry("GEOMETRY", 3006), sa.Computed("ST_Transform(geom, 3006)", persisted=True), nullable=False),
        sa.CheckConstraint("GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')", name=op.f("ck_sites_geom_type")),
        sa.CheckConstraint("measures <@ ARRAY['better_lighting', 'clear_vegetation', 'more_activity', 'escape_routes', 'presence', 'traffic_safety', 'cleaning', 'cctv_review', 'other_measure']::text[]", name=op.f("ck_sites_measures")),
        sa.CheckConstraint("status <> 'done' OR completed_on IS NOT NULL", name=op.f("ck_sites_done_has_date")),
        sa.CheckConstraint("status IN ('candidate', 'planned', 'in_progress', 'done', 'rejected')", name=op.f("ck_sites_status")),
        sa.CheckConstraint("ST_IsValid(geom)", name=op.f("ck_sites_geom_valid")),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 200", name=op.f("ck_sites_name_length")),
        sa.CheckConstraint("char_length(notes) <= 5000", name=op.f("ck_sites_notes_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    op.create_index("idx_sites_geom", "sites", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("idx_sites_geom_3006", "sites", ["geom_3006"], unique=False, postgresql_using="gist")
    op.create_index("ix_sites_status", "sites", ["status"], unique=False)
    op.create_table(
        "walk_vertices",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("osm_id", sa.BigInteger(), nullable=False),
        sa.Column("geom", _geometry("POINT", 4326), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_vertices")),
    )
    op.create_index("idx_walk_vertices_geom", "walk_vertices", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("uq_walk_vertices_osm_id", "walk_vertices", ["osm_id"], unique=True)
    op.create_table(
        "walk_ways",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("osm_id", sa.BigInteger(), nullable=False),
        sa.Column("highway", sa.Text(), nullable=False),
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("reverse_cost", sa.Float(), nullable=False),
        sa.Column("geom", _geometry("LINESTRING", 4326), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_ways")),
    )
    op.create_index("idx_walk_ways_geom", "walk_ways", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("ix_walk_ways_source", "walk_ways", ["source"], unique=False)
    op.create_index("ix_walk_ways_target", "walk_ways", ["target"], unique=False)
    op.create_table(
        "patrol_runs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("carried_out_on", sa.Date(), nullable=False),
        sa.Column("hotspot_ids", sa.ARRAY(sa.Text()), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("char_length(note) <= 2000", name=op.f("ck_patrol_runs_note_length")),
        sa.ForeignKeyConstraint(["plan_id"], ["patrol_plans.id"], name=op.f("fk_patrol_runs_plan_id_patrol_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_runs")),
    )
    op.create_index("ix_patrol_runs_hotspot_ids", "patrol_runs", ["hotspot_ids"], unique=False, postgresql_using="gin")
    op.create_index("ix_patrol_runs_plan_id", "patrol_runs", ["plan_id"], unique=False)
    op.create_table(
        "site_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("site_id", sa.Uuid(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.Column("changed_by_email", sa.Text(), nullable=True),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_history_site_id_sites"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_history")),
    )
    op.create_index("ix_site_history_site_id", "site_history", ["site_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_site_history_site_id", table_name="site_history")
    op.drop_table("site_history")
    op.drop_index("ix_patrol_runs_plan_id", table_name="patrol_runs")
    op.drop_index("ix_patrol_runs_hotspot_ids", table_name="patrol_runs", postgresql_using="gin")
    op.drop_table("patrol_runs")
    op.drop_index("ix_walk_ways_target", table_name="walk_ways")
    op.drop_index("ix_walk_ways_source", table_name="walk_ways")
    op.drop_index("idx_walk_ways_geom", table_name="walk_ways", postgresql_using="gist")
    op.drop_table("walk_ways")
    op.drop_index("uq_walk_vertices_osm_id", table_name="walk_vertices")
    op.drop_index("idx_walk_vertices_geom", table_name="walk_vertices", postgresql_using="gist")
    op.drop_table("walk_vertices")
    op.drop_index("ix_sites_status", table_name="sites")
    op.drop_index("idx_sites_geom_3006", table_name="sites", postgresql_using="gist")
    op.drop_index("idx_sites_geom", table_name="sites", postgresql_using="gist")
    op.drop_table("sites")
    op.drop_index("ix_promises_year", table_name="promises")
    op.drop_table("promises")
    op.drop_index("ix_patrol_plans_created_at", table_name="patrol_plans")
    op.drop_table("patrol_plans")
    op.execute("DROP EXTENSION IF EXISTS pgrouting")
