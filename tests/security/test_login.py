"""Staff login at /staff/login: sessions, CSRF, throttling, logout and expiry."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import Sql, TokenFactory, UserFactory, login

WRONG = "Fel e-post eller lösenord."


def _form_token(client: TestClient) -> str:
    page = client.get("/staff/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def _try(client: TestClient, email: str, password: str) -> object:
    return client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": _form_token(client)},
        follow_redirects=False,
    )


def test_planner_logs_in_reads_reports_and_logs_out(
    client: TestClient, make_user: UserFactory, sql: Sql
) -> None:
    email, password = make_user("planner@example.se", ["planner"])
    assert client.get("/api/v1/reports").status_code == 401
    page = client.get("/staff/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/staff/login")

    form = client.get("/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/"
    cookie = answer.headers["set-cookie"]
    assert "trygg_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # plain http in tests; see the https test below
    stored = sql.scalar("SELECT count(*) FROM staff_sessions")
    assert stored == 1
    session_id = client.cookies.get("trygg_session")
    assert (
        session_id
        and sql.scalar(
            "SELECT count(*) FROM staff_sessions WHERE id_hash = convert_to(%s, 'UTF8')",
            (session_id,),
        )
        == 0
    )  # only a keyed hash of the id is stored

    home = client.get("/staff/")
    assert home.status_code == 200 and email in home.text
    assert client.get("/api/v1/reports").status_code == 200
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', home.text)
    assert csrf is not None

    out = client.post("/staff/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    assert sql.scalar("SELECT count(*) FROM staff_sessions") == 0
    client.cookies.set("trygg_session", session_id)  # a stolen copy is dead too
    assert client.get("/api/v1/reports").status_code == 401
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert actions[0] == "session:login"
    assert "session:logout" in actions and "reports:read" in actions


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, make_user: UserFactory, sql: Sql
) -> None:
    email, _ = make_user(roles=["police"])
    wrong = _try(client, email, "not-the-password")
    unknown = _try(client, "nobody@example.se", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert WRONG in wrong.text and WRONG in unknown.text  # type: ignore[attr-defined]
    failures = sql.all("SELECT target, details FROM audit_log WHERE action = 'login:failed'")
    assert len(failures) == 2
    dumped = str(failures)
    assert "not-the-password" not in dumped and "nobody@example.se" not in dumped


def test_repeated_failures_answer_429_with_retry_after(
    client: TestClient, make_user: UserFactory, settings: Settings
) -> None:
    email, password = make_user(roles=["police"])
    for _ in range(settings.login_max_failures):
        assert _try(client, email, "wrong-password-1").status_code == 401  # type: ignore[attr-defined]
    locked = _try(client, email, password)  # even the right password waits now
    assert locked.status_code == 429  # type: ignore[attr-defined]
    assert int(locked.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    for _ in range(settings.login_max_failures):
        _try(client, "ghost@example.se", "wrong-password-1")
    ghost = _try(client, "ghost@example.se", "wrong-password-1")
    assert ghost.status_code == 429  # type: ignore[attr-defined]
    # Same message whether or not the account exists.
    assert (
        ghost.text.count("Too many failed logins")
        == locked.text.count("Too many failed logins")
        == 1
    )  # type: ignore[attr-defined]


def test_login_form_without_its_csrf_cookie_is_refused(
    client: TestClient, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["police"])
    client.get("/staff/login")
    answer = client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert answer.status_code == 400
    assert "trygg_session" not in answer.headers.get("set-cookie", "")


def test_cookie_requests_that_change_things_need_the_csrf_token(
    client: TestClient, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["admin"])
    csrf = login(client, email, password)
    forged = client.post("/api/v1/tokens", json={"name": "x"})
    assert forged.status_code == 403
    made = client.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    page_forged = client.post(
        "/staff/users",
        data={"email": "new@example.se", "password": "long-enough-pw", "roles": "planner"},
        follow_redirects=False,
    )
    assert page_forged.status_code == 403
    page_ok = client.post(
        "/staff/users",
        data={
            "email": "new@example.se",
            "password": "long-enough-pw",
            "roles": "planner",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert page_ok.status_code == 303 and "error" not in page_ok.headers["location"]
    assert "new@example.se" in client.get("/staff/users").text


def test_sessions_expire(client: TestClient, make_user: UserFactory, sql: Sql) -> None:
    email, password = make_user(roles=["police"])
    login(client, email, password)
    assert client.get("/api/v1/reports").status_code == 200
    sql.all("UPDATE staff_sessions SET last_seen_at = now() - interval '2 hours'")
    assert client.get("/api/v1/reports").status_code == 401  # idle too long
    login(client, email, password)
    sql.all("UPDATE staff_sessions SET expires_at = now() - interval '1 second'")
    assert client.get("/api/v1/reports").status_code == 401  # past its lifetime


def test_removed_role_revoked_token_and_deactivation_apply_at_once(
    client: TestClient, token_for: TokenFactory, sql: Sql
) -> None:
    token = token_for(["planner", "police"], "both@example.se")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
    sql.all("UPDATE staff_users SET roles = '{moderator}' WHERE email = 'both@example.se'")
    assert client.get("/api/v1/reports", headers=headers).status_code == 403
    sql.all("UPDATE staff_users SET roles = '{police}' WHERE email = 'both@example.se'")
    assert client.get("/api/v1/reports", headers=headers).status_code == 200
    sql.all("UPDATE staff_users SET active = false WHERE email = 'both@example.se'")
    assert client.get("/api/v1/reports", headers=headers).status_code == 401
    sql.all("UPDATE staff_users SET active = true WHERE email = 'both@example.se'")
    sql.all("UPDATE api_tokens SET revoked_at = now()")
    assert client.get("/api/v1/reports", headers=headers).status_code == 401


@pytest.fixture
def https_client(settings: Settings, clean_db: None) -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(settings), base_url="https://testserver") as client:
        yield client


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(
    https_client: TestClient, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["police"])
    form = https_client.get("/staff/login")
    assert "max-age=" in form.headers["strict-transport-security"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = https_client.post(
        "/staff/login",
        data={"email": email, "password": password, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_passwords_never_reach_the_logs(
    client: TestClient, make_user: UserFactory, caplog: pytest.LogCaptureFixture
) -> None:
    email, password = make_user(roles=["admin"])
    with caplog.at_level("DEBUG"):
        _try(client, email, "a-wrong-password-xyz")
        csrf = login(client, email, password)
        client.post(
            "/api/v1/users",
            json={"email": "n@example.se", "roles": ["police"], "password": "new-user-secret-1"},
            headers={"X-CSRF-Token": csrf},
        )
    logged = caplog.text
    assert password not in logged and "a-wrong-password-xyz" not in logged
    assert "new-user-secret-1" not in logged


def test_a_page_outside_ones_roles_is_a_readable_403_page(
    client: TestClient, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["police"])
    login(client, email, password)
    refused = client.get("/staff/users?lang=sv")
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("text/html")
    assert "Ingen behörighet" in refused.text
    assert "No access" in client.get("/staff/users?lang=en").text
    # The start page offers what the role may do, and only that.
    home = client.get("/staff/").text
    assert "/staff/patrull" in home and "/staff/users" not in home
    # The API keeps answering JSON.
    assert client.get("/api/v1/users").json()["detail"] == "your roles do not allow this"
