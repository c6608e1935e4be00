"""Raw reports for police and planners: filters, paging, text only after moderation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Sql, UserFactory, login, point_feature

Headers = Callable[..., dict[str, str]]


def _file(client: TestClient, **props: Any) -> str:
    lon = props.pop("lon", 12.3234)
    lat = props.pop("lat", 58.3808)
    answer = client.post("/api/v1/reports", json=point_feature(lon, lat, **props))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_planner_reads_reports_as_geojson_with_filters(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    near = _file(client, reasons=["lighting"], times=["night"])
    far = _file(client, lon=12.30, lat=58.37, reasons=["drugs"], times=["day"])
    headers = staff_headers("planner")

    everything = client.get("/api/v1/reports", headers=headers)
    assert everything.status_code == 200, everything.text
    assert everything.headers["content-type"].startswith("application/geo+json")
    body = everything.json()
    assert body["type"] == "FeatureCollection"
    assert {f["id"] for f in body["features"]} == {near, far}
    feature = body["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert "reporter_hash" not in feature["properties"]
    assert "gender" not in feature["properties"] and "age_band" not in feature["properties"]

    def ids(query: str) -> set[str]:
        answer = client.get("/api/v1/reports?" + query, headers=headers)
        assert answer.status_code == 200, answer.text
        return {f["id"] for f in answer.json()["features"]}

    assert ids("bbox=12.32,58.38,12.33,58.39") == {near}
    assert ids("reasons=drugs,alcohol") == {far}
    assert ids("times=night") == {near}
    assert ids("days=weekend&status=published") == {near, far}
    assert ids("status=hidden") == set()
    assert ids("since=2000-01-01&until=2999-12-31") == {near, far}
    assert ids("until=2000-01-01") == set()

    bad = client.get("/api/v1/reports?reasons=ghosts", headers=headers)
    # The same parser as every other endpoint: 422 naming the parameter.
    assert bad.status_code == 422 and "reasons: 'ghosts'" in bad.json()["detail"]
    assert client.get("/api/v1/reports?bbox=1,2,3", headers=headers).status_code == 422

    # Each read is in the audit log with its filters and row count.
    logged = sql.one(
        "SELECT actor, rows, details FROM audit_log WHERE action = 'reports:read' "
        "AND details ? 'reasons' ORDER BY id DESC LIMIT 1"
    )
    assert logged is not None
    assert logged["rows"] == 1 and logged["details"]["reasons"] == ["alcohol", "drugs"]
    assert logged["actor"].endswith("@example.se")


def _file_shape(client: TestClient, geometry: dict[str, Any]) -> None:
    feature = {**point_feature(), "geometry": geometry}
    answer = client.post("/api/v1/reports", json=feature)
    assert answer.status_code == 201, answer.text


def test_staff_home_offers_one_geojson_link_per_geometry_type(
    client: TestClient, make_user: UserFactory
) -> None:
    x, y = 12.3234, 58.3808
    _file_shape(client, {"type": "Point", "coordinates": [x, y]})
    _file_shape(client, {"type": "LineString", "coordinates": [[x, y], [x + 0.002, y + 0.001]]})
    square = [[x, y], [x + 0.001, y], [x + 0.001, y + 0.001], [x, y + 0.001], [x, y]]
    _file_shape(client, {"type": "Polygon", "coordinates": [square]})
    email, password = make_user(roles=["planner"])
    login(client, email, password)
    home = client.get("/staff/")
    assert home.status_code == 200
    links = re.findall(r'href="(/api/v1/reports[^"]*)"', home.text)
    # One GIS layer per link: QGIS opens each download as one layer, not three.
    assert links == [
        "/api/v1/reports?geometry=point",
        "/api/v1/reports?geometry=line",
        "/api/v1/reports?geometry=area",
    ]
    types = []
    for link in links:
        answer = client.get(link)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/geo+json")
        types.append({f["geometry"]["type"] for f in answer.json()["features"]})
    assert types == [{"Point"}, {"LineString"}, {"Polygon"}]

    bad = client.get("/api/v1/reports?geometry=polygon")
    assert bad.status_code == 422
    body = bad.json()
    assert "point, line, area" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["geometry"]
    # A list would mix types again: exactly one is accepted.
    assert client.get("/api/v1/reports?geometry=point,line").status_code == 422


def test_paging_follows_next_links(client: TestClient, staff_headers: Headers) -> None:
    made = {_file(client) for _ in range(5)}
    headers = staff_headers("police")
    seen: list[str] = []
    url: str | None = "/api/v1/reports?limit=2&reasons=lighting"
    pages = 0
    while url:
        page = client.get(url, headers=headers).json()
        seen += [f["id"] for f in page["features"]]
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        pages += 1
        if url:
            assert "reasons=lighting" in url
    assert pages == 3 and len(seen) == 5 and set(seen) == made


def test_free_text_only_after_approval(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    report = _file(client, description="Mörk gångtunnel vid stationen")
    headers = staff_headers("planner")
    one = client.get(f"/api/v1/reports/{report}", headers=headers)
    assert one.status_code == 200
    assert one.json()["properties"]["description"] is None
    assert one.json()["properties"]["text_status"] == "pending"
    sql.all("UPDATE reports SET text_status = 'approved' WHERE id = %s", (report,))
    again = client.get(f"/api/v1/reports/{report}", headers=headers).json()
    assert again["properties"]["description"] == "Mörk gångtunnel vid stationen"


def test_missing_and_unauthorised_reads_look_the_same(
    client: TestClient, staff_headers: Headers
) -> None:
    report = _file(client)
    missing = "00000000-0000-4000-8000-000000000000"
    anon = [client.get(f"/api/v1/reports/{i}") for i in (report, missing)]
    assert [a.status_code for a in anon] == [401, 401]
    assert anon[0].json() == anon[1].json()
    moderator = staff_headers("moderator")
    denied = [client.get(f"/api/v1/reports/{i}", headers=moderator) for i in (report, missing)]
    assert [d.status_code for d in denied] == [403, 403]
    assert denied[0].json() == denied[1].json()
    police = staff_headers("police")
    assert client.get(f"/api/v1/reports/{missing}", headers=police).status_code == 404
    assert client.get("/api/v1/reports/not-a-uuid", headers=police).status_code == 404
