"""app.services.staff.users: checks and audit without HTTP in between."""

from __future__ import annotations

import uuid

import pytest

from app.errors import Conflict, NotFound, Unprocessable
from app.security.access import Principal
from app.services.staff import users
from tests.conftest import Sql
from tests.services.conftest import RunDb

CLI = Principal(via="cli")


def test_create_normalises_and_audits(run_db: RunDb, sql: Sql) -> None:
    row = run_db(
        lambda db: users.create_user(db, CLI, " Ny@Example.se ", ["police", "police"], "lång-nog-1")
    )
    assert row["email"] == "ny@example.se" and list(row["roles"]) == ["police"]
    entry = sql.one("SELECT action, target, actor FROM audit_log")
    assert entry == {"action": "users:create", "target": "ny@example.se", "actor": "cli"}


@pytest.mark.parametrize(
    ("email", "roles", "error"),
    [
        ("not-an-address", ["police"], Unprocessable),
        ("ok@example.se", ["chief"], Unprocessable),
    ],
)
def test_create_refuses_bad_input(
    run_db: RunDb, email: str, roles: list[str], error: type[Exception]
) -> None:
    with pytest.raises(error):
        run_db(lambda db: users.create_user(db, CLI, email, roles, "lång-nog-1"))


def test_last_admin_cannot_lose_the_role(run_db: RunDb) -> None:
    admin = run_db(lambda db: users.create_user(db, CLI, "a@example.se", ["admin"], "lång-nog-1"))
    with pytest.raises(Conflict):
        run_db(lambda db: users.change_user(db, CLI, admin["id"], roles=["police"]))
    with pytest.raises(Conflict):
        run_db(lambda db: users.change_user(db, CLI, admin["id"], active=False))
    with pytest.raises(Unprocessable):
        run_db(lambda db: users.change_user(db, CLI, admin["id"]))
    with pytest.raises(NotFound):
        run_db(lambda db: users.change_user(db, CLI, uuid.uuid4(), active=True))
