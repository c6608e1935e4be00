"""The public hotspot map and the staff map in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.data import insert_cluster

pytestmark = pytest.mark.browser


def hotspot_data(sql: Any) -> None:
    insert_cluster(
        sql, dx=0, dy=0, people=12, reasons=["lighting", "deserted"], times=["night"], seed=1
    )
    insert_cluster(
        sql,
        dx=400,
        dy=-300,
        people=8,
        reasons=["groups"],
        times=["evening"],
        days=["weekday"],
        seed=2,
    )
    # Three people only: below the public threshold of five.
    insert_cluster(sql, dx=-500, dy=300, people=3, reasons=["drugs"], times=["night"], seed=3)


def log_in(page: Any, live_server: str, email: str, password: str, target: str) -> None:
    page.goto(live_server + "/staff/login?next=" + target)
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**" + target)


def open_popup_at(page: Any, lat: float, lon: float) -> list[str]:
    """Centre the staff map on a report at the highest zoom and open its popup."""
    before = page.evaluate("() => document.body.dataset.reportsLoaded")
    page.evaluate(f"() => window.TryggMap.map.setView([{lat}, {lon}], 19, {{animate: false}})")
    page.wait_for_function(f"() => document.body.dataset.reportsLoaded !== '{before}'")
    box = page.locator(".staff-map").bounding_box()
    # Reports are dots drawn on the vector tiles, centred on the point.
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    lines: list[str] = popup.locator("p").all_inner_texts()
    page.evaluate("() => window.TryggMap.map.closePopup()")
    return lines


def test_public_map_filters_and_detail(
    page: Any, live_server: str, sql: Any, clean_db: None
) -> None:
    hotspot_data(sql)
    page.goto(live_server + "/karta")
    items = page.locator("#hotspot-list li")
    items.nth(1).wait_for()
    assert items.count() == 2  # the three-person place is not public
    assert page.locator(".hotspot-map path.leaflet-interactive").count() == 2
    items.first.get_by_role("button").click()
    detail = page.locator("#detail")
    assert "12 personer har rapporterat här" in detail.inner_text()
    assert "Dålig belysning" in detail.inner_text()
    assert detail.locator(".hour-bar").count() == 24
    screenshot(page, "public-map")
    assert axe_violations(page) == []

    page.get_by_label("Kväll 17–22").check()
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_function("() => document.querySelectorAll('#hotspot-list li').length === 1")
    assert "8 personer" in items.first.inner_text()

    page.get_by_label("Kväll 17–22").uncheck()
    page.get_by_label("Skäl").select_option("lighting")
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('#hotspot-list li') && "
        "document.querySelector('#hotspot-list li').textContent.includes('12 personer')"
    )
    assert items.count() == 1
    # A click on the outline shows the reason mix too.
    page.locator(".hotspot-map path.leaflet-interactive").first.click(force=True)
    # One popup: the one from before the filter change has faded out.
    page.wait_for_function("() => document.querySelectorAll('.leaflet-popup-content').length === 1")
    popup = page.locator(".leaflet-popup-content")
    assert "Folktomt" in popup.inner_text()
    screenshot(page, "public-map-filtered")


def test_staff_map_needs_login(page: Any, live_server: str) -> None:
    page.goto(live_server + "/staff/karta")
    assert "/staff/login" in page.url


def test_staff_map_layers_and_popups(page: Any, live_server: str, sql: Any, make_user: Any) -> None:
    email, password = make_user(roles=("police",))
    hotspot_data(sql)
    insert_cluster(
        sql,
        dx=60,
        dy=60,
        people=1,
        reasons=["vandalism"],
        times=["day"],
        description="Klotter på väggen vid\nbron",
        text_status="approved",
        seed=7,
        spread=0,
    )
    insert_cluster(
        sql,
        dx=-60,
        dy=60,
        people=1,
        reasons=["other"],
        times=["day"],
        description="VÄNTAR-PÅ-MODERATOR",
        text_status="pending",
        seed=8,
        spread=0,
    )
    log_in(page, live_server, email, password, "/staff/karta")
    page.locator("#hotspot-list li").nth(1).wait_for()
    page.wait_for_function("() => document.body.dataset.reportsLoaded")
    assert "rapporter i vyn" in page.locator("#reports-status").inner_text()
    assert page.locator(".leaflet-heatmap-layer").count() == 1
    screenshot(page, "staff-map")
    assert axe_violations(page) == []
    # Zoom to the approved text's report: its popup shows the text as written,
    # and the report whose text waits for a moderator shows none.
    lines = open_popup_at(page, 58.38134, 12.32443)
    assert lines[0] == "Skadegörelse, klotter, nedskräpning"
    assert "Klotter på väggen vid\nbron" in lines
    pending = open_popup_at(page, 58.38134, 12.32237)
    assert pending and not any("VÄNTAR" in line for line in pending)
    screenshot(page, "staff-map-popup")
    # Plan a patrol from the map: the route is drawn and its printout linked.
    page.get_by_role("button", name="Gör en patrullplan").click()
    result = page.locator("#patrol-result")
    result.get_by_role("link", name="Utskrift").wait_for()
    assert "Patrullplanen är klar" in result.inner_text()
    # Export links carry the filters.
    page.get_by_label("Natt 22–06").check()
    page.get_by_role("button", name="Visa", exact=True).click()
    href = page.locator("#export-gpkg").get_attribute("href")
    assert href == "/api/v1/hotspots/export?format=gpkg&times=night"


def test_staff_map_grid_when_many_reports(
    page: Any, live_server: str, sql: Any, make_user: Any
) -> None:
    email, password = make_user(roles=("planner",))
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, reporter_hash, geom) "
        "SELECT gen_random_uuid(), 'import', ARRAY['lighting'], ARRAY['night'], "
        "sha256(i::text::bytea), ST_SetSRID(ST_MakePoint(12.3234 + (i % 50) * 0.0002, "
        "58.3808 + (i / 50) * 0.0001), 4326) FROM generate_series(1, 1500) AS i"
    )
    log_in(page, live_server, email, password, "/staff/karta")
    page.wait_for_function("() => document.body.dataset.reportsLoaded")
    # Frame all 1500: the vector tiles' cells in view add up to every report.
    before = page.evaluate("() => document.body.dataset.reportsLoaded")
    page.evaluate(
        "() => window.TryggMap.map.fitBounds([[58.3808, 12.3234], [58.3838, 12.3332]], "
        "{padding: [60, 60], animate: false})"
    )
    page.wait_for_function(f"() => document.body.dataset.reportsLoaded !== '{before}'")
    status = page.locator("#reports-status").inner_text()
    assert "".join(c for c in status if c.isdigit()) == "1500", status
    assert page.locator(".staff-map canvas.leaflet-tile").count() > 0
    # With a filter set, the reports come as JSON for the view: grid counts.
    page.get_by_label("Natt 22–06").check()
    page.get_by_role("button", name="Visa", exact=True).click()
    page.locator(".grid-count").first.wait_for()
    total = sum(int(t) for t in page.locator(".grid-count").all_inner_texts())
    assert total == 1500
    assert page.locator("#patrol-form").count() == 0  # planners do not plan patrols


def test_public_map_period_choice_by_keyboard(
    page: Any, live_server: str, sql: Any, clean_db: None
) -> None:
    """The fixed public periods (the API's period=) are offered and work from the keyboard."""
    recent = insert_cluster(sql, dx=0, dy=0, people=12, reasons=["lighting"], times=["night"])
    old = insert_cluster(sql, dx=400, dy=-300, people=8, reasons=["groups"], times=["evening"])
    last_year = sql.all("SELECT extract(year FROM now())::int - 1 AS y")[0]["y"]
    # The older place was reported in January last year: outside the last 12 months.
    sql.all(
        "UPDATE reports SET created_at = make_timestamptz(%s, 1, 5, 12, 0, 0, 'Europe/Stockholm') "
        "+ make_interval(days => (created_at::date - '2000-01-01'::date) %% 14) "
        "WHERE id = ANY(%s::uuid[])",
        (last_year, old),
    )
    sql.all("UPDATE data_version SET version = version + 1, changed_at = now()")
    assert recent
    page.goto(live_server + "/karta")
    items = page.locator("#hotspot-list li")
    items.nth(1).wait_for()
    period = page.get_by_label("Period")
    labels = period.locator("option").all_inner_texts()
    assert labels[:2] == ["Hela tiden", "Senaste 12 månaderna"]
    assert f"Året {last_year}" in labels
    # Keyboard only: move to the next period and submit with Enter.
    period.focus()
    page.keyboard.press("ArrowDown")
    assert period.input_value() == "last12"
    page.get_by_role("button", name="Visa", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#hotspot-list li').length === 1")
    assert "12 personer" in items.first.inner_text()
    period.select_option(label=f"Året {last_year}")
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('#hotspot-list li') && "
        "document.querySelector('#hotspot-list li').textContent.includes('8 personer')"
    )
    assert items.count() == 1
    assert axe_violations(page) == []


def test_staff_see_which_gate_held_a_place_back(
    page: Any, live_server: str, sql: Any, make_user: Any
) -> None:
    email, password = make_user(roles=("police",))
    hotspot_data(sql)
    log_in(page, live_server, email, password, "/staff/karta")
    page.locator("#hotspot-list li").nth(1).wait_for()
    # As the computation stores a place no bigger than the chance clusters
    # around it: the significance gate (issue 15), not the independence one.
    sql.all(
        "UPDATE hotspots SET significance_held = true, significance = significance"
        ' || \'{"held": true, "threshold": 20, "expected": 4.5, "p_value": 0.3}\'::jsonb'
        " WHERE reporters = 12"
    )
    page.reload()
    page.locator("#hotspot-list li").nth(1).wait_for()
    page.get_by_role("button", name="12 personer", exact=False).click()
    held = page.locator("#detail .hotspot-held")
    held.wait_for()
    text = held.inner_text()
    assert text.startswith("Visas inte publikt")
    assert "signifikanstestet: 12 personer, 20 krävs här, 4,5 väntade av slumpen" in text
