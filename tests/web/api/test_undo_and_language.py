"""Undo for mistakes (a candidate site, a patrol run within 24 hours) and Swedish outputs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gpxpy
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sql
from tests.web.api.test_patrol_plans import planned, police  # noqa: F401  (fixtures)
from tests.web.api.test_sites import square

Headers = Callable[..., dict[str, str]]


def _site(client: TestClient, headers: dict[str, str], name: str) -> str:
    answer = client.post(
        "/api/v1/sites", json={"name": name, "geometry": square(0, 0)}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_a_candidate_site_can_be_deleted_and_the_deletion_is_audited(
    client: TestClient, staff_headers: Headers, sql: Sql
) -> None:
    planner = staff_headers("planner")
    mistake = _site(client, planner, "Fel")
    renamed = client.patch(f"/api/v1/sites/{mistake}", json={"name": "Fel 2"}, headers=planner)
    assert renamed.status_code == 200  # still only candidate history
    refused = client.delete(f"/api/v1/sites/{mistake}", headers=staff_headers("police"))
    assert refused.status_code == 403
    assert client.delete(f"/api/v1/sites/{mistake}", headers=planner).status_code == 204
    assert client.get(f"/api/v1/sites/{mistake}", headers=planner).status_code == 404
    assert client.delete(f"/api/v1/sites/{mistake}", headers=planner).status_code == 404
    entry = sql.one("SELECT action, target FROM audit_log WHERE action = 'sites:delete'")
    assert entry == {"action": "sites:delete", "target": mistake}


def test_a_site_that_moved_on_is_kept(client: TestClient, staff_headers: Headers) -> None:
    planner = staff_headers("planner")
    site = _site(client, planner, "Torget")
    planned_site = client.patch(
        f"/api/v1/sites/{site}", json={"status": "planned"}, headers=planner
    )
    assert planned_site.status_code == 200, planned_site.text
    back = client.patch(f"/api/v1/sites/{site}", json={"status": "candidate"}, headers=planner)
    refused = client.delete(f"/api/v1/sites/{site}", headers=planner)
    assert refused.status_code == 409, (back.status_code, refused.text)
    assert "rejected" in refused.json()["detail"]
    assert refused.json()["errors"][0]["field"] == "status"


def test_a_patrol_run_can_be_deleted_within_24_hours(
    client: TestClient,
    planned: dict[str, Any],  # noqa: F811
    police: dict[str, str],  # noqa: F811
    staff_headers: Headers,
    sql: Sql,
) -> None:
    runs = planned["links"]["runs"]
    first = client.post(runs, json={"carried_out_on": "2026-11-20"}, headers=police).json()
    second = client.post(runs, json={"carried_out_on": "2026-11-21"}, headers=police).json()
    planner = staff_headers("planner")
    assert client.delete(f"{runs}/{first['id']}", headers=planner).status_code == 403
    assert client.delete(f"{runs}/{first['id']}", headers=police).status_code == 204
    assert client.delete(f"{runs}/{first['id']}", headers=police).status_code == 404
    entry = sql.one("SELECT action, target FROM audit_log WHERE action = 'patrol_runs:delete'")
    assert entry == {"action": "patrol_runs:delete", "target": first["id"]}

    sql.all("UPDATE patrol_runs SET recorded_at = now() - interval '25 hours'")
    late = client.delete(f"{runs}/{second['id']}", headers=police)
    assert late.status_code == 409 and "24 hours" in late.json()["detail"]
    assert late.json()["errors"][0]["field"] == "run_id"
    stored = client.get(planned["links"]["self"], headers=police).json()["runs"]
    assert [r["id"] for r in stored] == [second["id"]]


@pytest.mark.parametrize(
    ("lang", "words", "not_words"),
    [
        ("sv", ["gatunät", "Otrygg plats "], ["street network", "hotspot "]),
        ("en", ["street network", "Unsafe place "], ["gatunät"]),
    ],
)
def test_the_gpx_is_in_the_readers_language(
    client: TestClient,
    planned: dict[str, Any],  # noqa: F811
    police: dict[str, str],  # noqa: F811
    lang: str,
    words: list[str],
    not_words: list[str],
) -> None:
    answer = client.get(planned["links"]["gpx"] + f"?lang={lang}", headers=police)
    assert answer.status_code == 200
    gpx = gpxpy.parse(answer.text)
    text = gpx.description + " " + " ".join(w.description for w in gpx.waypoints)
    for word in words:
        assert word in text, text
    for word in not_words:
        assert word not in text, text


def test_the_print_page_is_swedish_with_swedish_numbers(
    client: TestClient,
    planned: dict[str, Any],  # noqa: F811
    police: dict[str, str],  # noqa: F811
) -> None:
    page = client.get(planned["links"]["print"], headers=police).text
    assert "5,0 km/h" in page and "5.0 km/h" not in page
    assert "Ordningsmetod: exakt (Held-Karp)." in page
    assert "held-karp (exact)" not in page and "Route / Rutt" not in page
    assert '<title id="route-map-title">Rutt</title>' in page
    assert "omvägsfaktor på 1,3" in page
    english = client.get(planned["links"]["print"] + "?lang=en", headers=police).text
    assert "5.0 km/h" in english and "exact (Held-Karp)" in english
