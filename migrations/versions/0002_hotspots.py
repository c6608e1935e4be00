"""hotspot runs, hotspots and their stable identities

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import geoalchemy2  # noqa: F401
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geometry(kind: str, srid: int, *, spatial_index: bool = True) -> Geometry:
    # The GiST indexes are created explicitly below (as autogenerate writes them).
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
    op.create_geospatial_table(
        "hotspot_identities",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "first_seen",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "last_seen", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("outline_3006", _geometry("POLYGON", 3006), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_identities")),
    )
    op.create_geospatial_index(
        "idx_hotspot_identities_outline_3006",
        "hotspot_identities",
        ["outline_3006"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "hotspot_runs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("filter_key", sa.Text(), nullable=False),
        sa.Column("filters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("params_hash", sa.Text(), nullable=False),
        sa.Column("input_version", sa.BigInteger(), nullable=False),
        sa.Column("input_reports", sa.BigInteger(), nullable=False),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "finished_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("k_mc", sa.Integer(), nullable=False),
        sa.Column("k_threshold", sa.Integer(), nullable=False),
        sa.Column("hotspot_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_runs")),
    )
    op.create_index(
        "ix_hotspot_runs_filter_key_id", "hotspot_runs", ["filter_key", "id"], unique=False
    )
    op.create_geospatial_table(
        "hotspots",
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("hotspot_id", sa.Uuid(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reporters", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("times", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("days", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("hours", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("severity_mean", sa.Float(), nullable=True),
        sa.Column("safe_share", sa.Float(), nullable=False),
        sa.Column("first_report", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_report", sa.DateTime(timezone=True), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column(
            "possibly_coordinated", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("outline", _geometry("POLYGON", 4326), nullable=False),
        sa.Column("outline_3006", _geometry("POLYGON", 3006, spatial_index=False), nullable=False),
        sa.Column("centre", _geometry("POINT", 4326, spatial_index=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["hotspot_id"],
            ["hotspot_identities.id"],
            name=op.f("fk_hotspots_hotspot_id_hotspot_identities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_runs.id"],
            name=op.f("fk_hotspots_run_id_hotspot_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "hotspot_id", name=op.f("pk_hotspots")),
    )
    op.create_geospatial_index(
        "idx_hotspots_outline",
        "hotspots",
        ["outline"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index("ix_hotspots_hotspot_id", "hotspots", ["hotspot_id"], unique=False)
    op.create_index("ix_hotspots_run_id_rank", "hotspots", ["run_id", "rank"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_hotspots_run_id_rank", table_name="hotspots")
    op.drop_index("ix_hotspots_hotspot_id", table_name="hotspots")
    op.drop_geospatial_index(
        "idx_hotspots_outline",
        table_name="hotspots",
        postgresql_using="gist",
        column_name="outline",
    )
    op.drop_geospatial_table("hotspots")
    op.drop_index("ix_hotspot_runs_filter_key_id", table_name="hotspot_runs")
    op.drop_table("hotspot_runs")
    op.drop_geospatial_index(
        "idx_hotspot_identities_outline_3006",
        table_name="hotspot_identities",
        postgresql_using="gist",
        column_name="outline_3006",
    )
    op.drop_geospatial_table("hotspot_identities")
