"""Every change to a bearer token or its user applies to the very next request.

GIS clients page through /ogc with one token. A revoke, a removed role or a
deactivated user, whether made through the API or straight in the database
by another tool, must stop the very next page: the token is looked up on
every request, never kept in a process.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.conftest import Sql, TokenFactory, point_feature

Headers = Callable[..., dict[str, str]]
ITEMS = "/ogc/collections/reports/items"
TILE = "/ogc/collections/reports/tiles/WebMercatorQuad/14/4901/8752"


def _pages(client: TestClient, headers: dict[str, str], times: int = 3) -> list[int]:
    return [
        client.get(ITEMS, params={"limit": 1}, headers=headers).status_code for _ in range(times)
    ]


def test_revoked_through_the_api_stops_the_next_page(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    assert client.post("/api/v1/reports", json=point_feature()).status_code == 201
    me = staff_headers("police")
    made = client.post("/api/v1/tokens", json={"name": "QGIS"}, headers=me).json()
    gis = {"Authorization": f"Bearer {made['token']}"}
    assert _pages(client, gis) == [200, 200, 200]
    assert client.get(TILE, headers=gis).status_code == 200
    # Every page is audited, whether or not the token was looked up for it.
    assert sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:read'") == 3
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=me).status_code == 204
    assert _pages(client, gis, 1) == [401]
    assert client.get(TILE, headers=gis).status_code == 401
    assert client.get(ITEMS, headers=me).status_code == 200  # other tokens still work


def test_changes_made_by_another_tool_apply_at_once(
    client: TestClient, token_for: TokenFactory, sql: Sql
) -> None:
    gis = {"Authorization": f"Bearer {token_for(['police'], 'gis@example.se')}"}
    assert _pages(client, gis) == [200, 200, 200]
    sql.all("UPDATE staff_users SET roles = '{moderator}' WHERE email = 'gis@example.se'")
    assert _pages(client, gis, 1) == [403]
    sql.all("UPDATE staff_users SET roles = '{police}' WHERE email = 'gis@example.se'")
    assert _pages(client, gis) == [200, 200, 200]
    sql.all("UPDATE staff_users SET active = false WHERE email = 'gis@example.se'")
    assert _pages(client, gis, 1) == [401]
    sql.all("UPDATE staff_users SET active = true WHERE email = 'gis@example.se'")
    assert _pages(client, gis) == [200, 200, 200]
    sql.all("UPDATE api_tokens SET revoked_at = now()")
    assert _pages(client, gis, 1) == [401]


def test_a_refused_token_reads_nothing_and_is_refused_before_a_bad_query(
    client: TestClient, token_for: TokenFactory, sql: Sql
) -> None:
    """The page's own statement looks the token up; a refusal still comes first and
    leaves no audit entry, as when the token was checked on its own."""
    assert client.post("/api/v1/reports", json=point_feature()).status_code == 201
    moderator = {"Authorization": f"Bearer {token_for(['moderator'], 'mod@example.se')}"}
    police = {"Authorization": f"Bearer {token_for(['police'], 'pol@example.se')}"}
    nobody = {"Authorization": "Bearer not-a-token"}
    reads = "SELECT count(*) FROM audit_log WHERE action = 'reports:read'"
    for headers, status in ((moderator, 403), (nobody, 401)):
        answer = client.get(ITEMS, headers=headers)
        assert answer.status_code == status
        assert answer.json()["detail"]
        assert client.get(ITEMS, params={"limit": "many"}, headers=headers).status_code == status
        assert client.get(ITEMS, params={"f": "html"}, headers=headers).status_code == status
    assert client.get(ITEMS, headers=nobody).headers["www-authenticate"] == "Bearer"
    assert sql.scalar(reads) == 0
    assert client.get(ITEMS, params={"limit": "many"}, headers=police).status_code == 400
    page = client.get(ITEMS, params={"f": "html"}, headers=police)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert client.get(ITEMS, headers=police).json()["numberReturned"] == 1
    rows = sql.all("SELECT actor, via, rows FROM audit_log WHERE action = 'reports:read'")
    assert rows == [{"actor": "pol@example.se", "via": "token", "rows": 1}] * 2
