"""hotspot significance against the local background

Revision ID: 0010
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0010"
# Branched from 0006; the lead re-chains it at merge.
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Runs stored before this have no verdict: an empty object, not held back.
    op.add_column(
        "hotspots",
        sa.Column("significance", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    )
    op.add_column(
        "hotspots",
        sa.Column("significance_held", sa.Boolean, nullable=False, server_default=sa.text("false")),
    )


def downgrade() -> None:
    op.drop_column("hotspots", "significance_held")
    op.drop_column("hotspots", "significance")
