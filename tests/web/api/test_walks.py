"""Safety walks through the API: stops once per Idempotency-Key, actions, sites, protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.api.documented import as_documented

ROUTE = {"type": "LineString", "coordinates": [[12.3234, 58.3808], [12.3260, 58.3822]]}
POINT = {"type": "Point", "coordinates": [12.3240, 58.3812]}
WALK = "/api/v1/walks/{walk_id}"


@pytest.fixture
def walker(staff_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return staff_headers("coordinator")


@pytest.fixture
def walk(client: TestClient, walker: dict[str, str]) -> dict[str, Any]:
    answer = client.post(
        "/api/v1/walks",
        json={
            "name": "Centrum",
            "date": "2026-12-10",
            "route": ROUTE,
            "announce": True,
            "meeting_point": "Torget",
            "meeting_time": "18:00",
        },
        headers=walker,
    )
    assert answer.status_code == 201, answer.text
    return dict(as_documented(client, answer, "post", "/api/v1/walks"))


def _stop(
    client: TestClient, walk: dict[str, Any], headers: dict[str, str], key: str, **body: Any
) -> Any:
    return client.post(
        f"/api/v1/walks/{walk['id']}/stops",
        json={"point": POINT, **body},
        headers={**headers, "Idempotency-Key": key},
    )


def test_walk_needs_area_or_route(client: TestClient, walker: dict[str, str]) -> None:
    for body in (
        {"name": "X", "date": "2026-12-10"},
        {"name": "X", "date": "2026-12-10", "route": ROUTE, "area": ROUTE},
        {"name": "X", "date": "2026-12-10", "area": ROUTE},
        {
            "name": "X",
            "date": "2026-12-10",
            "route": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        },
    ):
        assert client.post("/api/v1/walks", json=body, headers=walker).status_code == 422, body


def test_a_stop_is_stored_once_per_key(
    client: TestClient, walk: dict[str, Any], walker: dict[str, str]
) -> None:
    checklist = {
        "belysning": "allvarlig brist",
        "Siktlinjer och överblick": "brist",
        "trafik": "ok",
    }
    first = _stop(client, walk, walker, "k-1", checklist=checklist, note="Mörk gångtunnel")
    assert first.status_code == 201, first.text
    again = _stop(client, walk, walker, "k-1", checklist=checklist, note="Mörk gångtunnel")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["checklist"]["siktlinjer"] == "brist"
    assert first.json()["worst"] == "allvarlig brist"
    assert _stop(client, walk, walker, "k-2").json()["position"] == 2
    no_key = client.post(f"/api/v1/walks/{walk['id']}/stops", json={"point": POINT}, headers=walker)
    assert no_key.status_code == 400
    bad = _stop(client, walk, walker, "k-3", checklist={"belysning": "dålig"})
    assert bad.status_code == 422
    stored = as_documented(
        client, client.get(f"/api/v1/walks/{walk['id']}", headers=walker), "get", WALK
    )
    assert [s["key"] for s in stored["stops"]] == ["k-1", "k-2"]
    as_documented(client, first, "post", WALK + "/stops")
    as_documented(client, again, "post", WALK + "/stops")
    as_documented(client, client.get("/api/v1/walks", headers=walker), "get", "/api/v1/walks")


def test_an_action_becomes_a_redesign_site_and_the_protocol_prints(
    client: TestClient,
    walk: dict[str, Any],
    walker: dict[str, str],
    staff_headers: Callable[..., dict[str, str]],
) -> None:
    stop = _stop(client, walk, walker, "k-1", checklist={"belysning": "brist"}).json()
    action = client.post(
        f"/api/v1/walks/{walk['id']}/actions",
        json={
            "stop_id": stop["id"],
            "text": "Byt belysning",
            "unit": "Samhällsbyggnad",
            "due": "2027-03-01",
            "site": True,
        },
        headers=walker,
    )
    assert action.status_code == 201, action.text
    site_id = as_documented(client, action, "post", WALK + "/actions")["site_id"]
    assert site_id
    site = client.get(f"/api/v1/sites/{site_id}", headers=staff_headers("planner"))
    assert site.status_code == 200, site.text
    assert site.json()["properties"]["name"].startswith("Centrum: Byt belysning")
    page = client.get(f"/staff/trygghetsvandring/{walk['id']}/protokoll", headers=walker)
    assert page.status_code == 200
    assert "Byt belysning" in page.text and "<svg" in page.text and "Belysning" in page.text
    pdf = client.get(f"/staff/trygghetsvandring/{walk['id']}/protokoll.pdf", headers=walker)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_upcoming_walks_are_announced_on_loften(client: TestClient, walk: dict[str, Any]) -> None:
    page = client.get("/loften")
    assert page.status_code == 200
    assert "Centrum" in page.text and "Torget" in page.text
    english = client.get("/loften?lang=en")
    assert "Upcoming safety walks" in english.text


def test_swapped_coordinates_get_a_hint_naming_the_field(
    client: TestClient, walk: dict[str, Any], walker: dict[str, str]
) -> None:
    swapped = [[lat, lon] for lon, lat in ROUTE["coordinates"]]
    answer = client.post(
        "/api/v1/walks",
        json={"name": "X", "date": "2026-12-10", "route": {**ROUTE, "coordinates": swapped}},
        headers=walker,
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["field"] == "route" and "swapped" in error["message"]
    lon, lat = POINT["coordinates"]
    stop = _stop(client, walk, walker, "k-9", point={"type": "Point", "coordinates": [lat, lon]})
    assert stop.status_code == 422
    [error] = stop.json()["errors"]
    assert error["field"] == "point" and "swapped" in error["message"]
