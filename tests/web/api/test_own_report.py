"""A resident reads their own report's status with the receipt; staff keep their view."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Sql, point_feature

Headers = Callable[..., dict[str, str]]


def test_the_location_answers_the_resident_with_status_and_moderation_only(
    client: TestClient, sql: Sql
) -> None:
    filed = client.post("/api/v1/reports", json=point_feature(description="mörkt vid bron"))
    assert filed.status_code == 201, filed.text
    body = filed.json()
    location = filed.headers["location"]

    own = client.get(location, headers={"X-Receipt": body["receipt"]})
    assert own.status_code == 200, own.text
    assert own.json() == {"id": body["id"], "status": "published", "moderation": "pending"}
    assert own.headers["cache-control"] == "private, no-store"
    # The receipt as typed: lower case and spaces are forgiven, as when withdrawing.
    typed = client.get(location, headers={"X-Receipt": " " + body["receipt"].lower()})
    assert typed.status_code == 200

    sql.all("UPDATE reports SET status = 'hidden', text_status = 'redacted'")
    later = client.get(location, headers={"X-Receipt": body["receipt"]}).json()
    assert later == {"id": body["id"], "status": "hidden", "moderation": "redacted"}


def test_a_wrong_receipt_is_like_an_unknown_report(client: TestClient) -> None:
    filed = client.post("/api/v1/reports", json=point_feature()).json()
    wrong = client.get(f"/api/v1/reports/{filed['id']}", headers={"X-Receipt": "AAAA-BBBB-CCCC"})
    unknown = client.get(f"/api/v1/reports/{uuid.uuid4()}", headers={"X-Receipt": filed["receipt"]})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert client.get(f"/api/v1/reports/{filed['id']}").status_code == 401


def test_staff_still_read_the_raw_report_and_are_audited(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    filed = client.post("/api/v1/reports", json=point_feature()).json()
    answer = client.get(f"/api/v1/reports/{filed['id']}", headers=staff_headers("police"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    assert answer.json()["geometry"]["type"] == "Point"
    assert sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:read'") == 1
    moderator = client.get(f"/api/v1/reports/{filed['id']}", headers=staff_headers("moderator"))
    assert moderator.status_code == 403
