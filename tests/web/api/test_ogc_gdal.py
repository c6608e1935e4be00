"""GDAL (the library inside QGIS) reads /ogc from a live server: ogrinfo and ogr2ogr."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pyogrio
from fastapi.testclient import TestClient

from tests.browser.conftest import gazetteer, live_server, live_settings
from tests.conftest import Sql, TokenFactory, fresh_get, point_feature
from tests.web.api.test_hotspots import seed

__all__ = ["gazetteer", "live_server", "live_settings"]  # fixtures, used by name


def _gdal(*args: str, token: str | None = None) -> str:
    env = {**os.environ, "GDAL_HTTP_TIMEOUT": "60"}
    env.pop("GDAL_HTTP_HEADERS", None)
    if token is not None:
        env["GDAL_HTTP_HEADERS"] = f"Authorization: Bearer {token}"
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_ogrinfo_lists_the_public_layer(live_server: str, client: TestClient, sql: Sql) -> None:
    seed(sql)
    public = fresh_get(client, "/api/v1/hotspots").json()["features"]
    assert public
    out = _gdal("ogrinfo", "-ro", "-so", f"OAPIF:{live_server}/ogc", "hotspots")
    assert "Layer name: hotspots" in out
    listing = _gdal("ogrinfo", "-ro", "-q", f"OAPIF:{live_server}/ogc")
    assert "hotspots" in listing and "reports" not in listing


def test_ogr2ogr_copies_every_public_hotspot(
    live_server: str, client: TestClient, sql: Sql, tmp_path: Path
) -> None:
    seed(sql)
    public = fresh_get(client, "/api/v1/hotspots").json()["features"]
    out = tmp_path / "hotspots.gpkg"
    _gdal("ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{live_server}/ogc", "hotspots")
    assert pyogrio.read_info(out, layer="hotspots")["features"] == len(public)


def test_staff_reports_with_a_bearer_token_page_by_page(
    live_server: str, client: TestClient, token_for: TokenFactory, tmp_path: Path
) -> None:
    for i in range(23):
        feature = point_feature(lon=12.3200 + i * 0.0002, client_token=f"gdal-token-{i:04d}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    token = token_for("police")
    url = f"OAPIF:{live_server}/ogc"
    listing = _gdal("ogrinfo", "-ro", "-q", url, token=token)
    assert "reports (title: Reports (staff))" in listing
    out = tmp_path / "reports.gpkg"
    _gdal("ogr2ogr", "-f", "GPKG", "-oo", "PAGE_SIZE=10", str(out), url, "reports", token=token)
    assert pyogrio.read_info(out, layer="reports")["features"] == 23
    # GDAL 3.6 (Debian 12) has no CRS open option for OAPIF yet (3.7 adds it);
    # EPSG:3006 output is tested against the API in test_ogc.py.
