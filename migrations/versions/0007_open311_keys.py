"""Open311 client keys and the source of each Open311 request

Revision ID: 0007
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
# Other branches add 0005 and 0006; this is re-chained after them when merged.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("key_hash", sa.LargeBinary(), nullable=False),
        sa.Column("per_hour", sa.Integer(), server_default="600", nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("per_hour > 0", name=op.f("ck_open311_keys_per_hour")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
    )
    op.create_index("uq_open311_keys_key_hash", "open311_keys", ["key_hash"], unique=True)
    op.create_table(
        "open311_requests",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("key_id", sa.Uuid(), nullable=False),
        sa.Column("service_code", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"],
            ["open311_keys.id"],
            name=op.f("fk_open311_requests_key_id_open311_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_open311_requests_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_open311_requests")),
    )
    op.create_index("ix_open311_requests_key_id", "open311_requests", ["key_id"])


def downgrade() -> None:
    op.drop_index("ix_open311_requests_key_id", table_name="open311_requests")
    op.drop_table("open311_requests")
    op.drop_index("uq_open311_keys_key_hash", table_name="open311_keys")
    op.drop_table("open311_keys")
