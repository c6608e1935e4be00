"""In Chromium: police plan and print a Friday-night patrol; a planner takes a site to done."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import Sql, UserFactory, point_feature
from tests.web.api.planning_data import PLACES, offset

pytestmark = pytest.mark.browser


def post_reports(page: Any, live_server: str) -> None:
    for name, place in PLACES.items():
        for k in range(6):
            east, north = place["at"]
            lon, lat = offset(east + (k % 3) * 6 - 6, north + (k // 3) * 6 - 3)
            feature = point_feature(
                lon,
                lat,
                reasons=place["reasons"],
                times=place["times"],
                days=place["days"],
                client_token=f"{name}-{k}-{uuid.uuid4().hex[:6]}",
            )
            assert page.request.post(live_server + "/api/v1/reports", data=feature).status == 201


def log_in(page: Any, live_server: str, path: str, email: str, password: str) -> None:
    page.goto(live_server + path)
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**" + path)


def test_police_plan_print_and_record_a_friday_night_patrol(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["police"])
    log_in(page, live_server, "/staff/patrull", email, password)
    page.locator("#hotspot-choices li").first.wait_for()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Planera patrull").click()
    rows = page.locator("#plan-stops tr")
    rows.first.wait_for()
    assert rows.count() == 2  # the two night places, not the morning one
    assert "omvägsfaktor" in page.locator("#plan-routing").inner_text() or (
        "detour factor" in page.locator("#plan-routing").inner_text()
    )
    assert rows.first.locator("td").nth(1).inner_text() >= "20:00"
    page.locator(".leaflet-overlay-pane path").first.wait_for()
    screenshot(page, "staff-patrol-plan")

    print_url = page.locator("#link-print").get_attribute("href")
    page.get_by_label("Datum").fill(dt.date.today().isoformat())
    page.get_by_role("button", name="Spara").click()
    page.locator("#run-status").filter(has_text="✓").wait_for()
    assert sql.scalar("SELECT cardinality(hotspot_ids) FROM patrol_runs") == 2

    page.goto(live_server + print_url)
    assert "Patrullplan" in page.locator("h1").inner_text()
    assert page.locator("svg.route-map circle").count() == 2
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Skriv ut").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "patrol-print")


def test_planner_turns_a_hotspot_into_a_site_and_finishes_it(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["planner"])
    log_in(page, live_server, "/staff/platser", email, password)
    page.locator("#hotspot-select option").first.wait_for(state="attached")
    page.get_by_label("Namn", exact=True).fill("Torget vid stationen")
    page.get_by_role("button", name="Skapa", exact=True).click()
    page.locator("#detail-name").filter(has_text="Torget vid stationen").wait_for()

    form = page.locator("#status-form")
    form.get_by_label("Status").select_option("planned")
    form.get_by_role("button", name="Spara").click()
    page.locator("#detail-status").filter(has_text="Planerad").wait_for()
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Klar datum").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    form.get_by_role("button", name="Spara").click()
    page.locator("#detail-status").filter(has_text="Klar").wait_for()
    page.locator("#evaluation-chart svg").wait_for()
    assert page.locator("#detail-history li").count() == 3
    assert sql.scalar("SELECT status FROM sites") == "done"
    assert axe_violations(page) == []

    # Draw a new outline with the area tool and make it a site.
    page.locator(".leaflet-draw-draw-polygon").click()
    box = page.locator(".folium-map").bounding_box()
    for n, (fx, fy) in enumerate([(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)], start=1):
        page.wait_for_timeout(350)  # Leaflet.draw takes a quick second click as a double click
        page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)
        page.locator(".leaflet-editing-icon").nth(n - 1).wait_for()
    page.wait_for_timeout(350)
    page.locator(".leaflet-editing-icon").first.click()  # back at the start closes the area
    page.locator("#drawn-status").filter(has_text="✓").wait_for()
    page.get_by_label("Namn på den ritade platsen").fill("Parkstigen")
    page.get_by_role("button", name="Skapa från ritad yta").click()
    page.locator("#detail-name").filter(has_text="Parkstigen").wait_for()
    assert sql.scalar("SELECT GeometryType(geom) FROM sites WHERE name = 'Parkstigen'") == (
        "POLYGON"
    )
    screenshot(page, "staff-sites")


def test_public_promise_page_is_accessible(
    page: Any, live_server: str, token_for: Callable[..., str]
) -> None:
    post_reports(page, live_server)
    admin = {"Authorization": f"Bearer {token_for('admin')}"}
    body = {
        "year": dt.date.today().year,
        "area_sv": "Det ska vara tryggare att vistas ute",
        "area_en": "It should be safer to be out and about",
        "text_sv": "Polisen patrullerar platser som upplevs som otrygga.",
        "text_en": "The police patrol places that feel unsafe.",
    }
    answer = page.request.post(live_server + "/api/v1/promises", data=body, headers=admin)
    assert answer.status == 201
    page.goto(live_server + "/loften")
    assert "Medborgarlöften" in page.locator("h1").inner_text()
    assert "Det ska vara tryggare att vistas ute" in page.locator("h2").first.inner_text()
    assert axe_violations(page) == []
    page.goto(live_server + "/loften?lang=en")
    assert "Citizen promises" in page.locator("h1").inner_text()
    assert "It should be safer" in page.locator("main").inner_text()


def test_admin_records_a_promise_that_loften_then_shows(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["admin"])
    log_in(page, live_server, "/staff/loften", email, password)
    page.locator("#promise-hotspots input").first.wait_for()
    page.get_by_label("Område (svenska)").fill("Det ska vara tryggare att vistas ute")
    page.get_by_label("Område (engelska)").fill("It should be safer to be out and about")
    page.get_by_label("Löftet (svenska)").fill("Polisen patrullerar otrygga platser.")
    page.get_by_label("Löftet (engelska)").fill("The police patrol unsafe places.")
    page.locator("#promise-hotspots input").first.check()
    page.get_by_role("button", name="Spara löftet").click()
    page.locator("#promise-list li").first.wait_for()
    assert sql.scalar("SELECT cardinality(hotspot_ids) FROM promises") == 1
    assert axe_violations(page) == []
    page.goto(live_server + "/loften")
    assert "Polisen patrullerar otrygga platser." in page.locator("main").inner_text()
    assert page.locator("dd.patrols").inner_text() == "0"
