"""In Chromium: a coordinator plans a week's presence; a safety walk survives a lost network."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Watch, axe_violations, screenshot
from tests.browser.test_patrol_sites import log_in, post_reports
from tests.conftest import Sql, UserFactory

pytestmark = pytest.mark.browser


def test_coordinator_plans_a_week_and_records_a_stop(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["coordinator"])
    log_in(page, live_server, "/staff/narvaro", email, password)
    assert axe_violations(page) == []
    for name in ("Nattvandrarna", "Polisen"):
        page.get_by_label("Namn").fill(name)
        page.get_by_role("button", name="Spara grupp").click()
        page.locator("#group-rows tr", has_text=name).wait_for()
    page.get_by_label("Vecka", exact=True).fill("2026-W50")
    page.get_by_role("button", name="Planera", exact=True).click()
    page.locator("#plan-result").wait_for()
    assert "Täckning" in page.locator("#plan-coverage").inner_text()
    assert page.locator("#grid tr").count() >= 3  # header and the night places
    assert page.locator("#grid td.covered").count() > 0
    assert page.locator(".group-plan").count() == 2
    screenshot(page, "staff-presence-plan")
    page.get_by_role("button", name="Genomförd").first.click()
    page.get_by_role("button", name="Registrerad").first.wait_for()
    assert sql.scalar("SELECT count(*) FROM presence_visits") == 1


def test_safety_walk_keeps_stops_through_a_lost_connection(
    watched: tuple[Any, Watch], live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    page, watch = watched
    watch.expect_console("ERR_INTERNET_DISCONNECTED")
    email, password = make_user(roles=["coordinator"])
    log_in(page, live_server, "/staff/trygghetsvandring", email, password)
    page.get_by_label("Namn").fill("Kvällsvandring centrum")
    page.get_by_label("Datum").fill("2026-12-10")
    page.get_by_label("Mötesplats").fill("Torget")
    map_box = page.locator(".folium-map").bounding_box()
    for dx in (0.4, 0.6):
        page.mouse.click(map_box["x"] + map_box["width"] * dx, map_box["y"] + map_box["height"] / 2)
    page.get_by_role("button", name="Skapa").click()
    page.wait_for_url("**/staff/trygghetsvandring/*")
    walk_id = page.url.rsplit("/", 1)[1]

    def add_stop(note: str) -> None:
        page.get_by_label("Belysning: Allvarlig brist").check()
        page.get_by_label("Folkliv: Brist").check()
        page.get_by_label("Anteckning").fill(note)
        page.get_by_role("button", name="Spara stopp").click()

    def stored() -> int:
        return int(sql.scalar("SELECT count(*) FROM walk_stops WHERE walk_id = %s", (walk_id,)))

    add_stop("Mörk passage")
    expect(page.locator("#stop-list li.synced")).to_have_count(1)
    assert stored() == 1

    page.context.set_offline(True)
    add_stop("Buskage skymmer sikten")
    expect(page.locator("#stop-list li.pending")).to_have_count(1)
    page.locator("#sync-status[data-pending='1']").wait_for()
    assert stored() == 1

    page.context.set_offline(False)
    expect(page.locator("#stop-list li.synced")).to_have_count(2, timeout=20000)
    assert stored() == 2

    page.reload()
    page.locator("#sync-status[data-pending='0']").wait_for()
    assert page.locator("#stop-list li").count() == 2
    assert stored() == 2
    assert axe_violations(page) == []
    screenshot(page, "staff-safety-walk")

    # With the page's service worker in control, the walk page opens without a network.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    assert page.get_by_role("heading", name="Kvällsvandring centrum").is_visible()
    page.context.set_offline(False)

    page.goto(live_server + f"/staff/trygghetsvandring/{walk_id}/protokoll")
    assert "Mörk passage" in page.content() and "Allvarlig brist" in page.content()


def test_planner_renames_a_place_on_the_staff_map(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["planner"])
    log_in(page, live_server, "/staff/karta", email, password)
    first = page.locator("#hotspot-list li button").first
    first.wait_for()
    first.click()
    page.get_by_label("Platsens namn").first.fill("Stora torget")
    page.get_by_role("button", name="Byt namn").first.click()
    page.locator("#hotspot-list li button", has_text="Stora torget").wait_for()
    assert sql.scalar("SELECT name FROM place_names WHERE source = 'planner'") == "Stora torget"
