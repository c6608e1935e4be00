"""/api/v1/tokens: tokens are shown once, stored hashed, and revocable."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Sql

Headers = Callable[..., dict[str, str]]


def test_token_is_shown_once_works_and_stops_when_revoked(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    me = staff_headers("police", "p@example.se")
    made = client.post("/api/v1/tokens", json={"name": "QGIS"}, headers=me)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert token.startswith("trygg_")
    assert (
        sql.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = %s", (token.encode(),)) == 0
    )

    mine = client.get("/api/v1/tokens", headers=me).json()["tokens"]
    assert {t["name"] for t in mine} == {"test", "QGIS"}
    assert token not in str(mine)

    use = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports", headers=use).status_code == 200
    gone = client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=me)
    assert gone.status_code == 204
    assert client.get("/api/v1/reports", headers=use).status_code == 401
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert "tokens:create" in actions and "tokens:revoke" in actions


def test_others_tokens_are_invisible_except_to_admins(
    client: TestClient, staff_headers: Headers
) -> None:
    alice = staff_headers("planner", "alice@example.se")
    bob = staff_headers("planner", "bob@example.se")
    admin = staff_headers("admin", "admin@example.se")
    token_id = client.post("/api/v1/tokens", json={"name": "a"}, headers=alice).json()["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=bob).status_code == 404
    assert "alice@example.se" not in client.get("/api/v1/tokens?all=true", headers=bob).text
    everyone = client.get("/api/v1/tokens?all=true", headers=admin).json()["tokens"]
    assert {"alice@example.se", "bob@example.se"} <= {t["user"] for t in everyone}
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 204


def test_admin_issues_a_token_for_another_user(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    staff_headers("planner", "gis@example.se")
    user_id = sql.scalar("SELECT id FROM staff_users WHERE email = 'gis@example.se'")
    admin = staff_headers("admin")
    made = client.post(
        "/api/v1/tokens", json={"name": "gis", "user_id": str(user_id)}, headers=admin
    )
    assert made.status_code == 201 and made.json()["user"] == "gis@example.se"
    use = {"Authorization": f"Bearer {made.json()['token']}"}
    assert client.get("/api/v1/reports", headers=use).status_code == 200
    planner = staff_headers("planner")
    other = client.post("/api/v1/tokens", json={"user_id": str(user_id)}, headers=planner)
    assert other.status_code == 404
