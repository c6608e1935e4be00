"""audit actions named noun:verb

Revision ID: 0005
Revises: 0004

Older rows said `sites.export`, `patrol_plan.export` and `patrol_plan.print`, and
bare `login` / `logout`;
every action is now `noun:verb` so one filter finds them all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMED = {
    "sites.export": "sites:export",
    "patrol_plan.export": "patrol_plans:export",
    "patrol_plan.print": "patrol_plans:print",
    "login": "session:login",
    "logout": "session:logout",
}


def _rename(mapping: dict[str, str]) -> None:
    # The log is append-only by trigger; this one migration may rewrite names,
    # inside its transaction, and nothing else.
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    for old, new in mapping.items():
        op.execute(
            sa.text("UPDATE audit_log SET action = :new WHERE action = :old").bindparams(
                old=old, new=new
            )
        )
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})
