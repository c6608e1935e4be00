"""WCAG 2.1 AA in Chromium: axe over every page x language x viewport, RTL, reflow, keyboard.

One context per viewport visits every page in turn (axe is injected once per
page load), so the whole matrix costs about as much as a few ordinary tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from frontend.templating import CORE_LANGUAGES, LANGUAGES
from tests.browser.conftest import (
    AXE,
    TEST_PLACES,
    Watch,
    screenshot,
    watch_context,
    watch_page,
)
from tests.conftest import Sql, UserFactory

pytestmark = pytest.mark.browser

RESIDENT_PAGES = ("/", "/karta", "/loften")
CORE_PAGES = ("/tillganglighet", "/staff/login")  # Swedish and English only
STAFF_PAGES = (
    "/staff/",
    "/staff/karta",
    "/staff/moderation",
    "/staff/users",
    "/staff/audit",
    "/staff/patrull",
    "/staff/platser",
    "/staff/loften",
    "/staff/narvaro",
    "/staff/trygghetsvandring",
)
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
AXE_TAGS = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"


@pytest.fixture(scope="module")
def axe_source() -> str:
    return AXE.read_text()


def serious(page: Any, axe_source: str) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations on the page, one line each."""
    page.evaluate(axe_source)  # via DevTools: the page's CSP does not apply, visitors never get it
    result = page.evaluate(
        f"() => axe.run(document, {{runOnly: {{type: 'tag', values: {AXE_TAGS}}}}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def context_for(browser: Any, live_server: str) -> Iterator[Any]:
    """Open contexts of a given size with the usual guards; all closed and checked at the end."""
    opened: list[tuple[Any, Watch]] = []

    def make(width: int, height: int, **options: Any) -> tuple[Any, Watch]:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        watch = watch_context(context, live_server)
        page = context.new_page()
        page.set_default_timeout(10000)
        watch_page(page, watch)
        opened.append((context, watch))
        return page, watch

    yield make
    for context, watch in opened:
        context.close()
        assert not watch.problems(), watch.problems()


def log_in(page: Any, live_server: str, email: str, password: str) -> None:
    page.goto(live_server + "/staff/login?lang=sv")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/staff/")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_every_page_language_and_viewport(
    context_for: Any, live_server: str, axe_source: str, make_user: UserFactory, viewport: str
) -> None:
    page, _ = context_for(*VIEWPORTS[viewport])
    visits = [(path, lang) for path in RESIDENT_PAGES for lang in LANGUAGES]
    visits += [(path, lang) for path in CORE_PAGES for lang in CORE_LANGUAGES]
    found: dict[str, list[str]] = {}
    for path, lang in visits:
        page.goto(f"{live_server}{path}?lang={lang}")
        if problems := serious(page, axe_source):
            found[f"{path}?lang={lang}"] = problems
    email, password = make_user(roles=["police", "planner", "admin", "coordinator"])
    log_in(page, live_server, email, password)
    for path in STAFF_PAGES:
        for lang in CORE_LANGUAGES:
            page.goto(f"{live_server}{path}?lang={lang}")
            assert "/staff/login" not in page.url, path
            if problems := serious(page, axe_source):
                found[f"{path}?lang={lang}"] = problems
    assert found == {}


def test_right_to_left_layout_by_computed_style(context_for: Any, live_server: str) -> None:
    page, _ = context_for(1280, 900)
    for lang in ("ar", "fa"):
        page.goto(f"{live_server}/?lang={lang}")
        assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
        assert page.locator("html").get_attribute("dir") == "rtl"
        # The brand sits on the right, the language switch on the left.
        brand = page.locator(".brand").bounding_box()
        langs = page.locator(".lang-nav").bounding_box()
        assert brand["x"] > langs["x"]
        # The warning's rule is on the start (right) side; lists indent from the right.
        warning = page.locator("#description-warning")
        assert warning.evaluate("e => getComputedStyle(e).borderRightWidth") == "4px"
        assert warning.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
        # Numbers keep their order: coordinates, codes and the map stay left to right.
        assert page.locator("#coord-lat").evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert page.locator("#receipt-code").evaluate("e => getComputedStyle(e).direction") == "ltr"
        map_div = page.locator(".report-map")
        assert map_div.evaluate("e => getComputedStyle(e).direction") == "ltr"
        zoom = page.locator(".leaflet-control-zoom-in").bounding_box()
        box = map_div.bounding_box()
        assert box["x"] <= zoom["x"] <= box["x"] + box["width"]
        screenshot(page, f"resident-{lang}")
    page.goto(f"{live_server}/karta?lang=ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    page.goto(f"{live_server}/?lang=sv")
    assert page.evaluate("getComputedStyle(document.body).direction") == "ltr"


def tab_to(page: Any, selector: str, limit: int = 150) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only_report_in_arabic(
    context_for: Any, live_server: str, sql: Sql, clean_db: None
) -> None:
    page, watch = context_for(1280, 900, extra_http_headers={"Accept-Language": "ar"})
    watch.expect_console("status of 4")
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "ar"
    # Sending an empty form: the errors are announced through the live region.
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert "اختر سبباً واحداً على الأقل." in page.locator("#live-errors").inner_text()
    assert page.locator("#live-errors").get_attribute("aria-live") == "assertive"
    # Choose a named place from the list, then move the point with the arrow keys.
    name = TEST_PLACES[0][0]
    tab_to(page, "#place-search")
    page.keyboard.type(name[:4])
    page.keyboard.press("ArrowDown")
    assert page.locator("#place-status").inner_text() == f"المكان المختار: {name}."
    tab_to(page, "#place-centre")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('leaflet-marker-icon')")
    page.keyboard.press("ArrowLeft")
    assert "خط العرض" in page.locator("#place-status").inner_text()
    tab_to(page, "input[value='lighting']")
    page.keyboard.press("Space")
    tab_to(page, "input[value='night']")
    page.keyboard.press("Space")
    tab_to(page, "#description")
    page.keyboard.type("الشارع مظلم")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.locator("#receipt").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "receipt"
    live = page.locator("#live-status")
    assert live.get_attribute("aria-live") == "polite"
    code = page.locator("#receipt-code").inner_text()
    assert "شكراً! تم استلام بلاغك." in live.inner_text() and code in live.inner_text()
    report_id = page.locator("#receipt-id").inner_text()
    row = sql.one("SELECT reasons, times, description FROM reports WHERE id = %s", (report_id,))
    assert row == {"reasons": ["lighting"], "times": ["night"], "description": "الشارع مظلم"}
    # Withdraw it again by keyboard; the result is announced.
    tab_to(page, "#withdraw-form button")
    page.keyboard.press("Enter")
    status = page.locator("#withdraw-status")
    page.wait_for_function("() => document.getElementById('withdraw-status').textContent")
    assert status.inner_text() == "تم سحب البلاغ وحذفه."


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_reflow_at_320_px(context_for: Any, live_server: str, lang: str) -> None:
    """320 CSS px is a 1280 px window at 400 % zoom: no sideways scrolling, the form all there."""
    page, _ = context_for(320, 640)
    page.goto(f"{live_server}/?lang={lang}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, "the page scrolls sideways at 400 % zoom"
    for selector in ("#place-search", "#locate", "#coord-lat", "input[value='night']", "#submit"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, selector
    screenshot(page, f"resident-320-{lang}")


def test_forced_colours_and_reduced_motion(browser: Any, live_server: str) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, forced_colors="active", reduced_motion="reduce"
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server}/?lang=ar")
        tab_to(page, "#locate")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline == "solid"
        current = page.locator(".lang-nav a[aria-current='true']")
        assert current.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        assert page.evaluate("matchMedia('(prefers-reduced-motion: reduce)').matches")
        marker_transition = page.evaluate(
            "getComputedStyle(document.querySelector('.leaflet-pane')).transitionDuration"
        )
        assert marker_transition in ("0s", "")
    finally:
        context.close()
