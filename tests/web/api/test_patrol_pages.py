"""Staff pages for patrols and sites render for the right roles."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_patrol_page_for_police(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    page = client.get("/staff/patrull", headers=staff_headers("police"))
    assert page.status_code == 200
    assert 'id="plan-form"' in page.text
    assert 'value="fri" checked' in page.text and 'value="sat" checked' in page.text
    assert "patrol.js" in page.text
    assert "/static/vendor/" in page.text  # the map libraries come from this service
    english = client.get("/staff/patrull?lang=en", headers=staff_headers("police"))
    assert "Friday" in english.text
    anonymous = client.get("/staff/patrull", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/staff/login")
    assert client.get("/staff/patrull", headers=staff_headers("planner")).status_code == 403


def test_sites_page_shows_forms_only_to_planners(
    client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    planner = client.get("/staff/platser", headers=staff_headers("planner"))
    assert planner.status_code == 200
    assert 'id="site-form"' in planner.text and 'id="status-form"' in planner.text
    police = client.get("/staff/platser", headers=staff_headers("police"))
    assert police.status_code == 200
    assert 'id="site-form"' not in police.text
    assert client.get("/staff/platser", headers=staff_headers("moderator")).status_code == 403
