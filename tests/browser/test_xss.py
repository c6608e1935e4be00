"""User text is never code: file hostile texts through the resident page, then
open every page that can show them and check that no script ran, the text
shows literally, and the maps still render."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.browser.data import lonlat
from tests.browser.test_maps import log_in, open_popup_at

pytestmark = pytest.mark.browser

HOSTILE = [
    "<img src=x onerror=window.__xss=1>",
    "</script><script>window.__xss=2</script>",
    "${window.__xss=3}",
    "`;window.__xss=4;`",
    "slutar med bakstreck \\",
    "C:\\users\\nisse",
]


def places() -> list[tuple[float, float]]:
    """One point per text, 80 m apart, so each has its own marker at high zoom."""
    spots = [lonlat(-200 + 80 * (i % 3), 200 + 80 * (i // 3)) for i in range(len(HOSTILE))]
    return [(round(lat, 6), round(lon, 6)) for lon, lat in spots]


def no_script_ran(page: Any) -> None:
    assert page.evaluate("() => window.__xss === undefined"), "a report's text ran as script"
    assert page.locator(".leaflet-container").count() == 1
    assert page.locator(".leaflet-control-zoom-in").is_visible(), "the map did not render"


def test_hostile_text_is_shown_as_text(
    page: Any, live_server: str, sql: Any, make_user: Any
) -> None:
    page.goto(live_server + "/")
    for text, (lat, lon) in zip(HOSTILE, places(), strict=True):
        page.get_by_label("Latitud").fill(str(lat))
        page.get_by_label("Longitud").fill(str(lon))
        page.get_by_role("button", name="Sätt punkten här").click()
        page.get_by_label("Annat").check()
        page.get_by_label("Kväll 17–22").check()
        page.get_by_label("Beskriv gärna platsen (frivilligt)").fill(text)
        page.get_by_role("button", name="Skicka rapporten").click()
        page.locator("#receipt").wait_for(state="visible")
        page.get_by_role("button", name="Rapportera en plats till").click()
    no_script_ran(page)
    stored = sql.all("SELECT description FROM reports ORDER BY description")
    assert sorted(r["description"] for r in stored) == sorted(HOSTILE)

    # The moderator sees the waiting texts...
    email, password = make_user(roles=("police", "moderator"))
    log_in(page, live_server, email, password, "/staff/moderation")
    body = page.locator("main").inner_text()
    for text in HOSTILE:
        assert text in body
    assert page.evaluate("() => window.__xss === undefined")
    screenshot(page, "xss-moderation")

    # ...and once approved, police see them in the staff map's popups.
    sql.all("UPDATE reports SET text_status = 'approved'")
    page.goto(live_server + "/staff/karta")
    page.wait_for_function("() => document.body.dataset.reportsLoaded")
    for text, (lat, lon) in zip(HOSTILE, places(), strict=True):
        lines = open_popup_at(page, lat, lon)
        assert text in lines, (text, lines)
        no_script_ran(page)
    screenshot(page, "xss-staff-map")

    for path in ("/", "/karta"):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        no_script_ran(page)
