"""safe reports geom: a partial spatial index on the safe reports' SWEREF 99 TM geometries

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The safe share of each hotspot counts the safe reports inside its outline
# (summary_sql.SAFE_NEARBY). Safe reports are few, so the planner scanned the
# whole reports table for them: 0.8 s at 1M reports, most of an incremental
# refresh of a few hotspots (issue 13). With this index it looks up only the
# safe reports under each outline.


def upgrade() -> None:
    op.create_index(
        "ix_reports_safe_geom_3006",
        "reports",
        ["geom_3006"],
        postgresql_using="gist",
        postgresql_where=sa.text("kind = 'safe'"),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_safe_geom_3006", table_name="reports")
