"""app.services.staff.moderation: redaction rules and reverting, without HTTP."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.errors import Conflict, NotFound, Unprocessable
from app.security.access import Principal
from app.services.staff import moderation
from tests.conftest import Sql, point_feature
from tests.services.conftest import RunDb

MODERATOR = Principal(via="cli", roles=frozenset({"moderator"}))


def test_redact_cuts_only_what_is_there_and_reverts_once(
    client: TestClient, run_db: RunDb, sql: Sql
) -> None:
    posted = client.post("/api/v1/reports", json=point_feature(description="Kalle står här"))
    report_id = uuid.UUID(posted.json()["id"])
    with pytest.raises(Unprocessable):
        run_db(lambda db: moderation.redact(db, MODERATOR, report_id, ["Pelle"]))
    with pytest.raises(Unprocessable):
        run_db(lambda db: moderation.redact(db, MODERATOR, report_id, ["  "]))
    with pytest.raises(NotFound):
        run_db(lambda db: moderation.redact(db, MODERATOR, uuid.uuid4(), ["Kalle"]))
    done = run_db(lambda db: moderation.redact(db, MODERATOR, report_id, ["Kalle"]))
    assert sql.scalar("SELECT description FROM reports") == "[…] står här"
    action_id = uuid.UUID(done["action_id"])
    reverted = run_db(lambda db: moderation.revert(db, MODERATOR, action_id))
    assert reverted["reverted"] == "redact"
    with pytest.raises(Conflict):
        run_db(lambda db: moderation.revert(db, MODERATOR, action_id))
    with pytest.raises(NotFound):
        run_db(lambda db: moderation.revert(db, MODERATOR, uuid.uuid4()))
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["moderation:redact", "moderation:revert"]


def test_only_the_latest_action_on_a_report_can_be_reverted(
    client: TestClient, run_db: RunDb, sql: Sql
) -> None:
    posted = client.post("/api/v1/reports", json=point_feature(description="Kalle står här"))
    report_id = uuid.UUID(posted.json()["id"])
    redacted = run_db(lambda db: moderation.redact(db, MODERATOR, report_id, ["Kalle"]))
    hidden = run_db(lambda db: moderation.hide(db, MODERATOR, report_id))
    # Reverting the redaction now would bring the name back and unhide the report.
    with pytest.raises(Conflict, match="only the latest action") as refused:
        run_db(lambda db: moderation.revert(db, MODERATOR, uuid.UUID(redacted["action_id"])))
    assert hidden["action_id"] in str(refused.value)
    state = sql.one("SELECT status, description FROM reports")
    assert state == {"status": "hidden", "description": "[…] står här"}
    run_db(lambda db: moderation.revert(db, MODERATOR, uuid.UUID(hidden["action_id"])))
    assert sql.one("SELECT status FROM reports") == {"status": "published"}
    # With the later one undone, the earlier one is the latest again.
    run_db(lambda db: moderation.revert(db, MODERATOR, uuid.UUID(redacted["action_id"])))
    assert sql.scalar("SELECT description FROM reports") == "Kalle står här"
