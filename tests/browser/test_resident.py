"""The resident page in Chromium: report a point, draw a line, keyboard only, languages."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.browser.conftest import (
    TEST_PLACES,
    axe_violations,
    screenshot,
    watch_context,
    watch_page,
)

pytestmark = pytest.mark.browser


def map_click(page: Any, dx: float = 0.5, dy: float = 0.5) -> None:
    box = page.locator(".report-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)


def submit_and_receipt(page: Any) -> str:
    page.get_by_role("button", name="Skicka rapporten").click()
    page.locator("#receipt").wait_for(state="visible")
    code = page.locator("#receipt-code").inner_text()
    assert len(code) >= 6
    return str(page.locator("#receipt-id").inner_text())


def tab_to(page: Any, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching `selector` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_report_a_point_end_to_end(page: Any, live_server: str, sql: Any, clean_db: None) -> None:
    page.goto(live_server + "/")
    assert page.locator("h1").inner_text() == "Var känns det otryggt?"
    assert axe_violations(page) == []
    map_click(page)
    assert "latitud" in page.locator("#place-status").inner_text()
    page.get_by_label("Dålig belysning").check()
    page.get_by_label("Folktomt").check()
    page.get_by_label("Natt 22–06").check()
    page.get_by_label("Helger").check()
    page.get_by_label("Mycket otryggt").check()
    screenshot(page, "resident-filled")
    report_id = submit_and_receipt(page)
    screenshot(page, "resident-receipt")
    row = sql.one(
        "SELECT channel, reasons, times, days, severity, GeometryType(geom) AS kind "
        "FROM reports WHERE id = %s",
        (report_id,),
    )
    assert row == {
        "channel": "web",
        "reasons": ["lighting", "deserted"],
        "times": ["night"],
        "days": ["weekend"],
        "severity": 3,
        "kind": "POINT",
    }


def test_draw_a_line(page: Any, live_server: str, sql: Any, clean_db: None) -> None:
    page.goto(live_server + "/")
    page.locator(".leaflet-draw-draw-polyline").click()
    vertices = page.locator(".leaflet-draw-guide-dash, .leaflet-editing-icon")
    for n, (dx, dy) in enumerate([(0.3, 0.4), (0.5, 0.5), (0.7, 0.45)], start=1):
        page.wait_for_timeout(350)  # Leaflet.draw takes a quick second click as a double click
        map_click(page, dx, dy)
        page.locator(".leaflet-editing-icon").nth(n - 1).wait_for()
    assert vertices.count() >= 3
    page.get_by_text("Klar", exact=True).click()
    assert page.locator("#place-status").inner_text() == "Vald plats: en sträcka."
    page.get_by_label("Skymd sikt (växtlighet, skymda hörn)").check()
    page.get_by_label("Kväll 17–22").check()
    screenshot(page, "resident-line")
    report_id = submit_and_receipt(page)
    row = sql.one(
        "SELECT GeometryType(geom) AS kind, ST_NPoints(geom) AS n FROM reports WHERE id = %s",
        (report_id,),
    )
    assert row == {"kind": "LINESTRING", "n": 3}


def test_keyboard_only(page: Any, live_server: str, sql: Any, clean_db: None) -> None:
    page.goto(live_server + "/")
    name, lon, lat = TEST_PLACES[1]
    tab_to(page, "#place-search")
    page.keyboard.type(name[:4])
    page.keyboard.press("ArrowDown")
    assert page.locator("#place-status").inner_text() == f"Vald plats: {name}."
    # From the marker, arrow keys move the point 10 m at a time.
    tab_to(page, "#place-centre")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowUp")
    tab_to(page, "input[value='harassment']")
    page.keyboard.press("Space")
    tab_to(page, "input[value='evening']")
    page.keyboard.press("Space")
    tab_to(page, "#description")
    page.keyboard.type("Mörkt vid busshållplatsen")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.locator("#receipt").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "receipt"
    report_id = page.locator("#receipt-id").inner_text()
    row = sql.one(
        "SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat, reasons, description "
        "FROM reports WHERE id = %s",
        (report_id,),
    )
    metres_east = (row["lon"] - lon) * 111320 * math.cos(math.radians(lat))
    metres_north = (row["lat"] - lat) * 111320
    assert 17 < metres_east < 23 and 7 < metres_north < 13
    assert row["reasons"] == ["harassment"]
    assert row["description"] == "Mörkt vid busshållplatsen"


def test_my_location_and_typed_coordinates(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("button", name="Använd min position").click()
    page.wait_for_function(
        "() => document.getElementById('place-status').textContent.includes('58.38120')"
    )
    page.get_by_label("Latitud").fill("58,3800")
    page.get_by_label("Longitud").fill("12.3200")
    page.get_by_role("button", name="Sätt punkten här").click()
    assert "58.38000" in page.locator("#place-status").inner_text()
    assert "12.32000" in page.locator("#place-status").inner_text()


def test_errors_show_next_to_their_field(watched: Any, live_server: str, sql: Any) -> None:
    page, watch = watched
    watch.expect_console("status of 422")  # Chromium logs every 4xx fetch
    page.goto(live_server + "/")
    page.get_by_role("button", name="Skicka rapporten").click()
    assert page.locator("#err-place").is_visible()
    assert page.locator("#err-reasons").inner_text() == "Välj minst ett skäl."
    assert page.evaluate("document.activeElement.id") == "error-summary"
    # A point outside the service area: the API's own message lands at the place field.
    page.get_by_label("Latitud").fill("58.2")
    page.get_by_label("Longitud").fill("12.1")
    page.get_by_role("button", name="Sätt punkten här").click()
    page.get_by_label("Trafik").check()
    page.get_by_label("Dag 10–17").check()
    before = sql.scalar("SELECT count(*) FROM reports")
    page.get_by_role("button", name="Skicka rapporten").click()
    page.locator("#err-place").wait_for(state="visible")
    assert "area" in page.locator("#err-place").inner_text().lower()
    assert page.locator("#err-reasons").is_hidden()
    assert sql.scalar("SELECT count(*) FROM reports") == before
    screenshot(page, "resident-errors")
    assert axe_violations(page) == []


def test_language_switch(page: Any, live_server: str) -> None:
    page.goto(live_server + "/")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/?lang=en")
    assert page.locator("h1").inner_text() == "Where do you feel unsafe?"
    assert page.get_by_label("Poor lighting").is_visible()
    # The choice is remembered on the next visit without ?lang.
    page.goto(live_server + "/karta")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"


def test_phone_sized_window(browser: Any, live_server: str) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    watch = watch_context(context, live_server)
    try:
        page = context.new_page()
        watch_page(page, watch)
        page.goto(live_server + "/")
        assert page.locator("html").get_attribute("lang") == "en"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, "the page scrolls sideways on a phone"
        box = page.get_by_role("button", name="Use my location").bounding_box()
        assert box["height"] >= 44
        screenshot(page, "resident-phone")
    finally:
        context.close()
    assert not watch.problems(), watch.problems()
