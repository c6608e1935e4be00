"""staff credential triggers dropped: nothing caches tokens any more

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migration 0016's statement triggers told the bearer-token cache of every
# change to `api_tokens` and `staff_users`. The cache could never serve without
# breaking the rule that a change made by any tool stops the very next request
# (the notification arrives a moment after the commit), so it is gone and every
# request looks its credentials up. The triggers cost a WAL flush per page:
# NOTIFY gives its transaction an id at commit even when the statement changed
# no row, so the token lookup's `UPDATE api_tokens SET last_used_at` (no row on
# most pages) wrote a commit record and waited for its flush.
CHANNEL = "trygg_staff_auth"
TABLES = ("api_tokens", "staff_users")


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_auth_changed ON {table}")
    op.execute("DROP FUNCTION IF EXISTS staff_auth_changed()")


def downgrade() -> None:
    op.execute(
        f"""
CREATE FUNCTION staff_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END $$
"""
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_changed()"
        )
