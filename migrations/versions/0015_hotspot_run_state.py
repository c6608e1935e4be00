"""hotspot run state: per-cell counts an incremental hotspot refresh starts from

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One row per unfiltered run: the cell counts behind the area-wide
    # significance inputs, so a refresh of one neighbourhood can update them
    # without clustering everything again (issue 13).
    op.create_table(
        "hotspot_run_state",
        sa.Column("run_id", sa.BigInteger, nullable=False),
        sa.Column("incremental", sa.Boolean, nullable=False),
        sa.Column("gx", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column("gy", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column("places", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column("noise", postgresql.ARRAY(sa.Integer), nullable=False),
        sa.Column(
            "recent",
            postgresql.ARRAY(sa.Uuid),
            nullable=False,
            server_default=sa.text("'{}'::uuid[]"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_runs.id"],
            name=op.f("fk_hotspot_run_state_run_id_hotspot_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_hotspot_run_state")),
    )


    # The reports received since the last run: what a refresh recomputes around.
    op.create_index("ix_reports_received_at", "reports", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_reports_received_at", table_name="reports")
    op.drop_table("hotspot_run_state")
