"""Exports open in a GIS without surprises, read back by the system's GDAL (`ogrinfo`).

One geometry type per layer, real date and date-time fields in the GeoPackage,
and a GeoPackage version that Debian 12's GDAL 3.6 opens without a warning.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from tests.conftest import Sql
from tests.web.api.planning_data import post_all
from tests.web.api.test_hotspots import seed
from tests.web.api.test_patrol_plans import FRIDAY_NIGHT
from tests.web.api.test_sites import square

Headers = Callable[..., dict[str, str]]


def ogrinfo(path: Path, *args: str) -> str:
    """`ogrinfo -ro -so` of the file (all layers, or the one named last); fails on warnings."""
    layer = [a for a in args if not a.startswith("-") and "=" not in a]
    options = [a for a in args if a not in layer]
    done = subprocess.run(
        ["ogrinfo", "-ro", "-so", *(["-al"] if not layer else []), *options, str(path), *layer],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "ERROR" not in done.stderr, done.stderr
    return done.stdout


def download(client: TestClient, url: str, headers: dict[str, str], path: Path) -> Path:
    answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    path.write_bytes(answer.content)
    return path


def gpkg_version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


def test_sites_are_multipolygons_with_date_fields_in_every_format(
    client: TestClient, sql: Sql, staff_headers: Headers, tmp_path: Path
) -> None:
    planner = staff_headers("planner")
    for name, east in (("Torget", 0.0), ("Parken", 300.0)):
        answer = client.post(
            "/api/v1/sites",
            json={"name": name, "geometry": square(east, 0), "planned_start": "2026-05-04"},
            headers=planner,
        )
        assert answer.status_code == 201, answer.text
    # One stored as a Polygon, one as a MultiPolygon: the exports must not show the difference.
    sql.all("UPDATE sites SET geom = ST_Multi(geom) WHERE name = 'Parken'")
    assert sql.scalar("SELECT count(DISTINCT GeometryType(geom)) FROM sites") == 2

    listing = client.get("/api/v1/sites", headers=planner).json()
    assert {f["geometry"]["type"] for f in listing["features"]} == {"MultiPolygon"}

    geojson = download(client, "/api/v1/sites/export?format=geojson", planner, tmp_path / "s.json")
    assert "Geometry: Multi Polygon" in ogrinfo(geojson)

    gpkg = download(client, "/api/v1/sites/export?format=gpkg", planner, tmp_path / "s.gpkg")
    info = ogrinfo(gpkg)
    assert "Geometry: Multi Polygon" in info and "Feature Count: 2" in info
    assert "planned_start: Date" in info and "completed_on: Date" in info
    assert gpkg_version(gpkg) == 10200

    csv = download(client, "/api/v1/sites/export?format=csv", planner, tmp_path / "s.csv")
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert all("MULTIPOLYGON" in line for line in lines[1:]) and len(lines) == 3
    assert "Feature Count: 2" in ogrinfo(csv, "-oo", "GEOM_POSSIBLE_NAMES=wkt")


def test_hotspot_geopackage_has_date_time_fields_and_opens_without_warnings(
    client: TestClient, sql: Sql, staff_headers: Headers, tmp_path: Path
) -> None:
    seed(sql)
    police = staff_headers("police")
    gpkg = download(client, "/api/v1/hotspots/export?format=gpkg", police, tmp_path / "h.gpkg")
    info = ogrinfo(gpkg)
    assert "Geometry: Polygon" in info
    for name in ("first_seen", "last_seen", "first_report", "last_report"):
        assert f"{name}: DateTime" in info, info
    assert gpkg_version(gpkg) == 10200
    features = subprocess.run(
        ["ogrinfo", "-ro", "-al", "-q", str(gpkg)], capture_output=True, text=True, check=True
    ).stdout
    assert "last_report (DateTime) = 20" in features and "+00" in features

    geojson = download(
        client, "/api/v1/hotspots/export?format=geojson", police, tmp_path / "h.json"
    )
    assert "Geometry: Polygon" in ogrinfo(geojson)
    csv = download(client, "/api/v1/hotspots/export?format=csv", police, tmp_path / "h.csv")
    assert "Feature Count: 2" in ogrinfo(csv, "-oo", "GEOM_POSSIBLE_NAMES=wkt")


def test_patrol_plans_offer_every_format_with_one_geometry_type_per_layer(
    client: TestClient, staff_headers: Headers, tmp_path: Path
) -> None:
    post_all(client)
    police = staff_headers("police")
    plan = client.post(
        "/api/v1/patrol-plans", json={"window": FRIDAY_NIGHT, "top": 2}, headers=police
    ).json()
    links = plan["links"]
    gpkg = download(client, links["gpkg"], police, tmp_path / "p.gpkg")
    stops = ogrinfo(gpkg, "stops")
    assert "Geometry: Point" in stops and "Feature Count: 2" in stops
    route = ogrinfo(gpkg, "route")
    assert "Geometry: Line String" in route and "Feature Count: 1" in route
    assert "SWEREF99 TM" in stops and gpkg_version(gpkg) == 10200
    csv = download(client, links["csv"], police, tmp_path / "p.csv")
    lines = csv.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "order,hotspot_id,arrival,departure,wkt" and len(lines) == 3
    assert "Feature Count: 2" in ogrinfo(csv, "-oo", "GEOM_POSSIBLE_NAMES=wkt")
    for key, geometry, count in (
        ("geojson", "Geometry: Point", 2),
        ("geojson_route", "Geometry: Line String", 1),
    ):
        info = ogrinfo(download(client, links[key], police, tmp_path / f"{key}.json"))
        assert geometry in info and f"Feature Count: {count}" in info, info
    route_csv = download(client, links["csv_route"], police, tmp_path / "r.csv")
    assert "Feature Count: 1" in ogrinfo(route_csv, "-oo", "GEOM_POSSIBLE_NAMES=wkt")
