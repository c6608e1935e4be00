"""named places, presence groups and plans, safety walks, the coordinator role

Revision ID: 0008
Revises: 0006
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = "roles <@ ARRAY['police', 'planner', 'moderator', 'admin']::text[]"
NEW_ROLES = "roles <@ ARRAY['police', 'planner', 'moderator', 'admin', 'coordinator']::text[]"


def _geometry(kind: str) -> Geometry:
    return Geometry(
        geometry_type=kind,
        srid=4326,
        dimension=2,
        spatial_index=False,
        from_text="ST_GeomFromEWKT",
        name="geometry",
        nullable=False,
    )


def _now() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False)


def upgrade() -> None:
    op.drop_constraint(op.f("ck_staff_users_roles"), "staff_users", type_="check")
    op.create_check_constraint(op.f("ck_staff_users_roles"), "staff_users", NEW_ROLES)
    op.add_column("walk_ways", sa.Column("name", sa.Text(), nullable=True))
    op.create_table(
        "place_names",
        sa.Column("hotspot_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("source IN ('gazetteer', 'network', 'planner')", name=op.f("ck_place_names_source")),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 120", name=op.f("ck_place_names_name_length")),
        sa.PrimaryKeyConstraint("hotspot_id", name=op.f("pk_place_names")),
    )
    op.create_table(
        "place_name_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("hotspot_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_name_history")),
    )
    op.create_index("ix_place_name_history_hotspot_id", "place_name_history", ["hotspot_id"], unique=False)
    op.create_table(
        "presence_groups",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("shifts", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
        _now(),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("kind IN ('police', 'volunteers', 'guards', 'field_workers', 'leisure')", name=op.f("ck_presence_groups_kind")),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 120", name=op.f("ck_presence_groups_name_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_groups")),
    )
    op.create_table(
        "presence_plans",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.Text(), nullable=False),
        sa.Column("request", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("plan", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _now(),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_plans")),
    )
    op.create_index("ix_presence_plans_week", "presence_plans", ["week"], unique=False)
    op.create_table(
        "presence_visits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("group_name", sa.Text(), nullable=False),
        sa.Column("group_kind", sa.Text(), nullable=False),
        sa.Column("hotspot_id", sa.Text(), nullable=False),
        sa.Column("stop_key", sa.Text(), nullable=False),
        sa.Column("carried_out_on", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("char_length(note) <= 2000", name=op.f("ck_presence_visits_note_length")),
        sa.ForeignKeyConstraint(["plan_id"], ["presence_plans.id"], name=op.f("fk_presence_visits_plan_id_presence_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_visits")),
    )
    op.create_index("uq_presence_visits_stop", "presence_visits", ["plan_id", "stop_key"], unique=True)
    op.create_index("ix_presence_visits_carried_out_on", "presence_visits", ["carried_out_on"], unique=False)
    op.create_table(
        "walks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("meeting_point", sa.Text(), nullable=True),
        sa.Column("meeting_time", sa.Text(), nullable=True),
        sa.Column("announce", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        _now(),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("geom", _geometry("GEOMETRY"), nullable=False),
        sa.CheckConstraint("GeometryType(geom) IN ('POLYGON', 'LINESTRING')", name=op.f("ck_walks_geom_type")),
        sa.CheckConstraint("char_length(name) BETWEEN 1 AND 200", name=op.f("ck_walks_name_length")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walks")),
    )
    op.create_index("ix_walks_date", "walks", ["date"], unique=False)
    op.create_table(
        "walk_stops",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("walk_id", sa.Uuid(), nullable=False),
        sa.Column("client_key", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("hotspot_id", sa.Text(), nullable=True),
        sa.Column("checklist", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _now(),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=False),
        sa.CheckConstraint("char_length(note) <= 4000", name=op.f("ck_walk_stops_note_length")),
        sa.ForeignKeyConstraint(["walk_id"], ["walks.id"], name=op.f("fk_walk_stops_walk_id_walks"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_stops")),
    )
    op.create_index("uq_walk_stops_client_key", "walk_stops", ["walk_id", "client_key"], unique=True)
    op.create_table(
        "walk_actions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("walk_id", sa.Uuid(), nullable=False),
        sa.Column("stop_id", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("site_id", sa.Uuid(), nullable=True),
        _now(),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("char_length(text) BETWEEN 1 AND 2000", name=op.f("ck_walk_actions_text_length")),
        sa.ForeignKeyConstraint(["walk_id"], ["walks.id"], name=op.f("fk_walk_actions_walk_id_walks"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["stop_id"], ["walk_stops.id"], name=op.f("fk_walk_actions_stop_id_walk_stops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_actions")),
    )
    op.create_index("ix_walk_actions_walk_id", "walk_actions", ["walk_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_walk_actions_walk_id", table_name="walk_actions")
    op.drop_table("walk_actions")
    op.drop_index("uq_walk_stops_client_key", table_name="walk_stops")
    op.drop_table("walk_stops")
    op.drop_index("ix_walks_date", table_name="walks")
    op.drop_table("walks")
    op.drop_index("ix_presence_visits_carried_out_on", table_name="presence_visits")
    op.drop_index("uq_presence_visits_stop", table_name="presence_visits")
    op.drop_table("presence_visits")
    op.drop_index("ix_presence_plans_week", table_name="presence_plans")
    op.drop_table("presence_plans")
    op.drop_table("presence_groups")
    op.drop_index("ix_place_name_history_hotspot_id", table_name="place_name_history")
    op.drop_table("place_name_history")
    op.drop_table("place_names")
    op.drop_column("walk_ways", "name")
    op.execute("UPDATE staff_users SET roles = array_remove(roles, 'coordinator')")
    op.drop_constraint(op.f("ck_staff_users_roles"), "staff_users", type_="check")
    op.create_check_constraint(op.f("ck_staff_users_roles"), "staff_users", OLD_ROLES)
