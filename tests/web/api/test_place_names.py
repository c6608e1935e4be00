"""Hotspots named after the nearest gazetteer place; planners rename; names survive recomputes."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Environment, Settings
from tests.conftest import TEST_SECRET, Sql, fresh_get
from tests.web.api.documented import as_documented
from tests.web.api.planning_data import PLACES, offset, post_all, post_place


@pytest.fixture
def named_client(settings: Settings, tmp_path: Path, clean_db: None) -> Iterator[TestClient]:
    from app.main import create_app

    names = {"square": "Torget", "park": "Skräcklan", "station": "Resecentrum"}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(offset(*PLACES[p]["at"]))},
            "properties": {"name": name},
        }
        for p, name in names.items()
    ]
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    configured = Settings(
        env=Environment.test,
        database_url=settings.database_url,
        secret_key=TEST_SECRET,
        gazetteer_file=path,
    )
    with TestClient(create_app(configured)) as client:
        yield client


def _names(client: TestClient, headers: dict[str, str]) -> dict[str, str]:
    features = fresh_get(client, "/api/v1/hotspots", headers).json()["features"]
    return {f["id"]: f["properties"]["name"] for f in features}


def test_hotspots_get_names_and_planners_rename_them(
    named_client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    post_all(named_client)
    planner = staff_headers("planner")
    names = _names(named_client, planner)
    assert sorted(names.values()) == ["Resecentrum", "Skräcklan", "Torget"]
    # One TestClient address is one source, so the gate holds them: a moderator publishes.
    moderator = staff_headers("moderator")
    for hid in names:
        published = named_client.post(f"/api/v1/hotspots/{hid}/publish", headers=moderator)
        assert published.status_code == 200, published.text
    public = _names(named_client, {})
    assert set(public.values()) <= set(names.values()) and public
    square = next(hid for hid, name in names.items() if name == "Torget")
    one = named_client.get(f"/api/v1/hotspots/{square}").json()
    assert one["properties"]["name"] == "Torget"

    renamed = named_client.put(
        f"/api/v1/place-names/{square}", json={"name": "  Stora   torget "}, headers=planner
    )
    assert renamed.status_code == 200, renamed.text
    place = "/api/v1/place-names/{hotspot_id}"
    assert as_documented(named_client, renamed, "put", place)["name"] == "Stora torget"
    read = named_client.get(f"/api/v1/place-names/{square}", headers=planner)
    assert as_documented(named_client, read, "get", place)["name"] == "Stora torget"
    assert [h["source"] for h in renamed.json()["history"]] == ["gazetteer", "planner"]
    police = staff_headers("police")
    assert (
        named_client.put(
            f"/api/v1/place-names/{square}", json={"name": "X"}, headers=police
        ).status_code
        == 403
    )

    # More reports at the square: a new hotspot run, the same stable id, the same name.
    post_place(named_client, "square", people=4)
    assert _names(named_client, planner)[square] == "Stora torget"

    export = named_client.get("/api/v1/hotspots/export?format=csv", headers=planner)
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {r["id"]: r["name"] for r in rows}[square] == "Stora torget"
    geojson = named_client.get("/api/v1/hotspots/export?format=geojson", headers=planner).json()
    assert {f["id"]: f["properties"]["name"] for f in geojson["features"]}[square] == (
        "Stora torget"
    )

    plan = named_client.post(
        "/api/v1/patrol-plans",
        json={"window": {"days": ["sat"], "start": "20:00", "end": "02:00"}, "top": 3},
        headers=police,
    ).json()
    assert "Stora torget" in [s["name"] for s in plan["stops"]]


def test_streets_of_the_imported_network_name_places(
    client: TestClient, sql: Sql, staff_headers: Callable[..., dict[str, str]]
) -> None:
    post_all(client)
    (a_lon, a_lat), (b_lon, b_lat) = offset(400, 250), offset(500, 250)
    sql.all(
        "INSERT INTO walk_ways (id, osm_id, highway, source, target, cost, reverse_cost, geom,"
        " name) VALUES (1, 1, 'footway', 1, 2, 100, 100,"
        " ST_GeomFromText(%s, 4326), 'Parkvägen')",
        (f"LINESTRING({a_lon} {a_lat}, {b_lon} {b_lat})",),
    )
    names = sorted(str(n) for n in _names(client, staff_headers("planner")).values())
    assert names == ["None", "None", "Parkvägen"]
    assert sql.scalar("SELECT source FROM place_names") == "network"


def test_only_hotspots_can_be_renamed(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    planner = staff_headers("planner")
    unknown = "6a3c1a57-0000-4000-8000-000000000000"
    answer = client.put(f"/api/v1/place-names/{unknown}", json={"name": "Torget"}, headers=planner)
    assert answer.status_code == 404
    assert (
        client.put("/api/v1/place-names/x", json={"name": "T"}, headers=planner).status_code == 404
    )
