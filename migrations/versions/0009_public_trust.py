"""public trust: held hotspots, generalised public shapes, moderator reviews

Revision ID: 0009
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0009"
# Branched from 0006; the lead re-chains it at merge.
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The generalised shape the public see (geo.generalise); staff keep `outline`.
    op.add_column(
        "hotspots",
        sa.Column(
            "public_outline", Geometry(geometry_type="POLYGON", srid=4326, spatial_index=False)
        ),
    )
    op.add_column(
        "hotspots",
        sa.Column(
            "public_centre", Geometry(geometry_type="POINT", srid=4326, spatial_index=False)
        ),
    )
    # Why the independence gate (geo.independence) held it; empty: not held.
    op.add_column(
        "hotspots",
        sa.Column(
            "held_reasons",
            postgresql.ARRAY(sa.Text),
            nullable=False,
            server_default=sa.text("'{}'::text[]"),
        ),
    )
    op.add_column(
        "hotspots",
        sa.Column("independent_units", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column(
        "hotspots",
        sa.Column(
            "support",
            postgresql.JSONB,
            nullable=False,
            server_default=sa.text("'{}'::jsonb"),
        ),
    )
    # Features of this batch that came without a respondent token: the batch
    # then counts as one source of support.
    op.add_column(
        "import_batches",
        sa.Column("untokened_reports", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "hotspot_reviews",
        sa.Column("hotspot_id", sa.Uuid, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("independent_units", sa.Integer, nullable=False),
        sa.Column("decided_by", sa.Uuid),
        sa.Column(
            "decided_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.CheckConstraint(
            "decision IN ('published', 'rejected')", name=op.f("ck_hotspot_reviews_decision")
        ),
        sa.ForeignKeyConstraint(
            ["hotspot_id"],
            ["hotspot_identities.id"],
            name=op.f("fk_hotspot_reviews_hotspot_id_hotspot_identities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hotspot_id", name=op.f("pk_hotspot_reviews")),
    )


def downgrade() -> None:
    op.drop_table("hotspot_reviews")
    op.drop_column("import_batches", "untokened_reports")
    for name in ("support", "independent_units", "held_reasons", "public_centre", "public_outline"):
        op.drop_column("hotspots", name)
