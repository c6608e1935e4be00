"""/api/v1/users: admins manage staff users; passwords only ever as Argon2 hashes."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Sql

Headers = Callable[..., dict[str, str]]


def test_admin_creates_and_changes_a_user(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    admin = staff_headers("admin", "boss@example.se")
    made = client.post(
        "/api/v1/users",
        json={
            "email": "Ny.Planerare@Example.se",
            "roles": ["planner"],
            "password": "secret-pass-1",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    user = made.json()
    assert user["email"] == "ny.planerare@example.se" and user["roles"] == ["planner"]
    assert "password" not in str(user)
    stored = sql.scalar("SELECT password_hash FROM staff_users WHERE id = %s", (user["id"],))
    assert stored.startswith("$argon2id$") and "secret-pass-1" not in stored

    listed = client.get("/api/v1/users", headers=admin).json()["users"]
    assert "ny.planerare@example.se" in {u["email"] for u in listed}

    changed = client.patch(
        f"/api/v1/users/{user['id']}", json={"roles": ["planner", "police"]}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["roles"] == ["planner", "police"]
    off = client.patch(f"/api/v1/users/{user['id']}", json={"active": False}, headers=admin)
    assert off.json()["active"] is False

    entries = sql.all("SELECT actor, action, target, details FROM audit_log ORDER BY id")
    assert [e["action"] for e in entries] == ["users:create", "users:update", "users:update"]
    assert entries[0]["actor"] == "boss@example.se"
    assert entries[1]["details"]["roles_before"] == ["planner"]
    assert "secret-pass-1" not in str(entries)


def test_bad_user_input_is_refused_clearly(client: TestClient, staff_headers: Headers) -> None:
    admin = staff_headers("admin")

    def post(body: dict[str, object]) -> tuple[int, str]:
        answer = client.post("/api/v1/users", json=body, headers=admin)
        return answer.status_code, answer.json().get("detail", "")

    good = {"email": "a@example.se", "roles": ["police"], "password": "long-enough-1"}
    assert post(good)[0] == 201
    assert post(good) == (409, "a user with that e-mail already exists")
    status, detail = post({**good, "email": "b@example.se", "roles": ["sheriff"]})
    assert status == 422 and "sheriff" in detail
    status, detail = post({**good, "email": "c@example.se", "password": "short"})
    assert status == 422 and "at least 10" in detail
    status, detail = post({**good, "email": "not-an-address"})
    assert status == 422
    assert client.get("/api/v1/users/not-a-uuid", headers=admin).status_code == 404


def test_a_new_password_works_and_the_old_does_not(
    client: TestClient, staff_headers: Headers, make_user: Callable[..., tuple[str, str]], sql: Sql
) -> None:
    email, old = make_user(roles=["police"])
    user_id = sql.scalar("SELECT id FROM staff_users WHERE email = %s", (email,))
    admin = staff_headers("admin")
    answer = client.patch(
        f"/api/v1/users/{user_id}", json={"password": "brand-new-password"}, headers=admin
    )
    assert answer.status_code == 200
    detail = sql.scalar("SELECT details FROM audit_log WHERE action = 'users:update'")
    assert detail == {"password_changed": True}


def test_the_last_admin_cannot_be_removed(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    admin = staff_headers("admin", "only@example.se")
    me = sql.scalar("SELECT id FROM staff_users WHERE email = 'only@example.se'")
    demoted = client.patch(f"/api/v1/users/{me}", json={"roles": ["planner"]}, headers=admin)
    assert demoted.status_code == 409 and "last active admin" in demoted.json()["detail"]
    assert [e["field"] for e in demoted.json()["errors"]] == ["roles"]
    herself = client.patch(f"/api/v1/users/{me}", json={"active": False}, headers=admin)
    assert herself.status_code == 409 and herself.json()["errors"][0]["field"] == "active"
    staff_headers("admin", "second@example.se")
    assert (
        client.patch(f"/api/v1/users/{me}", json={"roles": ["planner"]}, headers=admin).status_code
        == 200
    )
