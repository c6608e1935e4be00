"""No page, and neither /docs nor /redoc, asks another host for anything (scripts, styles, fonts).

The `watched` fixture aborts and reports every request to another host, so a
page that would load from a CDN fails this test even when it still renders.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch
from tests.browser.test_first_hour import ALL_PAGES
from tests.browser.test_patrol_sites import log_in
from tests.conftest import UserFactory

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ("/", "/karta", "/loften", "/tillganglighet", "/?lang=ar", "/ogc?f=html")


def own_assets(page: Any, live_server: str) -> list[str]:
    """Every script and stylesheet the page names, checked to be this service's."""
    urls: list[str] = page.eval_on_selector_all(
        "script[src], link[rel=stylesheet], link[rel=icon]",
        "els => els.map(e => e.src || e.href)",
    )
    for url in urls:
        inline = url.startswith("data:")  # e.g. the empty favicon `data:,`
        assert inline or url.startswith(live_server + "/"), f"{page.url} loads {url}"
    return urls


def test_api_docs_load_only_from_this_service(watched: tuple[Any, Watch], live_server: str) -> None:
    page, watch = watched
    # ReDoc's bundle hard-codes its maker's logo from cdn.redoc.ly; the service's
    # Content-Security-Policy blocks it in the browser (a console error), so no
    # request leaves: `watch.foreign` below stays empty.
    watch.expect_console("cdn.redoc.ly")
    page.goto(live_server + "/docs")
    # Swagger UI renders the whole document first: slow on a busy machine.
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=60000)
    page.get_by_role("button", name="Authorize").wait_for()
    assert own_assets(page, live_server)
    page.goto(live_server + "/redoc")
    page.locator("h1").first.wait_for(timeout=60000)
    assert own_assets(page, live_server)
    page.wait_for_load_state("load")
    assert watch.foreign == []


def test_every_page_loads_only_from_this_service(
    watched: tuple[Any, Watch], live_server: str, make_user: UserFactory
) -> None:
    page, watch = watched
    for path in PUBLIC_PAGES:
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        own_assets(page, live_server)  # the OGC HTML page has none at all
    email, password = make_user(roles=["admin", "police", "planner", "coordinator"])
    log_in(page, live_server, "/staff/", email, password)
    for path in ALL_PAGES.values():
        page.goto(live_server + path)
        page.wait_for_load_state("load")
        assert own_assets(page, live_server), path
    assert watch.foreign == []
