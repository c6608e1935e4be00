"""Moderation: free text reaches police and planners only after a moderator's step."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Sql, UserFactory, login, point_feature

Headers = Callable[..., dict[str, str]]


def _report(client: TestClient, text: str) -> str:
    answer = client.post("/api/v1/reports", json=point_feature(description=text))
    assert answer.status_code == 201
    return str(answer.json()["id"])


def _text(client: TestClient, report_id: str, headers: dict[str, str]) -> object:
    answer = client.get(f"/api/v1/reports/{report_id}", headers=headers)
    assert answer.status_code == 200
    return answer.json()["properties"]["description"]


def test_moderator_approves_and_redacts(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    plain = _report(client, "Trasig lampa vid busshållplatsen")
    named = _report(client, "Sven Svensson hänger här varje kväll och skriker")
    no_text = client.post("/api/v1/reports", json=point_feature()).json()["id"]
    mod = staff_headers("moderator")
    planner = staff_headers("planner")

    queue = client.get("/api/v1/moderation/queue", headers=mod).json()["reports"]
    assert [r["id"] for r in queue] == [plain, named]  # oldest first; no_text never queued
    assert queue[1]["description"].startswith("Sven")
    assert no_text not in str(queue)
    assert _text(client, plain, planner) is None

    approved = client.post(f"/api/v1/moderation/reports/{plain}/approve", headers=mod)
    assert approved.status_code == 200
    assert _text(client, plain, planner) == "Trasig lampa vid busshållplatsen"

    missing = client.post(
        f"/api/v1/moderation/reports/{named}/redact", json={"remove": ["Nisse"]}, headers=mod
    )
    assert missing.status_code == 422
    redacted = client.post(
        f"/api/v1/moderation/reports/{named}/redact",
        json={"remove": ["Sven Svensson"]},
        headers=mod,
    )
    assert redacted.status_code == 200, redacted.text
    assert _text(client, named, planner) == "[…] hänger här varje kväll och skriker"
    assert client.get("/api/v1/moderation/queue", headers=mod).json()["reports"] == []
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert "moderation:approve" in actions and "moderation:redact" in actions


def test_hidden_report_stops_counting_and_admin_reverts(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    report = _report(client, "Någon kastar sten")
    mod = staff_headers("moderator")
    admin = staff_headers("admin")
    version = sql.scalar("SELECT version FROM data_version WHERE name = 'reports'")

    hidden = client.post(f"/api/v1/moderation/reports/{report}/hide", headers=mod)
    assert hidden.status_code == 200
    assert sql.scalar("SELECT status FROM reports WHERE id = %s", (report,)) == "hidden"
    assert sql.scalar("SELECT version FROM data_version WHERE name = 'reports'") == version + 1
    police = staff_headers("police")
    listed = client.get("/api/v1/reports?status=published", headers=police).json()
    assert listed["features"] == []

    action_id = hidden.json()["action_id"]
    assert (
        client.post(f"/api/v1/moderation/actions/{action_id}/revert", headers=mod).status_code
        == 403
    )
    undone = client.post(f"/api/v1/moderation/actions/{action_id}/revert", headers=admin)
    assert undone.status_code == 200
    assert sql.scalar("SELECT status FROM reports WHERE id = %s", (report,)) == "published"
    assert sql.scalar("SELECT version FROM data_version WHERE name = 'reports'") == version + 2
    again = client.post(f"/api/v1/moderation/actions/{action_id}/revert", headers=admin)
    assert again.status_code == 409
    history = client.get(f"/api/v1/moderation/reports/{report}/actions", headers=mod).json()
    assert history["actions"][0]["reverted_at"] is not None


def test_admin_reverts_a_redaction_to_the_original_text(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    report = _report(client, "Mörkt vid Kungsgatan")
    mod = staff_headers("moderator")
    done = client.post(
        f"/api/v1/moderation/reports/{report}/redact", json={"remove": ["Kungsgatan"]}, headers=mod
    ).json()
    admin = staff_headers("admin")
    client.post(f"/api/v1/moderation/actions/{done['action_id']}/revert", headers=admin)
    row = sql.one("SELECT description, text_status FROM reports WHERE id = %s", (report,))
    assert row == {"description": "Mörkt vid Kungsgatan", "text_status": "pending"}


def test_moderation_page_works_with_forms(
    client: TestClient, make_user: UserFactory, sql: Sql
) -> None:
    report = _report(client, "Glaskross överallt")
    email, password = make_user(roles=["moderator"])
    csrf = login(client, email, password)
    page = client.get("/staff/moderation")
    assert page.status_code == 200 and "Glaskross överallt" in page.text
    assert re.search(r'name="csrf_token" value="' + re.escape(csrf), page.text)
    done = client.post(
        f"/staff/moderation/{report}",
        data={"action": "approve", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert sql.scalar("SELECT text_status FROM reports WHERE id = %s", (report,)) == "approved"
    assert "Glaskross" not in client.get("/staff/moderation").text
