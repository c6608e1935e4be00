"""Import a small street grid from an OSM file; routes follow streets around a block."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, box

from app.cli import build_parser
from app.config import Settings
from geo.crs import lonlat_to_sweref
from tests.conftest import point_feature
from tests.web.api.planning_data import offset

# One 200 m x 200 m block east of the town centre. Streets run round it; the
# west and east sides are split at their midpoints (junctions). A footway with
# foot=no and a motorway cut straight through the block: neither is walkable.
NODES = {
    1: (0, 0),
    2: (200, 0),
    3: (200, 100),
    4: (200, 200),
    5: (0, 200),
    6: (0, 100),
    7: (100, 100),
}
WAYS: list[tuple[list[int], dict[str, str]]] = [
    ([1, 2], {"highway": "residential", "name": "Södra gatan"}),
    ([2, 3], {"highway": "residential"}),
    ([3, 4], {"highway": "residential"}),
    ([4, 5], {"highway": "footway"}),
    ([5, 6], {"highway": "living_street"}),
    ([6, 1], {"highway": "residential"}),
    ([6, 7, 3], {"highway": "footway", "foot": "no"}),
    ([6, 3], {"highway": "motorway"}),
    ([1, 4], {"highway": "footway", "access": "private"}),
]


def write_grid(path: Path) -> None:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for node, (east, north) in NODES.items():
        lon, lat = offset(east, north)
        lines.append(f'  <node id="{node}" lat="{lat:.8f}" lon="{lon:.8f}" version="1"/>')
    for index, (refs, tags) in enumerate(WAYS, start=100):
        lines.append(f'  <way id="{index}" version="1">')
        lines += [f'    <nd ref="{r}"/>' for r in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    path.write_text("\n".join(lines), encoding="utf-8")


def run_cli(settings: Settings, *argv: str) -> int:
    args = build_parser().parse_args(list(argv))
    return int(args.func(args, settings))


@pytest.fixture
def grid(tmp_path: Path, client: TestClient, settings: Settings, sql: Any) -> Path:
    path = tmp_path / "grid.osm"
    write_grid(path)
    assert run_cli(settings, "import-network", str(path)) == 0
    return path


def test_import_keeps_walkable_ways_split_at_junctions(
    tmp_path: Path,
    client: TestClient,
    settings: Settings,
    sql: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "grid.osm"
    write_grid(path)
    assert run_cli(settings, "import-network", str(path)) == 0
    assert sql.scalar("SELECT count(*) FROM walk_ways") == 6
    assert sql.scalar("SELECT count(*) FROM walk_vertices") == 6
    highways = {r["highway"] for r in sql.all("SELECT highway FROM walk_ways")}
    assert highways == {"residential", "footway", "living_street"}
    lengths = sorted(round(r["cost"]) for r in sql.all("SELECT cost FROM walk_ways"))
    assert lengths == [100, 100, 100, 100, 200, 200]
    out = capsys.readouterr()
    assert "walkable ways" in out.err and "stored 6 edges" in out.err
    assert "imported 6 walkable edges between 6 junctions" in out.out


def test_bad_files_are_refused(tmp_path: Path, client: TestClient, settings: Settings) -> None:
    broken = tmp_path / "broken.osm"
    broken.write_text("<osm><node id='1'")
    assert run_cli(settings, "import-network", str(broken)) == 1
    empty = tmp_path / "empty.osm"
    empty.write_text('<osm version="0.6"><node id="1" lat="58.38" lon="12.32"/></osm>')
    assert run_cli(settings, "import-network", str(empty)) == 1
    assert run_cli(settings, "import-network", str(tmp_path / "missing.osm")) == 1


def test_plan_walks_around_the_block_not_through_it(
    grid: Path, client: TestClient, staff_headers: Callable[..., dict[str, str]]
) -> None:
    for k in range(6):  # a hotspot on the east side of the block
        lon, lat = offset(200 + (k % 2) * 4, 100 + (k // 2) * 4 - 4)
        feature = point_feature(lon, lat, client_token=f"east-{k}-{uuid.uuid4().hex[:6]}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    start = list(offset(0, 100))  # the middle of the west side
    answer = client.post(
        "/api/v1/patrol-plans",
        json={
            "window": {"days": ["sat"], "start": "21:00", "end": "01:00"},
            "top": 1,
            "start": start,
        },
        headers=staff_headers("police"),
    )
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert plan["routing"]["network"] == "network"
    assert plan["routing"]["detour_factor"] is None
    there = plan["legs"][0]["distance_m"]
    assert 390 < there < 430  # 100 + 200 + 100 m round the block; straight across is 200 m

    route = client.get(plan["links"]["self"], headers=staff_headers("police")).json()["route"]
    x0, y0 = lonlat_to_sweref(*offset(0, 0))
    inner = box(x0 + 20, y0 + 20, x0 + 180, y0 + 180)
    coords = [lonlat_to_sweref(lon, lat) for lon, lat in route["coordinates"]]
    assert not any(inner.contains(Point(c)) for c in coords)
    corners = [lonlat_to_sweref(*offset(e, n)) for e, n in ((0, 0), (0, 200))]
    assert any(min(Point(c).distance(Point(k)) for c in coords) < 1 for k in corners)

    gpx = client.get(plan["links"]["gpx"], headers=staff_headers("police"))
    assert gpx.text.count("<trkpt") >= 5


def test_pbf_extract_gives_the_same_network(
    tmp_path: Path, client: TestClient, settings: Settings, sql: Any
) -> None:
    import osmium

    xml = tmp_path / "grid.osm"
    write_grid(xml)
    pbf = tmp_path / "grid.osm.pbf"
    writer = osmium.SimpleWriter(str(pbf))
    for obj in osmium.FileProcessor(str(xml)):
        writer.add(obj)
    writer.close()
    assert run_cli(settings, "import-network", str(pbf)) == 0
    assert sql.scalar("SELECT count(*) FROM walk_ways") == 6
    # PBF stores coordinates to 1e-7 degrees, so lengths agree to about a metre.
    assert abs(sql.scalar("SELECT sum(cost) FROM walk_ways") - 800) < 2
    broken = tmp_path / "broken.osm.pbf"
    broken.write_bytes(b"not a pbf file at all")
    assert run_cli(settings, "import-network", str(broken)) == 1


def test_places_the_network_cannot_reach_fall_back_to_straight_lines(
    tmp_path: Path,
    client: TestClient,
    settings: Settings,
    staff_headers: Callable[..., dict[str, str]],
) -> None:
    NODES.update({20: (600, 0), 21: (600, 100)})
    WAYS.append(([20, 21], {"highway": "footway", "name": "Ön"}))
    try:
        path = tmp_path / "islands.osm"
        write_grid(path)
    finally:
        del NODES[20], NODES[21]
        WAYS.pop()
    assert run_cli(settings, "import-network", str(path)) == 0
    for k in range(6):  # a hotspot on the island, 400 m east of the block
        lon, lat = offset(600 + (k % 2) * 4, 50 + (k // 2) * 4)
        feature = point_feature(lon, lat, client_token=f"island-{k}-{uuid.uuid4().hex[:6]}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    police = staff_headers("police")
    answer = client.post(
        "/api/v1/patrol-plans",
        json={
            "window": {"days": ["sat"], "start": "21:00", "end": "01:00"},
            "start": list(offset(0, 100)),
        },
        headers=police,
    )
    assert answer.status_code == 201, answer.text
    plan = answer.json()
    assert [leg["on_network"] for leg in plan["legs"]] == [False, False]
    assert "could not be routed" in plan["routing"]["note"]
    assert plan["routing"]["detour_factor"] == 1.3
    printed = client.get(plan["links"]["print"], headers=police).text
    assert "fågelvägen gånger 1.3" in printed
