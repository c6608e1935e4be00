"""OGC API – Features under /ogc: documents, items, paging, CRS, access and audit."""

from __future__ import annotations

from collections.abc import Callable

import orjson
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sql, fresh_get, point_feature
from tests.web.api.test_hotspots import seed

Headers = Callable[..., dict[str, str]]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG3006 = "http://www.opengis.net/def/crs/EPSG/0/3006"


def _post_reports(client: TestClient, n: int) -> list[str]:
    ids = []
    for i in range(n):
        feature = point_feature(lon=12.3234 + i * 0.0001, client_token=f"ogc-token-{i:04d}")
        answer = client.post("/api/v1/reports", json=feature)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def test_landing_conformance_and_collections(client: TestClient, staff_headers: Headers) -> None:
    landing = client.get("/ogc")
    assert landing.status_code == 200
    rels = {link["rel"] for link in landing.json()["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= rels
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conf
    public = client.get("/ogc/collections").json()
    assert [c["id"] for c in public["collections"]] == ["hotspots"]
    planner = client.get("/ogc/collections", headers=staff_headers("planner")).json()
    assert [c["id"] for c in planner["collections"]] == ["hotspots", "reports", "sites"]
    hotspots = client.get("/ogc/collections/hotspots").json()
    assert hotspots["crs"] == [CRS84, EPSG3006] and hotspots["itemType"] == "feature"
    assert client.get("/ogc/collections/reports").status_code == 401
    assert client.get("/ogc/collections/nothing").status_code == 404


def test_html_on_request(client: TestClient) -> None:
    for path in ("/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/hotspots"):
        answer = client.get(path, params={"f": "html"})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    browser = client.get("/ogc/collections/hotspots/items", headers={"Accept": "text/html"})
    assert browser.headers["content-type"].startswith("text/html")
    assert client.get("/ogc", params={"f": "xml"}).status_code == 400


def test_hotspots_are_exactly_the_public_view(client: TestClient, sql: Sql) -> None:
    seed(sql)
    public = fresh_get(client, "/api/v1/hotspots").json()["features"]
    answer = client.get("/ogc/collections/hotspots/items")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/geo+json")
    assert answer.headers["content-crs"] == f"<{CRS84}>"
    body = answer.json()
    assert body["features"] == public and body["numberMatched"] == len(public) == 1
    fid = public[0]["id"]
    one = client.get(f"/ogc/collections/hotspots/items/{fid}").json()
    assert one["properties"] == public[0]["properties"]
    other = fid[:-1] + ("1" if fid.endswith("0") else "0")  # an id that differs from fid
    assert client.get(f"/ogc/collections/hotspots/items/{other}").status_code == 404


def test_hotspots_in_sweref_are_northing_first(client: TestClient, sql: Sql) -> None:
    seed(sql)
    fresh_get(client, "/api/v1/hotspots")  # OGC reads the same run, once it is computed
    answer = client.get("/ogc/collections/hotspots/items", params={"crs": EPSG3006})
    assert answer.headers["content-crs"] == f"<{EPSG3006}>"
    north, east = answer.json()["features"][0]["geometry"]["coordinates"][0][0]
    assert 6_400_000 < north < 6_600_000 and 300_000 < east < 400_000
    box = f"{north - 500},{east - 500},{north + 500},{east + 500}"
    near = client.get("/ogc/collections/hotspots/items", params={"bbox": box, "bbox-crs": EPSG3006})
    assert near.json()["numberReturned"] == 1
    far = client.get(
        "/ogc/collections/hotspots/items",
        params={"bbox": f"{north + 9000},{east},{north + 9500},{east + 500}", "bbox-crs": EPSG3006},
    )
    assert far.json()["numberReturned"] == 0


def test_reports_page_with_links_and_audit(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    ids = _post_reports(client, 5)
    police = staff_headers("police")
    url = "/ogc/collections/reports/items"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=staff_headers("moderator")).status_code == 403
    seen: list[str] = []
    page = client.get(url, params={"limit": 2}, headers=police).json()
    while True:
        assert "numberMatched" not in page
        seen += [f["id"] for f in page["features"]]
        nexts = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nexts:
            break
        page = client.get(nexts[0], headers=police).json()
    assert sorted(seen) == sorted(ids)
    prev = [link for link in page["links"] if link["rel"] == "prev"]
    assert prev and "before=" in prev[0]["href"]
    # Paging is by key (created_at, id): `prev` goes back to exactly the page before.
    back = client.get(prev[0]["href"], headers=police).json()
    assert [f["id"] for f in back["features"]] == seen[2:4]
    assert {link["rel"] for link in back["links"]} >= {"next", "prev"}
    audits = sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:read'")
    assert audits == 4
    # Each entry, written by the page's own statement, holds the rows shown and the key.
    rows = sql.all("SELECT rows, details FROM audit_log WHERE action = 'reports:read' ORDER BY id")
    assert [r["rows"] for r in rows] == [2, 2, 1, 2]
    assert [sorted(set(r["details"]) & {"after", "before"}) for r in rows] == [
        [],
        ["after"],
        ["after"],
        ["before"],
    ]
    assert client.get(url, params={"after": "yesterday"}, headers=police).status_code == 400
    # The token's last use is written at most once a minute, not on every page.
    police_token = (
        "UPDATE api_tokens t SET last_used_at = now() - CAST(%(age)s AS interval) "
        "FROM staff_users u WHERE u.id = t.user_id AND 'police' = ANY(u.roles)"
    )
    police_used = (
        "SELECT extract(epoch FROM now() - t.last_used_at) FROM api_tokens t "
        "JOIN staff_users u ON u.id = t.user_id WHERE 'police' = ANY(u.roles)"
    )
    for age, fresh in (("30 seconds", False), ("2 minutes", True)):
        sql.all(police_token, {"age": age})
        assert client.get(url, params={"limit": 1}, headers=police).status_code == 200
        assert (sql.scalar(police_used) < 5) is fresh, age
    one = client.get(f"{url}/{ids[0]}", headers=police).json()
    assert one["id"] == ids[0] and one["properties"]["description"] is None


def test_reports_text_only_when_moderated(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    feature = point_feature(description="Mörk gång", client_token="ogc-text-0001")
    report_id = client.post("/api/v1/reports", json=feature).json()["id"]
    url = f"/ogc/collections/reports/items/{report_id}"
    police = staff_headers("police")
    assert client.get(url, headers=police).json()["properties"]["description"] is None
    sql.all("UPDATE reports SET text_status = 'approved' WHERE id = %s", [report_id])
    assert client.get(url, headers=police).json()["properties"]["description"] == "Mörk gång"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"bbox": "1,2,3"}, 400),
        ({"datetime": "yesterday"}, 400),
        ({"limit": "0"}, 400),
        ({"crs": "EPSG:4326"}, 400),
        ({"datetime": "2026-05-01/.."}, 200),
        ({"datetime": "../2026-05-01T00:00:00Z"}, 200),
        ({"datetime": "2026-05-01"}, 200),
        ({"limit": "100000"}, 200),
    ],
)
def test_items_parameters(
    client: TestClient, staff_headers: Headers, query: dict[str, str], status: int
) -> None:
    answer = client.get(
        "/ogc/collections/reports/items", params=query, headers=staff_headers("planner")
    )
    assert answer.status_code == status, answer.text


def test_datetime_filters_reports(client: TestClient, sql: Sql, staff_headers: Headers) -> None:
    ids = _post_reports(client, 2)
    sql.all("UPDATE reports SET created_at = '2026-03-01T12:00Z' WHERE id = %s", [ids[0]])
    url = "/ogc/collections/reports/items"
    planner = staff_headers("planner")
    march = client.get(url, params={"datetime": "2026-03-01"}, headers=planner).json()
    assert [f["id"] for f in march["features"]] == [ids[0]]
    before = client.get(url, params={"datetime": "../2026-03-01T12:00:00Z"}, headers=planner)
    assert [f["id"] for f in before.json()["features"]] == [ids[0]]
    after = client.get(url, params={"datetime": "2026-04-01/.."}, headers=planner).json()
    assert [f["id"] for f in after["features"]] == [ids[1]]


def test_sites_collection_counts(client: TestClient, staff_headers: Headers) -> None:
    planner = staff_headers("planner")
    ring = [[12.32, 58.38], [12.321, 58.38], [12.321, 58.381], [12.32, 58.38]]
    site = {"name": "Torget", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    made = client.post("/api/v1/sites", json=site, headers=planner)
    assert made.status_code == 201, made.text
    body = client.get("/ogc/collections/sites/items", headers=planner).json()
    assert body["numberMatched"] == 1 and body["features"][0]["properties"]["name"] == "Torget"
    moderator = staff_headers("moderator")
    assert client.get("/ogc/collections/sites/items", headers=moderator).status_code == 403


# The Feature as the reports row says it, built here the way the page once built
# it for every row: the stored text (migration 0018) must stay exactly this.
REFERENCE = """
SELECT json_build_object('type', 'Feature', 'id', r.id,
    'geometry', ST_AsGeoJSON({geometry})::json,
    'properties', json_build_object('created_at', r.created_at, 'channel', r.channel,
        'status', r.status, 'text_status', r.text_status, 'kind', r.kind,
        'severity', r.severity, 'reasons', r.reasons, 'times', r.times, 'days', r.days,
        'dark_season', r.dark_season, 'avoids_place', r.avoids_place,
        'description', CASE WHEN r.text_status IN ('approved', 'redacted')
                            THEN r.description END,
        'suggestion', CASE WHEN r.text_status IN ('approved', 'redacted')
                           THEN r.suggestion END))::text AS feature
FROM reports r ORDER BY r.created_at DESC, r.id DESC
"""


def test_report_features_follow_every_change(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    ids = _post_reports(client, 3)
    texts = [
        point_feature(
            description=f"Mörk gång {i}", suggestion="Lampa", client_token=f"ogc-text-{i:04d}"
        )
        for i in range(3)
    ]
    ids += [client.post("/api/v1/reports", json=t).json()["id"] for t in texts]
    for report_id, status in zip(ids[3:], ("approved", "redacted", "pending"), strict=True):
        sql.all("UPDATE reports SET text_status = %s WHERE id = %s", [status, report_id])
    sql.all(
        "UPDATE reports SET geom = ST_SetSRID(ST_MakePoint(12.33, 58.385), 4326), "
        "created_at = '2026-03-01T12:00:00.5+01:00' WHERE id = %s",
        [ids[0]],
    )
    sql.all("DELETE FROM reports WHERE id = %s", [ids[1]])
    police = staff_headers("police")
    url = "/ogc/collections/reports/items"
    for crs, geometry in (
        (CRS84, "r.geom, 7"),
        (EPSG3006, "ST_FlipCoordinates(r.geom_3006), 2"),
    ):
        want = [orjson.loads(r["feature"]) for r in sql.all(REFERENCE.format(geometry=geometry))]
        page = client.get(url, params={"limit": 100, "crs": crs}, headers=police).json()
        assert page["features"] == want, crs
        assert len(want) == 5 and ids[1] not in [f["id"] for f in want]
        for feature in want:
            one = client.get(f"{url}/{feature['id']}", params={"crs": crs}, headers=police)
            assert {k: v for k, v in one.json().items() if k != "links"} == feature
    shown = {f["id"]: f["properties"] for f in page["features"]}
    assert [shown[i]["description"] for i in ids[3:]] == ["Mörk gång 0", "Mörk gång 1", None]
    assert shown[ids[0]]["created_at"] == "2026-03-01T11:00:00.5+00:00"
