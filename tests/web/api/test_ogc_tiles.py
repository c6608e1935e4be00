"""OGC API – Tiles: TileJSON per collection, MVT tiles decoded and read by GDAL."""

from __future__ import annotations

import math
import os
import subprocess
from collections.abc import Callable

import mapbox_vector_tile
from fastapi.testclient import TestClient

from app.repo.ogc_tiles import GRID_CELLS
from tests.browser.conftest import gazetteer, live_server, live_settings
from tests.conftest import Sql, TokenFactory, fresh_get, point_feature
from tests.web.api.test_hotspots import seed

__all__ = ["gazetteer", "live_server", "live_settings"]  # fixtures, used by name

Headers = Callable[..., dict[str, str]]
LON, LAT = 12.3234, 58.3808
MVT = "application/vnd.mapbox-vector-tile"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """(z, y, x) of the WebMercatorQuad tile holding a point."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, y, x


def _url(name: str, z: int) -> str:
    zz, y, x = tile_of(LON, LAT, z)
    return f"/ogc/collections/{name}/tiles/WebMercatorQuad/{zz}/{y}/{x}"


def _post(client: TestClient, n: int) -> None:
    for i in range(n):
        feature = point_feature(lon=LON + i * 0.00005, client_token=f"tile-token-{i:04d}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201


def test_tilejson_for_each_collection(client: TestClient, staff_headers: Headers) -> None:
    planner = staff_headers("planner")
    for name in ("hotspots", "reports", "sites"):
        doc = client.get(f"/ogc/collections/{name}/tiles/WebMercatorQuad", headers=planner).json()
        assert doc["tilejson"] == "3.0.0" and doc["vector_layers"][0]["id"] == name
        assert doc["tiles"][0].endswith(
            f"/ogc/collections/{name}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
        )
        sets = client.get(f"/ogc/collections/{name}/tiles", headers=planner).json()
        assert sets["tilesets"][0]["dataType"] == "vector"
    assert client.get("/ogc/collections/reports/tiles/WebMercatorQuad").status_code == 401
    conf = client.get("/ogc/conformance").json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt" in conf


def test_reports_are_counted_below_zoom_15_and_points_above(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    _post(client, 6)
    police = staff_headers("police")
    grid = client.get(_url("reports", 12), headers=police)
    assert grid.status_code == 200 and grid.headers["content-type"] == MVT
    layer = mapbox_vector_tile.decode(grid.content)["reports"]
    assert sum(f["properties"]["reports"] for f in layer["features"]) == 6
    assert "id" not in layer["features"][0]["properties"]
    # Each cell sits at the middle of the cell its reports are in (tile pixels, y down).
    half = 4096 / GRID_CELLS / 2
    z, y, x = tile_of(LON, LAT, 12)
    px = ((LON + 180) / 360 * 2**z - x) * 4096
    py = ((1 - math.asinh(math.tan(math.radians(LAT))) / math.pi) / 2 * 2**z - y) * 4096
    decoded = mapbox_vector_tile.decode(grid.content, default_options={"y_coord_down": True})
    for cell in decoded["reports"]["features"]:
        cx, cy = cell["geometry"]["coordinates"]
        assert abs(cx - px) <= half and abs(cy - py) <= half, (cx, cy, px, py)
    assert sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:map'") == 0
    points = mapbox_vector_tile.decode(client.get(_url("reports", 16), headers=police).content)
    features = points["reports"]["features"]
    assert len(features) == 6 and features[0]["properties"]["reasons"] == "lighting"
    assert sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:map'") == 1
    assert client.get(_url("reports", 16)).status_code == 401
    assert client.get(_url("reports", 16), headers=staff_headers("moderator")).status_code == 403


def _counts(client: TestClient, headers: dict[str, str], z: int) -> tuple[int, int]:
    layer = mapbox_vector_tile.decode(client.get(_url("reports", z), headers=headers).content)
    cells = layer.get("reports", {"features": []})["features"]
    return (
        sum(f["properties"]["reports"] for f in cells),
        sum(f["properties"]["published"] for f in cells),
    )


def test_grid_follows_inserts_moderation_and_deletes(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    _post(client, 5)
    # Bulk inserts (imports) and a line, counted at its point on surface.
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, geom) SELECT gen_random_uuid(), "
        "'import', ARRAY['lighting'], ARRAY['night'], ST_SetSRID(ST_MakePoint("
        f"{LON} + i * 0.0001, {LAT}), 4326) FROM generate_series(1, 20) AS i"
    )
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, geom) VALUES (gen_random_uuid(), "
        "'import', ARRAY['lighting'], ARRAY['night'], ST_GeomFromText("
        f"'LINESTRING({LON} {LAT}, {LON + 0.001} {LAT + 0.0005})', 4326))"
    )
    police = staff_headers("police")
    for z in (3, 9, 11, 13, 14):
        assert _counts(client, police, z) == (26, 26), z
    # Counts carry the grid's version: asked again, an unchanged tile is a 304.
    first = client.get(_url("reports", 14), headers=police)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get(_url("reports", 14), headers={**police, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    sql.all(
        "UPDATE reports SET status = 'hidden' WHERE channel = 'import' AND geom && "
        f"ST_MakeEnvelope({LON}, {LAT}, {LON + 0.0005}, {LAT}, 4326)"
    )
    changed = client.get(_url("reports", 14), headers={**police, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    hidden = sql.scalar("SELECT count(*) FROM reports WHERE status = 'hidden'")
    assert hidden > 0
    sql.all("UPDATE reports SET text_status = 'none'")  # no cell changes
    assert _counts(client, police, 14) == (26, 26 - hidden)
    sql.all("DELETE FROM reports WHERE channel = 'import'")
    assert _counts(client, police, 14) == (5, 5)
    # The grid equals a count from scratch, cell by cell.
    drift = sql.scalar(
        "SELECT count(*) FROM (SELECT 20 AS level, c.gx, c.gy, count(*) AS n FROM reports r, "
        "report_grid_cell(r.geom) c GROUP BY 2, 3) fresh FULL JOIN (SELECT * FROM report_grid "
        "WHERE level = 20 AND reports > 0) kept USING (level, gx, gy) "
        "WHERE fresh.n IS DISTINCT FROM kept.reports"
    )
    assert drift == 0


def test_dense_tiles_from_zoom_15_are_counted(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    sql.all(
        "INSERT INTO reports (id, channel, reasons, times, geom) SELECT gen_random_uuid(), "
        "'import', ARRAY['lighting'], ARRAY['night'], ST_SetSRID(ST_MakePoint("
        f"{LON} + (i % 50) * 0.00001, {LAT} + (i / 50) * 0.00001), 4326) "
        "FROM generate_series(0, 2499) AS i"
    )
    police = staff_headers("police")
    layer = mapbox_vector_tile.decode(client.get(_url("reports", 16), headers=police).content)
    cells = layer["reports"]["features"]
    assert "id" not in cells[0]["properties"]
    assert sum(f["properties"]["reports"] for f in cells) == 2500
    assert sql.scalar("SELECT count(*) FROM audit_log WHERE action = 'reports:map'") == 0


def test_public_hotspots_at_every_zoom(client: TestClient, sql: Sql) -> None:
    seed(sql)
    public = fresh_get(client, "/api/v1/hotspots").json()["features"]
    for z in (3, 10, 14, 18):
        tile = mapbox_vector_tile.decode(client.get(_url("hotspots", z)).content)
        assert [f["properties"]["id"] for f in tile["hotspots"]["features"]] == [
            p["id"] for p in public
        ], z
    assert client.get("/ogc/collections/hotspots/tiles/WebMercatorQuad/3/8/1").status_code == 404
    assert client.get("/ogc/collections/hotspots/tiles/WebMercatorQuad/a/0/0").status_code == 404


def test_gdal_reads_a_tile(live_server: str, client: TestClient, token_for: TokenFactory) -> None:
    _post(client, 3)
    token = token_for("planner")
    env = {**os.environ, "GDAL_HTTP_HEADERS": f"Authorization: Bearer {token}"}
    done = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-so", f"MVT:{live_server}{_url('reports', 16)}.mvt"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Layer name: reports" in done.stdout and "Feature Count: 3" in done.stdout
