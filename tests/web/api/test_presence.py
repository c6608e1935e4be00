"""Presence groups and week plans through the API, and the calendar export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from app.config import Settings
from tests.conftest import Sql
from tests.web.api.documented import as_documented
from tests.web.api.planning_data import post_all

NIGHT = {"days": ["fri", "sat"], "start": "20:00", "end": "02:00", "people": 2}
MORNING = {"days": ["mon", "tue"], "start": "07:00", "end": "10:00", "people": 2}


@pytest.fixture
def coordinator(staff_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return staff_headers("coordinator")


def _group(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    answer = client.post("/api/v1/presence-groups", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return dict(as_documented(client, answer, "post", "/api/v1/presence-groups"))


def test_groups_crud_and_validation(client: TestClient, coordinator: dict[str, str]) -> None:
    group = _group(client, coordinator, name="Nattvandrarna", kind="volunteers", shifts=[NIGHT])
    assert group["shifts"][0]["people"] == 2
    gid = group["id"]
    bad = client.post(
        "/api/v1/presence-groups",
        json={"name": "X", "kind": "volunteers", "shifts": [{**NIGHT, "start": "25:00"}]},
        headers=coordinator,
    )
    assert bad.status_code == 422 and "shifts[0]" in bad.json()["detail"]
    wrong_kind = client.post(
        "/api/v1/presence-groups",
        json={"name": "X", "kind": "army", "shifts": []},
        headers=coordinator,
    )
    assert wrong_kind.status_code == 422
    patched = client.patch(
        f"/api/v1/presence-groups/{gid}", json={"shifts": [MORNING]}, headers=coordinator
    )
    assert patched.status_code == 200 and patched.json()["shifts"][0]["start"] == "07:00"
    as_documented(client, patched, "patch", "/api/v1/presence-groups/{group_id}")
    groups = client.get("/api/v1/presence-groups", headers=coordinator)
    listed = as_documented(client, groups, "get", "/api/v1/presence-groups")["groups"]
    assert [g["id"] for g in listed] == [gid]
    assert client.delete(f"/api/v1/presence-groups/{gid}", headers=coordinator).status_code == 204
    assert client.get(f"/api/v1/presence-groups/{gid}", headers=coordinator).status_code == 404


def test_week_plan_covers_the_night_places_in_shifts_only(
    client: TestClient, coordinator: dict[str, str], staff_headers: Callable[..., dict[str, str]]
) -> None:
    post_all(client)
    police = _group(client, coordinator, name="Polisen", kind="police", shifts=[NIGHT])
    walkers = _group(client, coordinator, name="Nattvandrarna", kind="volunteers", shifts=[NIGHT])
    answer = client.post("/api/v1/presence-plans", json={"week": "2026-W50"}, headers=coordinator)
    assert answer.status_code == 201, answer.text
    plan = as_documented(client, answer, "post", "/api/v1/presence-plans")
    assert plan["week"] == "2026-W50" and plan["monday"] == "2026-12-07"
    assert 0 < plan["coverage"] <= 1
    assert plan["coverage"] >= plan["naive_coverage"]
    place_hours = set()
    for assignment in plan["assignments"]:
        assert assignment["group_id"] in {police["id"], walkers["id"]}
        assert assignment["day"] in {"fri", "sat"}
        for stop in assignment["stops"]:
            hour = int(stop["arrival"][:2])
            assert hour >= 20 or hour < 2
            assert stop["arrival_at"].startswith(("2026-12-11", "2026-12-12", "2026-12-13"))
            key = (stop["hotspot_id"], stop["arrival_at"][:13])
            assert key not in place_hours  # two groups never share a place-hour
            place_hours.add(key)
    assert plan["uncovered"]
    assert len(plan["grid"]) >= 2

    stored = client.get(f"/api/v1/presence-plans/{plan['id']}", headers=coordinator)
    assert stored.status_code == 200 and stored.json()["coverage"] == plan["coverage"]
    as_documented(client, stored, "get", "/api/v1/presence-plans/{plan_id}")
    plans = client.get("/api/v1/presence-plans", headers=coordinator)
    assert as_documented(client, plans, "get", "/api/v1/presence-plans")["plans"]

    ics = client.get(
        f"/api/v1/presence-plans/{plan['id']}.ics",
        params={"group": police["id"]},
        headers=coordinator,
    )
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    police_stops = sum(
        len(a["stops"]) for a in plan["assignments"] if a["group_id"] == police["id"]
    )
    assert len(events) == police_stops > 0
    assert all(str(e["summary"]).startswith("Polisen") for e in events)

    # Carried-out presence: once per stop, recorded by the police too.
    first = next(a for a in plan["assignments"] if a["stops"])
    key = first["stops"][0]["key"]
    body = {"key": key, "carried_out_on": "2026-11-27"}
    police_headers = staff_headers("police")
    url = f"/api/v1/presence-plans/{plan['id']}/visits"
    visits = "/api/v1/presence-plans/{plan_id}/visits"
    for status in (201, 200):
        visit = client.post(url, json=body, headers=police_headers)
        assert visit.status_code == status, visit.text
        assert as_documented(client, visit, "post", visits)["key"] == key
    assert client.post(url, json={**body, "key": "99.9"}, headers=coordinator).status_code == 422
    read = client.get(f"/api/v1/presence-plans/{plan['id']}", headers=coordinator)
    again = as_documented(client, read, "get", "/api/v1/presence-plans/{plan_id}")
    assert [v["key"] for v in again["carried_out"]] == [key]


def test_plan_needs_a_valid_week_and_known_groups(
    client: TestClient, coordinator: dict[str, str]
) -> None:
    _group(client, coordinator, name="Fältarna", kind="field_workers", shifts=[MORNING])
    for body in (
        {"week": "2026-50"},
        {"week": "2026-W60"},
        {"week": "2026-W50", "groups": ["not-an-id"]},
        {"week": "2026-W50", "groups": ["6a3c1a57-0000-4000-8000-000000000000"]},
    ):
        answer = client.post("/api/v1/presence-plans", json=body, headers=coordinator)
        assert answer.status_code == 422, body


def test_police_reads_but_does_not_manage(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    police = staff_headers("police")
    assert client.get("/api/v1/presence-groups", headers=police).status_code == 200
    denied = client.post(
        "/api/v1/presence-groups",
        json={"name": "X", "kind": "police", "shifts": [NIGHT]},
        headers=police,
    )
    assert denied.status_code == 403


def test_loften_counts_carried_out_presence_above_the_threshold(
    client: TestClient, coordinator: dict[str, str], settings: Settings, sql: Sql
) -> None:
    post_all(client)
    busy = {**NIGHT, "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
    _group(client, coordinator, name="Nattvandrarna", kind="volunteers", shifts=[busy])
    _group(client, coordinator, name="Fältarna", kind="field_workers", shifts=[MORNING])
    plan = client.post("/api/v1/presence-plans", json={"week": "2026-W48"}, headers=coordinator)
    assert plan.status_code == 201, plan.text
    url = f"/api/v1/presence-plans/{plan.json()['id']}/visits"
    for assignment in plan.json()["assignments"]:
        for stop in assignment["stops"]:
            body = {"key": stop["key"], "carried_out_on": "2026-11-27"}
            assert client.post(url, json=body, headers=coordinator).status_code == 201
    rows = sql.all("SELECT group_name, count(*) AS n FROM presence_visits GROUP BY group_name")
    counts = {r["group_name"]: r["n"] for r in rows}
    assert counts.get("Nattvandrarna", 0) >= settings.public_min_reporters
    page = client.get("/loften").text
    assert "Nattvandrarna" in page
    if counts.get("Fältarna", 0) < settings.public_min_reporters:
        assert "Fältarna" not in page
