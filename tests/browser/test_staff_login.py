"""Staff in Chromium: log in, moderate a text, log out; the pages pass CSP and axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Watch, axe_violations, screenshot
from tests.conftest import Sql, UserFactory, point_feature

pytestmark = pytest.mark.browser


def test_moderator_logs_in_approves_a_text_and_logs_out(
    watched: tuple[Any, Watch], live_server: str, make_user: UserFactory, sql: Sql
) -> None:
    page, watch = watched
    watch.expect_console("401")  # the wrong password below
    email, password = make_user(roles=["moderator"])
    answer = page.request.post(
        live_server + "/api/v1/reports", data=point_feature(description="Trasig gatlampa")
    )
    assert answer.status == 201

    page.goto(live_server + "/staff/moderation")
    assert "/staff/login" in page.url  # sent to the login form first
    assert axe_violations(page) == []
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill("wrong password!")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text() == "Fel e-post eller lösenord."

    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/staff/moderation")
    assert "Trasig gatlampa" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "staff-moderation")

    page.get_by_role("button", name="Godkänn texten").click()
    page.wait_for_url("**/staff/moderation")
    assert "Inget väntar." in page.locator("main").inner_text()
    assert sql.scalar("SELECT text_status FROM reports") == "approved"

    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/staff/login")
    page.goto(live_server + "/staff/")
    assert "/staff/login" in page.url
    actions = [r["action"] for r in sql.all("SELECT action FROM audit_log ORDER BY id")]
    assert actions[:2] == ["login:failed", "session:login"] and "moderation:approve" in actions
