"""GET /api/v1/map/reports and /api/v1/map/heat: the staff map's viewport data."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

VIEW = {"bbox": "12.30,58.37,12.35,58.39", "zoom": "15"}


def insert(
    sql: Any,
    n: int,
    *,
    who: str = "i",
    description: str | None = None,
    text_status: str = "none",
    spread: float = 0.0002,
) -> None:
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, description, text_status, "
        "reporter_hash, geom) SELECT gen_random_uuid(), 'import', ARRAY['lighting'], "
        "ARRAY['night'], %s, %s, sha256(convert_to(" + who + "::text, 'UTF8')), "
        "ST_SetSRID(ST_MakePoint(12.3234 + (i %% 40) * %s, 58.3808 + (i / 40) * %s), 4326) "
        "FROM generate_series(1, %s) AS i",
        (description, text_status, spread, spread / 2, n),
    )


def test_staff_only(client: TestClient, staff_headers: Any) -> None:
    assert client.get("/api/v1/map/reports", params=VIEW).status_code == 401
    assert client.get("/api/v1/map/heat", params=VIEW).status_code == 401
    moderator = staff_headers("moderator")
    assert client.get("/api/v1/map/reports", params=VIEW, headers=moderator).status_code == 403


def test_markers_carry_only_approved_text(client: TestClient, sql: Any, staff_headers: Any) -> None:
    insert(sql, 3, description="godkänd <b>text</b>", text_status="approved")
    insert(sql, 2, description="väntar", text_status="pending")
    answer = client.get("/api/v1/map/reports", params=VIEW, headers=staff_headers("planner"))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/geo+json"
    assert answer.headers["cache-control"] == "private, no-store"
    body = answer.json()
    assert body["mode"] == "markers" and body["total"] == 5
    texts = sorted(str(f["properties"]["description"]) for f in body["features"])
    assert texts == ["None", "None"] + ["godkänd <b>text</b>"] * 3
    assert all(f["geometry"]["type"] == "Point" for f in body["features"])


def test_grid_counts_above_the_marker_limit(
    client: TestClient, sql: Any, staff_headers: Any
) -> None:
    insert(sql, 1600)
    body = client.get("/api/v1/map/reports", params=VIEW, headers=staff_headers("police")).json()
    assert body["mode"] == "grid"
    assert sum(f["properties"]["count"] for f in body["features"]) == 1600
    assert len(body["features"]) < 100
    # Filters apply: nobody reported these in the evening.
    evening = client.get(
        "/api/v1/map/reports",
        params={**VIEW, "times": "evening"},
        headers=staff_headers("police"),
    ).json()
    assert evening["mode"] == "markers" and evening["total"] == 0


def test_heat_counts_a_person_once_per_place(
    client: TestClient, sql: Any, staff_headers: Any
) -> None:
    insert(sql, 50, who="'one person'", spread=0.0)  # 50 reports at one spot, one person
    insert(sql, 5, who="i", spread=0.0)  # five people at the same spot
    body = client.get("/api/v1/map/heat", params=VIEW, headers=staff_headers("police")).json()
    assert body["max"] == 6
    assert [round(p[2]) for p in body["points"]] == [6]
    lon, lat, _ = body["points"][0]  # [lon, lat] like every other coordinate in the API
    assert abs(lon - 12.3234) < 0.001 and abs(lat - 58.3808) < 0.001


def test_heat_follows_moderation_and_deletes(
    client: TestClient, sql: Any, staff_headers: Any
) -> None:
    insert(sql, 30, who="'one person'", spread=0.0008)  # one person, 30 places 47 m apart
    insert(sql, 4, who="i", spread=0.0)  # four people at one spot
    police = staff_headers("police")

    def people() -> int:
        body = client.get("/api/v1/map/heat", params=VIEW, headers=police).json()
        return sum(round(p[2]) for p in body["points"])

    assert people() == 34
    sql.all("UPDATE reports SET status = 'hidden' WHERE reporter_hash = sha256('one person')")
    assert people() == 4
    sql.all("UPDATE reports SET status = 'published'")
    assert people() == 34
    sql.all("DELETE FROM reports WHERE reporter_hash <> sha256('one person')")
    assert people() == 30
    # Filters still apply, counted from the reports themselves.
    evening = client.get("/api/v1/map/heat", params={**VIEW, "times": "evening"}, headers=police)
    assert evening.json() == {"points": [], "max": 0}


def test_bad_views_are_refused(client: TestClient, staff_headers: Any) -> None:
    headers = staff_headers("police")
    for params in (
        {"bbox": "12.3,58.3,12.2,58.4", "zoom": "15"},
        {"bbox": "a,b,c,d", "zoom": "15"},
        {"bbox": "12.3,58.3,12.4", "zoom": "15"},
        {"bbox": "12.3,58.3,12.4,58.4", "zoom": "40"},
        {"bbox": "12.3,58.3,12.4,58.4"},
        {**VIEW, "times": "noon"},
    ):
        answer = client.get("/api/v1/map/reports", params=params, headers=headers)
        assert answer.status_code == 422, params
        assert answer.json()["detail"]


def test_an_empty_view_is_an_empty_list(client: TestClient, staff_headers: Any) -> None:
    headers = staff_headers("police")
    reports = client.get("/api/v1/map/reports", params=VIEW, headers=headers).json()
    assert reports["features"] == [] and reports["total"] == 0
    heat = client.get("/api/v1/map/heat", params=VIEW, headers=headers).json()
    assert heat == {"points": [], "max": 0}
