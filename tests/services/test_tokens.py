"""app.services.staff.tokens: who may issue and revoke which token."""

from __future__ import annotations

import pytest

from app.config import Settings
from app.errors import NotFound
from app.repo import users as store
from app.security.access import Principal
from app.services.staff import tokens, users
from tests.conftest import Sql
from tests.services.conftest import RunDb

CLI = Principal(via="cli")


def test_cli_token_only_for_an_active_user(run_db: RunDb, settings: Settings, sql: Sql) -> None:
    with pytest.raises(NotFound, match="no active user"):
        run_db(lambda db: tokens.issue_by_email(db, settings.key, CLI, "x@example.se", "gis"))
    run_db(lambda db: users.create_user(db, CLI, "x@example.se", ["police"], "lång-nog-1"))
    token = run_db(lambda db: tokens.issue_by_email(db, settings.key, CLI, "x@example.se", "gis"))
    assert token.startswith("trygg_")
    assert sql.scalar("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") == "tokens:create"


def test_others_tokens_look_missing(run_db: RunDb, settings: Settings) -> None:
    owner = run_db(lambda db: users.create_user(db, CLI, "o@example.se", ["police"], "lång-nog-1"))
    other = run_db(lambda db: users.create_user(db, CLI, "p@example.se", ["police"], "lång-nog-1"))
    as_owner = Principal(owner["id"], owner["email"], frozenset({"police"}), "token")
    as_other = Principal(other["id"], other["email"], frozenset({"police"}), "token")
    _, row = run_db(lambda db: tokens.issue_for(db, settings.key, as_owner, "mine"))
    assert row["email"] == "o@example.se"
    with pytest.raises(NotFound):
        run_db(lambda db: tokens.issue_for(db, settings.key, as_other, "x", owner["id"]))
    with pytest.raises(NotFound):
        run_db(lambda db: tokens.revoke_token(db, as_other, row["id"]))
    run_db(lambda db: tokens.revoke_token(db, as_owner, row["id"]))
    revoked = run_db(lambda db: store.get_token(db, row["id"]))
    assert revoked is not None and revoked["revoked_at"] is not None
