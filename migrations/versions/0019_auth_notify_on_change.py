"""staff auth notifications only when a row changed

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Migration 0016's statement triggers notified for every UPDATE, even one that
# matched no row. The token lookup's `UPDATE api_tokens SET last_used_at ...`
# matches nothing on most pages (it writes at most once a minute), so every
# page emptied every process's token cache and no token was ever served from
# it. The triggers now notify only when the statement changed a row: still one
# notification per statement, still sent at commit, so a revoke made by any
# tool applies to the very next request as before.
CHANNEL = "trygg_staff_auth"
TABLES = ("api_tokens", "staff_users")


def upgrade() -> None:
    op.execute(
        f"""
CREATE FUNCTION staff_auth_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        PERFORM pg_notify('{CHANNEL}', '');
    END IF;
    RETURN NULL;
END $$
"""
    )
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_auth_changed ON {table}")
        # Transition tables allow one event per trigger, hence three.
        op.execute(
            f"CREATE TRIGGER {table}_auth_updated AFTER UPDATE ON {table} "
            "REFERENCING NEW TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_rows_changed()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_auth_deleted AFTER DELETE ON {table} "
            "REFERENCING OLD TABLE AS changed "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_rows_changed()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_auth_truncated AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        for suffix in ("updated", "deleted", "truncated"):
            op.execute(f"DROP TRIGGER {table}_auth_{suffix} ON {table}")
        op.execute(
            f"CREATE TRIGGER {table}_auth_changed AFTER UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION staff_auth_changed()"
        )
    op.execute("DROP FUNCTION staff_auth_rows_changed()")
