"""Promises: admins record them; /loften and the API show progress from the data."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db.pool import Database
from app.services.demo_promises import PROMISES, load_demo_promises
from tests.web.api.planning_data import post_all, post_place, publish_held

YEAR = dt.date.today().year


@pytest.fixture
def admin(staff_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return staff_headers("admin")


def promise_body(**extra: Any) -> dict[str, Any]:
    return {
        "year": YEAR,
        "area_sv": "Det ska vara tryggare att vistas ute",
        "area_en": "It should be safer to be out and about",
        "text_sv": "Polisen patrullerar platser som upplevs som otrygga.",
        "text_en": "The police patrol places that feel unsafe.",
        **extra,
    }


def test_progress_counts_patrols_sites_and_reports(
    client: TestClient, admin: dict[str, str], staff_headers: Callable[..., dict[str, str]]
) -> None:
    police, planner = staff_headers("police"), staff_headers("planner")
    post_all(client)
    plan = client.post(
        "/api/v1/patrol-plans",
        json={"window": {"days": ["fri", "sat"], "start": "20:00", "end": "02:00"}},
        headers=police,
    ).json()
    hotspot_ids = [s["hotspot_id"] for s in plan["stops"]]
    site = client.post(
        "/api/v1/sites", json={"hotspot_id": hotspot_ids[0], "name": "Torget"}, headers=planner
    ).json()
    created = client.post(
        "/api/v1/promises",
        json=promise_body(hotspot_ids=hotspot_ids, site_ids=[site["id"]]),
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["progress"]["patrols"]["carried_out"] == 0

    for day in ("2026-01-09", "2026-01-16"):
        run = client.post(
            plan["links"]["runs"], json={"carried_out_on": f"{YEAR}{day[4:]}"}, headers=police
        )
        assert run.status_code == 201
    client.patch(f"/api/v1/sites/{site['id']}", json={"status": "planned"}, headers=planner)

    public = client.get("/api/v1/promises").json()
    # Held places are neither shown nor measured: no patrols, no counts.
    held = public["promises"][0]["progress"]
    assert held["hotspots"]["public"] == [] and held["patrols"]["carried_out"] == 0
    assert publish_held(client, admin) > 0
    public = client.get("/api/v1/promises").json()
    assert public["year"] == YEAR
    progress = public["promises"][0]["progress"]
    assert progress["patrols"]["carried_out"] == 2
    assert progress["sites"]["by_status"]["planned"] == 1
    assert progress["reports"]["this_year"] >= 6
    assert progress["reports"]["last_year"] is None  # under 5 people: suppressed

    page = client.get("/loften")
    assert page.status_code == 200
    assert "Medborgarlöften" in page.text
    assert "Polisen patrullerar platser" in page.text
    assert 'class="patrols">2<' in page.text
    assert "mot för få att visa samma tid förra året" in page.text and "None" not in page.text
    english = client.get("/loften?lang=en")
    assert "The police patrol places that feel unsafe." in english.text
    assert "Citizen promises" in english.text
    assert "Patrols carried out at these places" in english.text


def test_only_admins_record_promises(
    client: TestClient,
    staff_headers: Callable[..., dict[str, str]],
    admin: dict[str, str],
    sql: Any,
) -> None:
    assert client.post("/api/v1/promises", json=promise_body()).status_code == 401
    answer = client.post("/api/v1/promises", json=promise_body(), headers=staff_headers("planner"))
    assert answer.status_code == 403
    bad = client.post("/api/v1/promises", json=promise_body(year=1900), headers=admin)
    assert bad.status_code == 422 and "year" in bad.json()["detail"]
    ghost = client.post(
        "/api/v1/promises",
        json=promise_body(site_ids=["00000000-0000-0000-0000-000000000001"]),
        headers=admin,
    )
    assert ghost.status_code == 422 and "no site" in ghost.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM promises") == 0


def test_edit_and_remove_a_promise(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post("/api/v1/promises", json=promise_body(), headers=admin).json()
    url = f"/api/v1/promises/{created['id']}"
    changed = client.patch(url, json={"text_en": "Changed."}, headers=admin)
    assert changed.status_code == 200 and changed.json()["text"]["en"] == "Changed."
    assert client.delete(url, headers=admin).status_code == 204
    assert client.delete(url, headers=admin).status_code == 404
    assert client.get("/api/v1/promises").json()["promises"] == []


def test_demo_promises_use_the_2017_announcement(
    client: TestClient, settings: Settings, admin: dict[str, str]
) -> None:
    post_place(client, "square")
    publish_held(client, admin)

    async def load() -> int:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            return await load_demo_promises(db, YEAR)
        finally:
            await db.close()

    assert asyncio.run(load()) == 3
    assert asyncio.run(load()) == 3  # loading again replaces, not duplicates
    public = client.get("/api/v1/promises").json()["promises"]
    assert [p["area"]["sv"] for p in public] == [p.area_sv for p in PROMISES]
    assert "centrala Vänersborg" in public[0]["text"]["sv"]
    assert "305" in public[0]["source"]
    assert len(public[0]["progress"]["hotspots"]["public"]) == 1
    assert public[1]["progress"]["hotspots"]["linked"] == 0
    page = client.get("/loften").text
    assert "Organiserad brottslighet ska minska" in page
