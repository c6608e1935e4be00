"""Redesign sites: from a hotspot or a drawing, lifecycle with history, before/after."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from fastapi.testclient import TestClient

from tests.conftest import fresh_get, point_feature
from tests.web.api.planning_data import offset, post_place


def square(east: float, north: float, half: float = 40.0) -> dict[str, Any]:
    corners = [(-half, -half), (half, -half), (half, half), (-half, half), (-half, -half)]
    ring = [list(offset(east + dx, north + dy)) for dx, dy in corners]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def planner(staff_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return staff_headers("planner", "planner@kommun.example")


@pytest.fixture
def drawn(client: TestClient, planner: dict[str, str]) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/sites",
        json={"name": "Torget", "geometry": square(0, 0), "responsible": "Gatuenheten"},
        headers=planner,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_site_from_a_hotspot_copies_its_outline_and_suggests_measures(
    client: TestClient, planner: dict[str, str]
) -> None:
    post_place(client, "park")
    hotspots = fresh_get(client, "/api/v1/hotspots", planner).json()["features"]
    assert len(hotspots) == 1
    hotspot = hotspots[0]
    answer = client.post(
        "/api/v1/sites", json={"hotspot_id": hotspot["id"], "name": "Parken"}, headers=planner
    )
    assert answer.status_code == 201, answer.text
    site = answer.json()
    assert answer.headers["location"] == f"/api/v1/sites/{site['id']}"
    assert site["properties"]["hotspot_id"] == str(hotspot["id"])
    assert site["geometry"]["type"] in ("Polygon", "MultiPolygon")
    codes = [m["code"] for m in site["properties"]["measures"]]
    assert set(codes) == {"better_lighting", "clear_vegetation"}
    assert site["properties"]["measures"][0]["sv"] == "Bättre belysning"
    assert site["properties"]["status"] == "candidate"


def test_lifecycle_to_done_keeps_who_and_when(
    client: TestClient, drawn: dict[str, Any], planner: dict[str, str]
) -> None:
    url = f"/api/v1/sites/{drawn['id']}"
    for status in ("planned", "in_progress"):
        answer = client.patch(url, json={"status": status}, headers=planner)
        assert answer.status_code == 200, answer.text
    missing_date = client.patch(url, json={"status": "done"}, headers=planner)
    assert missing_date.status_code == 422
    assert "completed_on" in missing_date.json()["detail"]
    done = client.patch(url, json={"status": "done", "completed_on": "2026-01-15"}, headers=planner)
    assert done.status_code == 200, done.text
    assert done.json()["properties"]["completed_on"] == "2026-01-15"
    history = client.get(url, headers=planner).json()["properties"]["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        (None, "candidate"),
        ("candidate", "planned"),
        ("planned", "in_progress"),
        ("in_progress", "done"),
    ]
    assert all(h["changed_by"] == "planner@kommun.example" for h in history)
    assert all(h["changed_at"] for h in history)


def test_status_cannot_skip_from_candidate_to_done(
    client: TestClient, drawn: dict[str, Any], planner: dict[str, str], sql: Any
) -> None:
    url = f"/api/v1/sites/{drawn['id']}"
    answer = client.patch(
        url, json={"status": "done", "completed_on": "2026-01-15"}, headers=planner
    )
    assert answer.status_code == 409
    assert "candidate can move to planned, rejected" in answer.json()["detail"]
    assert client.patch(url, json={"status": "finished"}, headers=planner).status_code == 409
    assert client.patch(url, json={"measures": None}, headers=planner).status_code == 422
    assert client.patch(url, json={"measures": ["paint"]}, headers=planner).status_code == 422
    backwards = client.patch(
        url, json={"planned_start": "2026-05-01", "planned_end": "2026-04-01"}, headers=planner
    )
    assert backwards.status_code == 422
    assert sql.scalar("SELECT count(*) FROM site_history") == 1


def _report_at(client: TestClient, sql: Any, east: float, north: float, day: dt.date) -> None:
    lon, lat = offset(east, north)
    answer = client.post("/api/v1/reports", json=point_feature(lon, lat))
    assert answer.status_code == 201, answer.text
    sql.all(
        "UPDATE reports SET created_at = %s WHERE id = %s",
        (dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC), uuid.UUID(answer.json()["id"])),
    )


def test_before_after_evaluation_inside_and_in_the_ring(
    client: TestClient, drawn: dict[str, Any], planner: dict[str, str], sql: Any
) -> None:
    url = f"/api/v1/sites/{drawn['id']}"
    early = client.get(url + "/evaluation", headers=planner)
    assert early.status_code == 409
    completed = dt.date.today() - dt.timedelta(days=60)
    for status in ("planned", "done"):
        body: dict[str, Any] = {"status": status}
        if status == "done":
            body["completed_on"] = completed.isoformat()
        assert client.patch(url, json=body, headers=planner).status_code == 200
    for k in range(12):  # inside, before
        _report_at(client, sql, 0, 0, completed - dt.timedelta(days=3 + 4 * k))
    _report_at(client, sql, 5, 5, completed + dt.timedelta(days=10))  # inside, after
    for k in range(4):  # in the ring (70 m east), after: displaced?
        _report_at(client, sql, 70, 0, completed + dt.timedelta(days=5 + k))
    _report_at(client, sql, 600, 0, completed + dt.timedelta(days=5))  # far away
    _report_at(client, sql, 0, 0, completed - dt.timedelta(days=200))  # before the window

    answer = client.get(url + "/evaluation", headers=planner)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["before"]["days"] == 60 and result["after"]["days"] == 60
    inside, ring = result["inside"], result["ring"]
    assert (inside["before"], inside["after"]) == (12, 1)
    assert (ring["before"], ring["after"]) == (0, 4)
    assert inside["before_per_30_days"] == pytest.approx(6.0)
    assert inside["after_per_30_days"] == pytest.approx(0.5)
    assert inside["rate_ratio"] == pytest.approx(1 / 12)
    assert inside["p_value"] < 0.01
    assert ring["rate_ratio"] is None and ring["p_value"] == pytest.approx(0.125)


def test_outlines_are_served_counterclockwise(client: TestClient, planner: dict[str, str]) -> None:
    clockwise = square(0, 0)
    clockwise["coordinates"][0].reverse()
    answer = client.post(
        "/api/v1/sites", json={"name": "Medsols", "geometry": clockwise}, headers=planner
    )
    assert answer.status_code == 201, answer.text
    geometry = answer.json()["geometry"]
    assert geometry["type"] == "MultiPolygon"  # every site, one type per layer
    ring = geometry["coordinates"][0][0]
    shoelace = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:], strict=False))
    assert shoelace > 0


def test_drawn_geometry_is_checked(client: TestClient, planner: dict[str, str], sql: Any) -> None:
    line = {"type": "LineString", "coordinates": [list(offset(0, 0)), list(offset(50, 0))]}
    far = square(50_000, 0)
    bow = square(0, 0)
    ring = bow["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]
    for geometry, message in ((line, "Polygon"), (far, "outside"), (bow, "")):
        answer = client.post(
            "/api/v1/sites", json={"name": "x", "geometry": geometry}, headers=planner
        )
        assert answer.status_code == 422, answer.text
        assert message in answer.json()["detail"]
    both = client.post("/api/v1/sites", json={"name": "x"}, headers=planner)
    assert both.status_code == 422
    assert sql.scalar("SELECT count(*) FROM sites") == 0


def test_geojson_list_and_export_and_roles(
    tmp_path: Path,
    client: TestClient,
    drawn: dict[str, Any],
    planner: dict[str, str],
    staff_headers: Callable[..., dict[str, str]],
) -> None:
    police = staff_headers("police")
    listing = client.get("/api/v1/sites", headers=police)
    assert listing.status_code == 200
    assert listing.headers["content-type"].startswith("application/geo+json")
    assert [f["id"] for f in listing.json()["features"]] == [drawn["id"]]
    assert client.get("/api/v1/sites?status=done", headers=police).json()["features"] == []
    export = client.get("/api/v1/sites/export", headers=planner)
    assert "attachment" in export.headers["content-disposition"]
    assert export.json()["features"][0]["properties"]["name"] == "Torget"
    csv_answer = client.get("/api/v1/sites/export?format=csv", headers=planner)
    assert csv_answer.headers["content-type"].startswith("text/csv")
    lines = csv_answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("id,name,status") and "POLYGON" in lines[1]
    gpkg = client.get("/api/v1/sites/export?format=gpkg", headers=planner)
    assert gpkg.status_code == 200
    path = tmp_path / "sites.gpkg"
    path.write_bytes(gpkg.content)
    info = pyogrio.read_info(path)
    assert info["crs"] == "EPSG:3006" and info["features"] == 1
    assert "name" in list(info["fields"])
    bad = client.get("/api/v1/sites/export?format=shp", headers=planner)
    assert bad.status_code == 422
    url = f"/api/v1/sites/{drawn['id']}"
    assert client.patch(url, json={"status": "planned"}, headers=police).status_code == 403
    assert client.get(url).status_code == 401
    assert client.get("/api/v1/sites/" + str(uuid.uuid4()), headers=police).status_code == 404
