"""The issue's "done when": one command makes a planner who logs in, reads raw
reports and exports, and an admin sees those actions in the audit log. Also the
token command and the retention purge."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import TEST_SECRET, Sql, TokenFactory, login, point_feature

ROOT = Path(__file__).resolve().parents[2]


def run_cli(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "TRYGG_SECRET_KEY": TEST_SECRET}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_planner_from_one_command_to_the_audit_log(
    client: TestClient, database_url: str, token_for: TokenFactory, sql: Sql
) -> None:
    client.post("/api/v1/reports", json=point_feature())
    made = run_cli(
        database_url,
        "create-user",
        "Planner@Vanersborg.se",
        "--role",
        "planner",
        "--password-stdin",
        stdin="ett-bra-lösenord\n",
    )
    assert made.returncode == 0, made.stderr
    assert "ett-bra-lösenord" not in made.stdout + made.stderr

    login(client, "planner@vanersborg.se", "ett-bra-lösenord")
    raw = client.get("/api/v1/reports")
    assert raw.status_code == 200 and len(raw.json()["features"]) == 1
    exported = client.get("/api/v1/hotspots/export?format=geojson")
    assert exported.status_code == 200, exported.text

    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    log = client.get("/api/v1/audit?actor=planner@vanersborg.se", headers=admin).json()
    actions = {e["action"] for e in log["entries"]}
    assert {"session:login", "reports:read", "hotspots:export"} <= actions
    created = client.get("/api/v1/audit?action=users:create", headers=admin).json()["entries"]
    assert created[0]["actor"] == "cli" and created[0]["target"] == "planner@vanersborg.se"

    token = run_cli(database_url, "create-token", "planner@vanersborg.se")
    assert token.returncode == 0, token.stderr
    bearer = token.stdout.split()[-1]
    use = client.get("/api/v1/reports", headers={"Authorization": f"Bearer {bearer}"})
    assert use.status_code == 200

    unknown = run_cli(
        database_url,
        "create-user",
        "x@example.se",
        "--role",
        "sheriff",
        "--password-stdin",
        stdin="long-enough-pass\n",
    )
    assert unknown.returncode != 0 and "sheriff" in unknown.stderr


def test_purge_removes_old_text_and_reporter_hashes(
    client: TestClient, database_url: str, sql: Sql
) -> None:
    old = client.post("/api/v1/reports", json=point_feature(description="Gammal text")).json()
    new = client.post("/api/v1/reports", json=point_feature(description="Ny text")).json()
    sql.all(
        "UPDATE reports SET received_at = now() - interval '400 days' WHERE id = %s", (old["id"],)
    )
    version = sql.scalar("SELECT version FROM data_version WHERE name = 'reports'")
    result = run_cli(database_url, "purge")
    assert result.returncode == 0, result.stderr
    assert "texts 1" in result.stdout and "reporter_hashes 1" in result.stdout
    rows = {
        str(r["id"]): r
        for r in sql.all("SELECT id, description, reporter_hash, text_status FROM reports")
    }
    assert rows[old["id"]]["description"] is None and rows[old["id"]]["reporter_hash"] is None
    assert rows[old["id"]]["text_status"] == "none"
    assert rows[new["id"]]["description"] == "Ny text"
    assert rows[new["id"]]["reporter_hash"] is not None
    assert sql.scalar("SELECT version FROM data_version WHERE name = 'reports'") > version
    logged = sql.one("SELECT actor, details FROM audit_log WHERE action = 'retention:purge'")
    assert logged is not None and logged["details"]["texts"] == 1
