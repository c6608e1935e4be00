"""A staff session's idle timer is written about once a minute, not on every request.

The staff map asks for several tiles at once; each used to rewrite (and
commit) the session row, so they queued on its lock. The idle limit must
still hold, and a session in use must stay alive.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Sql, UserFactory, login

AGE = "SELECT extract(epoch FROM now() - last_seen_at) FROM staff_sessions"
TILE = "/ogc/collections/reports/tiles/WebMercatorQuad/14/4901/8752"


def test_idle_timer_is_written_at_most_once_a_minute(
    client: TestClient, make_user: UserFactory, sql: Sql
) -> None:
    email, password = make_user(roles=["police"])
    login(client, email, password)
    sql.all("UPDATE staff_sessions SET last_seen_at = now() - interval '30 seconds'")
    for _ in range(3):
        assert client.get(TILE).status_code == 200
    assert sql.scalar(AGE) >= 29  # used within the minute: not rewritten
    # Nearly idle for the full hour (60 minutes by default): a request keeps it alive.
    sql.all("UPDATE staff_sessions SET last_seen_at = now() - interval '59 minutes'")
    assert client.get(TILE).status_code == 200
    assert sql.scalar(AGE) < 5
    assert client.get("/api/v1/reports").status_code == 200
    sql.all("UPDATE staff_sessions SET last_seen_at = now() - interval '61 minutes'")
    assert client.get(TILE).status_code == 401
