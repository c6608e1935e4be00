"""A live server and one shared Chromium for the browser tests.

Every page a test opens is watched: a request to any host but the app's own,
a console error or an uncaught exception fails the test. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn

from app.config import Environment, Settings
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parents[2] / "frontend" / "node_modules" / "axe-core" / "axe.min.js"

# Named places for the keyboard test; generated here, not shipped with the service.
TEST_PLACES = [("Testtorget", 12.3234, 58.3808), ("Provparken", 12.3260, 58.3822)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("places") / "places.geojson"
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": name},
        }
        for name, lon, lat in TEST_PLACES
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


@pytest.fixture(scope="session")
def live_settings(database_url: str, gazetteer: Path) -> Settings:
    # No tile URL: the maps draw on a plain background and contact no other host.
    return Settings(
        env=Environment.test,
        database_url=database_url,
        secret_key=TEST_SECRET,
        tile_url="",
        gazetteer_file=gazetteer,
    )


@pytest.fixture(scope="session")
def live_server(live_settings: Settings) -> Iterator[str]:
    from app.main import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(live_settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that a user or a privacy review would object to."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.foreign: list[str] = []
        self.console_errors: list[str] = []
        self.dialogs: list[str] = []
        self.expected: list[str] = []

    def expect_console(self, fragment: str) -> None:
        """A console error the test provokes on purpose (Chromium logs 4xx fetches)."""
        self.expected.append(fragment)

    def problems(self) -> list[str]:
        errors = [m for m in self.console_errors if not any(f in m for f in self.expected)]
        return (
            [f"request to another host: {u}" for u in self.foreign]
            + [f"console error: {m}" for m in errors]
            + [f"dialog opened: {m}" for m in self.dialogs]
        )


def watch_context(context: Any, origin: str) -> Watch:
    watch = Watch(origin)
    own = urlsplit(origin).netloc

    def guard(route: Any) -> None:
        url = route.request.url
        scheme = urlsplit(url).scheme
        if scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own:
            watch.foreign.append(url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", guard)
    return watch


def watch_page(page: Any, watch: Watch) -> None:
    page.on(
        "console",
        lambda msg: watch.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: watch.console_errors.append(f"uncaught: {exc}"))

    def on_dialog(dialog: Any) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)


@pytest.fixture
def watched(browser: Any, live_server: str) -> Iterator[tuple[Any, Watch]]:
    """A fresh context (phone-sized unless a test resizes) with the guards attached."""
    context = browser.new_context(
        viewport={"width": 1000, "height": 900},
        locale="sv-SE",
        geolocation={"latitude": 58.3812, "longitude": 12.3240},
        permissions=["geolocation"],
    )
    watch = watch_context(context, live_server)
    page = context.new_page()
    page.set_default_timeout(10000)
    watch_page(page, watch)
    yield page, watch
    context.close()
    assert not watch.problems(), watch.problems()


@pytest.fixture
def page(watched: tuple[Any, Watch]) -> Any:
    return watched[0]


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical WCAG 2.1 A/AA violations found by axe-core."""
    # evaluate() runs through DevTools, so the page's CSP does not block axe.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
              values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
