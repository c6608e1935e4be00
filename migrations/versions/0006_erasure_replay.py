"""erasure log replay position

Revision ID: 0006
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
# Branched from 0004 alongside 0005 (audit actions); the lead re-chains it.
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One row: how far into the erasure log this database has applied. A restore
    # brings back an older row, so replay starts where that copy left off.
    op.create_table(
        "erasure_replay",
        sa.Column("id", sa.SmallInteger, nullable=False),
        sa.Column("log_offset", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("id = 1", name=op.f("ck_erasure_replay_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_replay")),
    )
    op.execute("INSERT INTO erasure_replay (id, log_offset) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("erasure_replay")
