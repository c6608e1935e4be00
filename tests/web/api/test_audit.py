"""/api/v1/audit: admins see who did what; the log is append-only and holds no text."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sql, login, point_feature

Headers = Callable[..., dict[str, str]]


def test_admin_sees_staff_actions_and_exports_them(
    client: TestClient, staff_headers: Headers
) -> None:
    planner = staff_headers("planner", "planner@example.se")
    client.get("/api/v1/reports?reasons=lighting", headers=planner)
    admin = staff_headers("admin", "admin@example.se")
    answer = client.get("/api/v1/audit?actor=planner@example.se", headers=admin)
    assert answer.status_code == 200
    entries = answer.json()["entries"]
    assert len(entries) == 1
    assert entries[0]["action"] == "reports:read"
    assert entries[0]["details"]["reasons"] == ["lighting"] and entries[0]["rows"] == 0

    exported = client.get("/api/v1/audit?format=csv", headers=admin)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {"reports:read", "audit:read"} <= {r["action"] for r in rows}
    # The admin's own browsing is in the log too.
    again = client.get("/api/v1/audit?actor=admin@example.se", headers=admin).json()["entries"]
    assert {e["action"] for e in again} >= {"audit:read", "audit:export"}


def test_paging_through_the_log(client: TestClient, staff_headers: Headers) -> None:
    admin = staff_headers("admin")
    for name in ("a", "b", "c"):
        client.post("/api/v1/tokens", json={"name": name}, headers=admin)
    first = client.get("/api/v1/audit?limit=2", headers=admin).json()
    assert len(first["entries"]) == 2 and first["links"][0]["rel"] == "next"
    second = client.get(first["links"][0]["href"], headers=admin).json()
    assert second["entries"][0]["id"] < first["entries"][-1]["id"]


def test_log_is_append_only_and_free_of_text_and_passwords(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    secret_text = "Kalle Anka står alltid här"
    report = client.post("/api/v1/reports", json=point_feature(description=secret_text)).json()
    mod = staff_headers("moderator")
    client.get("/api/v1/moderation/queue", headers=mod)
    client.post(
        f"/api/v1/moderation/reports/{report['id']}/redact",
        json={"remove": ["Kalle Anka"]},
        headers=mod,
    )
    admin = staff_headers("admin")
    client.post(
        "/api/v1/users",
        json={"email": "x@example.se", "roles": ["police"], "password": "hemligt-lösen-9"},
        headers=admin,
    )
    dump = str(sql.all("SELECT * FROM audit_log"))
    assert "Kalle" not in dump and "hemligt-lösen-9" not in dump
    with pytest.raises(psycopg.errors.RaiseException):
        sql.all("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(psycopg.errors.RaiseException):
        sql.all("DELETE FROM audit_log")


def test_admin_browses_the_log_as_a_page(
    client: TestClient, make_user: Callable[..., tuple[str, str]]
) -> None:
    email, password = make_user(roles=["admin"])
    login(client, email, password)
    page = client.get("/staff/audit?action=session:login")
    assert page.status_code == 200
    assert email in page.text and "<td>session:login</td>" in page.text
    assert "format=csv" in page.text


def test_bare_dates_are_swedish_days(client: TestClient, staff_headers: Headers, sql: Sql) -> None:
    # 23:30 on 1 May and 00:30 on 2 May in Swedish summer time.
    sql.all(
        "INSERT INTO audit_log (at, actor, via, action) VALUES "
        "('2026-05-01T21:30:00Z', 'late@example.se', 'token', 'reports:read'), "
        "('2026-05-01T22:30:00Z', 'late@example.se', 'token', 'reports:export')"
    )
    admin = staff_headers("admin")
    base = "/api/v1/audit?actor=late@example.se"
    since = client.get(f"{base}&since=2026-05-02", headers=admin).json()["entries"]
    until = client.get(f"{base}&until=2026-05-01", headers=admin).json()["entries"]
    assert [e["action"] for e in since] == ["reports:export"]
    assert [e["action"] for e in until] == ["reports:read"]
    bad = client.get(f"{base}&since=1st of May", headers=admin)
    assert bad.status_code == 422 and "since" in bad.json()["detail"]


def test_audit_csv_cells_that_look_like_formulas_are_neutralised(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    admin = staff_headers("admin", "admin@example.se")
    for target in ("=HYPERLINK(1)", "  +1", "＝1+1", "＠SUM(A1)", "－2", "\t@x"):
        sql.all(
            "INSERT INTO audit_log (actor, via, action, target) VALUES (%s, 'token', 'x:y', %s)",
            ("=cmd()", target),
        )
    exported = client.get("/api/v1/audit?format=csv&action=x:y", headers=admin)
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 6
    assert all(r["target"].startswith("'") and r["actor"] == "'=cmd()" for r in rows)
