"""The HTML pages and the static files, through the app (no browser)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import folium
import pytest
from fastapi.testclient import TestClient
from folium.plugins import LocateControl

from app.config import Environment, Settings
from frontend import maps, vendor
from tests.conftest import TEST_SECRET

CDN_HOSTS = ("jsdelivr", "cdnjs", "code.jquery", "bootstrapcdn", "unpkg", "googleapis")


def nonce_of(response: Any) -> str:
    match = re.search(r"'nonce-([^']+)'", response.headers["content-security-policy"])
    assert match
    return match.group(1)


def inline_scripts(html: str) -> list[str]:
    return re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)


@pytest.mark.parametrize("path", ["/", "/karta"])
def test_pages_use_only_own_assets_and_nonced_scripts(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    html = page.text
    assert not any(host in html for host in CDN_HOSTS)
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http:", "https:", "//")), url
    nonce = nonce_of(page)
    for attrs in inline_scripts(html):
        # JSON data blocks never run; every script that runs carries the nonce.
        assert 'type="application/json"' in attrs or f'nonce="{nonce}"' in attrs, attrs
    for url in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert "immutable" in asset.headers["cache-control"]


def test_images_the_map_stylesheets_load(client: TestClient) -> None:
    for package, file in [
        ("leaflet", "dist/images/marker-icon.png"),
        ("leaflet", "dist/images/layers.png"),
        ("leaflet-draw", "dist/images/spritesheet.svg"),
    ]:
        assert client.get(vendor.url(package, file)).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/static/vendor/leaflet@0.0.1/dist/leaflet.js",
        "/static/vendor/axe-core@" + vendor.version("axe-core") + "/axe.min.js",
        "/static/vendor/leaflet@" + vendor.version("leaflet") + "/package.json",
        "/static/vendor/leaflet@" + vendor.version("leaflet") + "/../jquery/dist/jquery.js",
        "/static/vendor/nothing",
        "/static/../app/settings.py",
        "/static/nothing.css",
    ],
)
def test_only_served_files_are_served(client: TestClient, url: str) -> None:
    answer = client.get(url)
    assert answer.status_code == 404
    assert "detail" in answer.json()


def test_resident_page_in_both_languages(client: TestClient) -> None:
    swedish = client.get("/")
    assert '<html lang="sv">' in swedish.text
    assert "Var känns det otryggt?" in swedish.text
    assert "Dålig belysning" in swedish.text
    english = client.get("/?lang=en")
    assert "Where do you feel unsafe?" in english.text
    assert "Poor lighting" in english.text
    assert english.cookies.get("lang") == "en"
    client.cookies.clear()
    by_header = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8,sv;q=0.5"})
    assert '<html lang="en">' in by_header.text


def test_report_form_warns_about_names_and_public_records(client: TestClient) -> None:
    swedish = client.get("/?lang=sv").text
    assert "Skriv inte namn på personer" in swedish
    assert "Rapporter kan bli allmänna handlingar" in swedish
    english = client.get("/?lang=en").text
    assert "Do not name people" in english
    assert "Reports may become public records" in english


def test_no_named_places_without_a_gazetteer(client: TestClient) -> None:
    html = client.get("/").text
    assert "Ingen platslista är inlagd ännu" in html
    assert 'id="place-list"' not in html


def test_public_map_size_does_not_grow_with_reports(client: TestClient, sql: Any) -> None:
    empty = len(client.get("/karta").content)
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, description, text_status, geom) "
        "SELECT gen_random_uuid(), 'import', ARRAY['lighting'], ARRAY['night'], "
        "'hemlig text ' || i, 'approved', "
        "ST_SetSRID(ST_MakePoint(12.3234 + i * 0.00001, 58.3808), 4326) "
        "FROM generate_series(1, 2000) AS i"
    )
    full = client.get("/karta")
    assert len(full.content) == empty
    assert "hemlig text" not in full.text


def test_staff_map_page_access(client: TestClient, staff_headers: Any) -> None:
    anonymous = client.get("/staff/karta", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 307)
    assert anonymous.headers["location"].startswith("/staff/login")
    police = client.get("/staff/karta", headers=staff_headers("police"))
    assert police.status_code == 200
    assert "leaflet.markercluster" in police.text and "leaflet-heat.js" in police.text
    assert 'id="patrol-form"' in police.text
    assert client.get("/staff/karta", headers=staff_headers("moderator")).status_code == 403


@pytest.fixture
def places_client(settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    from app.main import create_app

    path = tmp_path / "places.geojson"
    path.write_text(
        '{"type": "FeatureCollection", "features": ['
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [12.32, 58.38]},'
        ' "properties": {"name": "Zeta <torget>"}},'
        '{"type": "Feature", "geometry": {"type": "Point", "coordinates": [12.33, 58.38]},'
        ' "properties": {"name": "Alfa"}},'
        '{"type": "Feature", "geometry": {"type": "LineString", "coordinates": []},'
        ' "properties": {"name": "not a point"}}]}'
    )
    with_places = Settings(
        env=Environment.test,
        database_url=settings.database_url,
        secret_key=TEST_SECRET,
        gazetteer_file=path,
    )
    with TestClient(create_app(with_places)) as client:
        yield client


def test_named_places_from_the_gazetteer(places_client: TestClient) -> None:
    html = places_client.get("/").text
    options = re.findall(r'<option value="\d+">([^<]*)</option>', html)
    assert options == ["Alfa", "Zeta &lt;torget&gt;"]
    assert "not a point" not in html


def test_js_template_text_escapes_both_contexts() -> None:
    escaped = maps.js_template_text("<b>${x}</b> `a` \\")
    assert escaped == "&lt;b&gt;\\${x}&lt;/b&gt; \\`a\\` \\\\"


def test_a_plugin_with_an_unknown_cdn_is_refused() -> None:
    m = folium.Map(tiles=None)
    LocateControl().add_to(m)
    with pytest.raises(maps.UnknownAsset):
        maps._parts(m)


def test_map_without_tiles_has_no_tile_layer() -> None:
    parts = maps.public_map("", "")
    assert "L.tileLayer" not in parts.script
    defaults = Settings()
    with_tiles = maps.public_map(defaults.tile_url, defaults.tile_attribution)
    assert "tile.openstreetmap.org" in with_tiles.script
