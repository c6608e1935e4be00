"""ogc paging and auth: reports indexed by (created_at, id); staff credential changes notified

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Newest-first pages (OGC items, the staff lists) order by (created_at, id):
# with both in the index, a page key is a range scan and an `offset` skips
# index entries only (an index-only scan), never table rows. It replaces the
# index on created_at alone, which it serves as well.
# A process keeps verified bearer tokens for a few seconds; it forgets them
# all when a token or a staff user changes, told by this notification (sent at
# commit, whichever process or tool made the change).
CHANNEL = "trygg_staff_auth"
TRIGGERS = {
    # Any update, last use included: a token used again after a minute is looked
    # up again, so that its `last_used_at` is still noted about once a minute.
    "api_tokens": "UPDATE OR DELETE OR TRUNCATE",
    "staff_users": "UPDATE OR DELETE OR TRUNCATE",
}


def upgrade() -> None:
    op.create_index("ix_reports_created_at_id", "reports", ["created_at", "id"])
    op.drop_index("ix_reports_created_at", table_name="reports")
    op.execute(
        f"""
CREATE FUNCTION staff_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$
"""
    )
    for table, events in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER {table}_auth_changed AFTER {events} ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_changed()"
        )


def downgrade() -> None:
    for table in TRIGGERS:
        op.execute(f"DROP TRIGGER {table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION staff_auth_changed()")
    op.create_index("ix_reports_created_at", "reports", ["created_at"])
    op.drop_index("ix_reports_created_at_id", table_name="reports")
