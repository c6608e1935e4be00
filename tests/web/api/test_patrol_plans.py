"""Patrol plans through the API: window ranking, order, times and outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gpxpy
import pytest
from fastapi.testclient import TestClient

from tests.web.api.planning_data import PLACES, offset, post_all

FRIDAY_NIGHT = {"days": ["fri", "sat"], "start": "20:00", "end": "02:00"}


@pytest.fixture
def police(staff_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return staff_headers("police")


@pytest.fixture
def planned(client: TestClient, police: dict[str, str]) -> dict[str, Any]:
    post_all(client)
    answer = client.post(
        "/api/v1/patrol-plans",
        json={"window": FRIDAY_NIGHT, "top": 5, "visit_minutes": 15},
        headers=police,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _near(point: list[float], place: str) -> bool:
    lon, lat = offset(*PLACES[place]["at"])
    return abs(point[0] - lon) < 0.002 and abs(point[1] - lat) < 0.001


def test_friday_night_plan_visits_the_night_places_not_the_morning_one(
    planned: dict[str, Any],
) -> None:
    stops = planned["stops"]
    assert len(stops) == 2
    assert {p for p in PLACES if any(_near(s["point"], p) for s in stops)} == {"square", "park"}
    assert planned["method"] == "held-karp (exact)"
    assert planned["routing"]["network"] == "straight_line"
    assert planned["routing"]["detour_factor"] == 1.3
    assert "detour factor" in planned["routing"]["note"]
    assert planned["window"]["passes_midnight"] is True
    assert planned["route"]["type"] == "LineString"
    assert len(planned["route"]["coordinates"]) == 4  # start, two stops, back


def test_times_add_up_from_the_shift_start(planned: dict[str, Any]) -> None:
    legs = planned["legs"]
    assert planned["start"]["departure"] == "20:00"
    first = planned["stops"][0]
    h, m = map(int, first["arrival"].split(":"))
    assert h * 60 + m == pytest.approx(20 * 60 + legs[0]["minutes"], abs=1)
    for stop in planned["stops"]:
        a = [int(x) for x in stop["arrival"].split(":")]
        d = [int(x) for x in stop["departure"].split(":")]
        assert (d[0] * 60 + d[1] - a[0] * 60 - a[1]) % 1440 == 15
    # 5 km/h: a leg's minutes are its metres / 83.3.
    for leg in legs:
        assert leg["minutes"] == pytest.approx(leg["distance_m"] / (5000 / 60), abs=0.1)
    total = planned["totals"]
    assert total["distance_m"] == pytest.approx(sum(leg["distance_m"] for leg in legs), abs=1)
    assert total["visit_minutes"] == 30
    assert len(legs) == len(planned["stops"]) + 1


def test_plan_is_stored_and_served_as_json_geojson_gpx_and_print(
    client: TestClient, planned: dict[str, Any], police: dict[str, str]
) -> None:
    links = planned["links"]
    again = client.get(links["self"], headers=police)
    assert again.status_code == 200
    assert again.json()["stops"] == planned["stops"]
    assert again.json()["route"]["type"] == "LineString"

    geo = client.get(links["geojson"], headers=police)
    assert geo.status_code == 200
    assert geo.headers["content-type"].startswith("application/geo+json")
    stops = geo.json()["features"]
    assert [f["geometry"]["type"] for f in stops] == ["Point", "Point"]
    assert [f["properties"]["order"] for f in stops] == [1, 2]
    route = client.get(links["geojson_route"], headers=police)
    assert route.status_code == 200
    assert [f["geometry"]["type"] for f in route.json()["features"]] == ["LineString"]
    route_csv = client.get(links["csv_route"], headers=police).content
    lines = route_csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("distance_m,") and lines[1].count("LINESTRING(") == 1
    bad = client.get(links["geojson"] + "?layer=both", headers=police)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "layer"

    gpx_answer = client.get(links["gpx"], headers=police)
    assert gpx_answer.status_code == 200
    gpx = gpxpy.parse(gpx_answer.text)
    assert gpx.version == "1.1"
    assert "omvägsfaktor på 1,3." in gpx.description, gpx.description
    assert len(gpx.waypoints) == 2
    assert gpx.waypoints[0].name.startswith("1. ")
    track = gpx.tracks[0].segments[0].points
    assert len(track) == 4  # straight lines: start, two stops, back
    assert track[0].longitude == pytest.approx(track[-1].longitude)

    page = client.get(links["print"], headers=police)
    assert page.status_code == 200
    assert "<svg" in page.text and "Patrullplan" in page.text
    assert "omvägsfaktor" in page.text
    for stop in planned["stops"]:
        assert stop["arrival"] in page.text


def test_seed_is_repeatable_and_named_hotspots_are_used(
    client: TestClient, planned: dict[str, Any], police: dict[str, str]
) -> None:
    ids = [s["hotspot_id"] for s in planned["stops"]]
    body = {"window": FRIDAY_NIGHT, "hotspot_ids": ids, "seed": 7}
    one = client.post("/api/v1/patrol-plans", json=body, headers=police).json()
    two = client.post("/api/v1/patrol-plans", json=body, headers=police).json()
    assert [s["hotspot_id"] for s in one["stops"]] == [s["hotspot_id"] for s in two["stops"]]
    assert one["seed"] == 7
    assert sorted(s["hotspot_id"] for s in one["stops"]) == sorted(ids)


def test_time_budget_drops_the_weakest_stop(
    client: TestClient, planned: dict[str, Any], police: dict[str, str]
) -> None:
    body = {"window": FRIDAY_NIGHT, "top": 5, "time_budget_minutes": 30}
    answer = client.post("/api/v1/patrol-plans", json=body, headers=police).json()
    assert len(answer["stops"]) == 1
    assert len(answer["dropped"]) == 1


def test_record_a_patrol_as_carried_out(
    client: TestClient, planned: dict[str, Any], police: dict[str, str]
) -> None:
    first = planned["stops"][0]["hotspot_id"]
    runs = planned["links"]["runs"]
    answer = client.post(
        runs, json={"carried_out_on": "2026-11-20", "hotspot_ids": [first]}, headers=police
    )
    assert answer.status_code == 201, answer.text
    stored = client.get(planned["links"]["self"], headers=police).json()["runs"]
    assert stored[0]["hotspot_ids"] == [first]
    bad = client.post(
        runs, json={"carried_out_on": "2026-11-20", "hotspot_ids": ["x"]}, headers=police
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"window": {"days": ["friday"], "start": "20:00", "end": "02:00"}}, "not one of"),
        ({"window": {"days": ["fri"], "start": "25:00", "end": "02:00"}}, "HH:MM"),
        ({"window": FRIDAY_NIGHT, "top": 0}, "top"),
        ({"window": FRIDAY_NIGHT, "start": [0.0, 0.0]}, "outside the service area"),
        ({"window": FRIDAY_NIGHT, "colour": "red"}, "colour"),
        ({"window": FRIDAY_NIGHT, "top": 3, "hotspot_ids": ["a"]}, "not both"),
        ({"window": FRIDAY_NIGHT, "hotspot_ids": ["not-a-hotspot"]}, "no current hotspot"),
        ({"window": FRIDAY_NIGHT, "visit_minutes": -5}, "visit_minutes"),
        ([1, 2, 3], "body"),
    ],
)
def test_bad_requests_say_why_and_store_nothing(
    client: TestClient, police: dict[str, str], sql: Any, body: dict[str, Any], message: str
) -> None:
    answer = client.post("/api/v1/patrol-plans", json=body, headers=police)
    assert answer.status_code == 422
    assert message in answer.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM patrol_plans") == 0


def test_only_police_may_plan(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    body = {"window": FRIDAY_NIGHT}
    assert client.post("/api/v1/patrol-plans", json=body).status_code == 401
    answer = client.post("/api/v1/patrol-plans", json=body, headers=staff_headers("planner"))
    assert answer.status_code == 403
    assert (
        client.get("/api/v1/patrol-plans/nope", headers=staff_headers("police")).status_code == 404
    )


def test_an_empty_window_is_refused(client: TestClient, police: dict[str, str]) -> None:
    answer = client.post(
        "/api/v1/patrol-plans",
        json={"window": {"days": ["tue"], "start": "11:00", "end": "12:00"}},
        headers=police,
    )
    assert answer.status_code == 422
    assert "no hotspot" in answer.json()["detail"]
