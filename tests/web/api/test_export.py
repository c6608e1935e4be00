"""GET /api/v1/hotspots/export: GeoJSON, GeoPackage and CSV, read back with GDAL."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pyogrio
import shapely
from fastapi.testclient import TestClient

from app.services.exports.csv_writer import neutralise
from app.services.exports.hotspots import hotspots_csv
from tests.conftest import Sql, fresh_get
from tests.web.api.test_hotspots import seed

Headers = Callable[..., dict[str, str]]


def test_anonymous_and_other_roles_may_not_export(
    client: TestClient, staff_headers: Headers
) -> None:
    assert client.get("/api/v1/hotspots/export?format=csv").status_code == 401
    moderator = client.get("/api/v1/hotspots/export", headers=staff_headers("moderator"))
    assert moderator.status_code == 403


def test_unknown_format_is_a_422(client: TestClient, staff_headers: Headers) -> None:
    answer = client.get("/api/v1/hotspots/export?format=shp", headers=staff_headers("planner"))
    assert answer.status_code == 422
    assert "geojson, gpkg, csv" in answer.json()["detail"]


def test_geojson_export_is_rfc7946_and_audited(
    client: TestClient, sql: Sql, staff_headers: Headers, tmp_path: Path
) -> None:
    seed(sql)
    answer = client.get(
        "/api/v1/hotspots/export?format=geojson&times=night", headers=staff_headers("planner")
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    assert answer.headers["content-disposition"] == 'attachment; filename="hotspots.geojson"'
    assert json.loads(answer.headers["hotspots-filters"]) == {"times": ["night"]}
    body = answer.json()
    assert "crs" not in body
    (feature,) = body["features"]
    ring = feature["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw
    decimals = re.findall(r"\d+\.(\d+)", json.dumps(feature["geometry"]))
    assert max(len(d) for d in decimals) <= 7
    path = tmp_path / "h.geojson"
    path.write_bytes(answer.content)
    info = pyogrio.read_info(path)
    assert info["features"] == 1 and info["crs"] == "EPSG:4326"
    audit = sql.one(
        "SELECT action, target, rows, details FROM audit_log WHERE action = 'hotspots:export'"
    )
    assert audit is not None
    assert audit["rows"] == 1 and audit["target"] == "geojson"
    assert audit["details"]["filters"] == {"times": ["night"]}


def test_geopackage_export_is_in_sweref99tm_with_the_same_attributes(
    client: TestClient, sql: Sql, staff_headers: Headers, tmp_path: Path
) -> None:
    seed(sql)
    staff = staff_headers("planner")
    features = fresh_get(client, "/api/v1/hotspots", headers=staff).json()["features"]
    answer = fresh_get(client, "/api/v1/hotspots/export?format=gpkg", headers=staff)
    assert answer.status_code == 200, answer.text
    path = tmp_path / "h.gpkg"
    path.write_bytes(answer.content)
    info = pyogrio.read_info(path, layer="hotspots")
    assert info["crs"] == "EPSG:3006" and info["geometry_type"] == "Polygon"
    assert json.loads(info["layer_metadata"]["filters"]) == {}
    assert info["features"] == 2
    meta, _, geometry, fields = pyogrio.raw.read(path, layer="hotspots")
    names = list(meta["fields"])
    for name in ("id", "rank", "reporters", "reports", "reason_lighting", "time_night", "hours"):
        assert name in names
    ids = list(fields[names.index("id")])
    assert ids == [f["id"] for f in features]
    assert list(fields[names.index("reporters")]) == [8, 4]
    outline = shapely.from_wkb(geometry[0])
    assert 6_400_000 < outline.centroid.y < 6_500_000  # northing in metres, not degrees
    ogrinfo = subprocess.run(
        ["ogrinfo", "-so", str(path), "hotspots"], capture_output=True, text=True, check=True
    )
    assert "SWEREF99 TM" in ogrinfo.stdout


def test_csv_export_has_wkt_and_reads_in_gdal(
    client: TestClient, sql: Sql, staff_headers: Headers, tmp_path: Path
) -> None:
    seed(sql)
    # The unfiltered result is the worker's: wait until it has seen the seed.
    answer = fresh_get(client, "/api/v1/hotspots/export?format=csv", staff_headers("police"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [int(r["reporters"]) for r in rows] == [8, 4]
    assert rows[0]["wkt"].startswith("POLYGON((")
    path = tmp_path / "h.csv"
    path.write_bytes(answer.content)
    info = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-oo", "GEOM_POSSIBLE_NAMES=wkt", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Feature Count: 2" in info.stdout
    assert info.stdout.count("POLYGON ((12.") == 2, "GDAL reads the WKT as lon/lat polygons"


def test_csv_cells_that_look_like_formulas_are_neutralised() -> None:
    formulas = ("=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\t=1")
    hidden = (" =1", "\u3000@x", "＝1", "＋1", "－1", "＠x")  # leading space, full-width
    for evil in formulas + hidden:
        assert neutralise(evil).startswith("'")
    assert neutralise("lighting") == "lighting"
    assert neutralise(3) == 3
    row = {"id": "=cmd()", "rank": 1, "reasons": {}, "times": {}, "days": {}, "hours": []}
    text = hotspots_csv([{**row, "wkt": "POLYGON((0 0,1 0,1 1,0 0))"}]).decode("utf-8-sig")
    assert "'=cmd()" in text
