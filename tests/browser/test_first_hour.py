"""In Chromium, the first hour: staff navigation, Swedish numbers and times, a resident's report.

A Swedish browser (locale sv-SE) sees one navigation bar with every staff page
its roles allow, Swedish role names, 24-hour times, decimal commas, and a
resident sees what became of their own report from the receipt.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_patrol_sites import log_in, post_reports
from tests.browser.test_resident import map_click, submit_and_receipt
from tests.conftest import Sql, UserFactory

pytestmark = pytest.mark.browser

ALL_PAGES = {
    "Översikt": "/staff/",
    "Karta": "/staff/karta",
    "Patrullplanering": "/staff/patrull",
    "Platser för ny utformning": "/staff/platser",
    "Närvaroplanering": "/staff/narvaro",
    "Trygghetsvandringar": "/staff/trygghetsvandring",
    "Moderering": "/staff/moderation",
    "Medborgarlöften": "/staff/loften",
    "Användare": "/staff/users",
    "Granskningslogg": "/staff/audit",
}


def nav_links(page: Any) -> dict[str, str]:
    links = page.locator("nav.staff-nav ul a")
    return {
        links.nth(i).inner_text(): str(links.nth(i).get_attribute("href"))
        for i in range(links.count())
    }


def test_one_navigation_bar_lists_every_page_the_roles_allow(
    page: Any, live_server: str, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["admin", "police", "planner"])
    log_in(page, live_server, "/staff/", email, password)
    links = nav_links(page)
    assert links == ALL_PAGES  # admins moderate too
    # Separate, spaced links, not "KartaModerering".
    boxes = [page.locator("nav.staff-nav ul a").nth(i).bounding_box() for i in range(len(links))]
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right["x"] >= left["x"] + left["width"] or right["y"] > left["y"]
    user = page.locator(".staff-user").inner_text()
    assert "(administratör, planerare, polis)" in user and "planner" not in user
    # Buttons look like the public pages' buttons, not the browser's default.
    logout = page.get_by_role("button", name="Logga ut")
    style = logout.evaluate(
        "b => [getComputedStyle(b).borderRadius, getComputedStyle(b).minHeight]"
    )
    assert style == ["6px", "44px"]
    screenshot(page, "staff-nav")

    for name, href in links.items():
        page.goto(live_server + href)
        assert nav_links(page) == links, href
        current = page.locator('nav.staff-nav a[aria-current="page"]')
        assert current.inner_text() == name, href
    assert axe_violations(page) == []


def test_a_moderator_sees_only_their_pages(
    page: Any, live_server: str, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["moderator"])
    log_in(page, live_server, "/staff/moderation", email, password)
    assert nav_links(page) == {"Översikt": "/staff/", "Moderering": "/staff/moderation"}
    assert "(moderator)" in page.locator(".staff-user").inner_text()


def test_swedish_numbers_and_24_hour_times_for_the_police(
    page: Any, live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    post_reports(page, live_server)
    email, password = make_user(roles=["police"])
    log_in(page, live_server, "/staff/patrull", email, password)
    start = page.get_by_label("Start", exact=True)
    assert start.input_value() == "20:00" and start.get_attribute("type") == "text"
    start.fill("21:30")
    page.locator("#hotspot-choices li").first.wait_for()
    page.get_by_role("button", name="Planera patrull").click()
    page.locator("#plan-stops tr").first.wait_for()
    summary = page.locator("#plan-summary").inner_text()
    assert "21:30–02:00" in summary and "PM" not in summary
    assert "Ordningsmetod: exakt (Held-Karp)" in summary
    km = summary.split(" km")[0].split(" ")[-1]
    assert "," in km and "." not in km, summary  # 1,23 km
    assert "omvägsfaktor på 1,3" in page.locator("#plan-routing").inner_text()
    assert "," in page.locator("#plan-stops tr").first.locator("td").nth(3).inner_text()

    page.goto(live_server + str(page.locator("#link-print").get_attribute("href")))
    text = page.locator("main").inner_text()
    assert "5,0 km/h" in text and "5.0" not in text
    assert "Ordningsmetod: exakt (Held-Karp)." in text
    assert page.locator("svg.route-map title").text_content() == "Rutt"
    screenshot(page, "patrol-print-swedish")

    page.goto(live_server + "/staff/karta")
    shift = page.get_by_label("Passet börjar")
    assert shift.input_value() == "20:00" and shift.get_attribute("type") == "text"
    assert "PM" not in page.locator("#patrol-form").inner_text()


def test_a_resident_sees_what_became_of_their_report(
    page: Any, live_server: str, sql: Sql, clean_db: None
) -> None:
    page.goto(live_server + "/")
    map_click(page)
    page.get_by_label("Dålig belysning").check()
    page.get_by_label("Natt 22–06").check()
    page.get_by_label("Beskriv gärna platsen (frivilligt)").fill("Mörkt under bron")
    report_id = submit_and_receipt(page)

    page.get_by_role("button", name="Visa rapportens status").first.click()
    own = page.locator("#own-status")
    own.filter(has_text="publicerad").wait_for()
    assert own.inner_text() == (
        "Rapporten är publicerad och räknas på kartan. Fritexten väntar på granskning."
    )
    assert "Mörkt" not in own.inner_text()
    screenshot(page, "resident-own-report")

    sql.all("UPDATE reports SET text_status = 'approved' WHERE id = %s", (report_id,))
    withdraw = page.locator("#withdraw-form")
    withdraw.get_by_role("button", name="Visa rapportens status").click()
    page.locator("#withdraw-status").filter(has_text="godkänd").wait_for()
    assert axe_violations(page) == []
