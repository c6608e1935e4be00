"""Every kind of bad report gets a 4xx JSON answer that says why, and stores nothing."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sql, point_feature

CENTRE = [12.3234, 58.3808]


def _square(d: float = 0.001) -> list[list[float]]:
    x, y = CENTRE
    return [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]


def with_geometry(geometry: Any) -> dict[str, Any]:
    feature = point_feature()
    feature["geometry"] = geometry
    return feature


def with_props(**props: Any) -> dict[str, Any]:
    return point_feature(**props)


def without(key: str) -> dict[str, Any]:
    feature = point_feature()
    del feature[key]
    return feature


def _bowtie() -> list[list[float]]:
    x, y = CENTRE
    d = 0.001
    return [[x, y], [x + d, y + d], [x + d, y], [x, y + d], [x, y]]


def _many_vertices(n: int) -> list[list[float]]:
    x, y = CENTRE
    return [[round(x + i * 1e-6, 6), round(y + (i % 2) * 1e-6, 6)] for i in range(n)]


# (case id, body, expected status, a fragment the message must contain)
CASES: list[tuple[str, Any, int, str]] = [
    ("missing type", without("type"), 422, "type"),
    ("wrong type", {**point_feature(), "type": "FeatureCollection"}, 422, "Feature"),
    ("missing geometry", without("geometry"), 422, "geometry"),
    ("geometry without type", with_geometry({"coordinates": CENTRE}), 422, "geometry.type"),
    (
        "unknown geometry type",
        with_geometry({"type": "Circle", "coordinates": CENTRE}),
        422,
        "unknown geometry type",
    ),
    (
        "multipoint",
        with_geometry({"type": "MultiPoint", "coordinates": [CENTRE]}),
        422,
        "MultiPoint is not accepted",
    ),
    (
        "multipolygon",
        with_geometry({"type": "MultiPolygon", "coordinates": [[_square()]]}),
        422,
        "MultiPolygon is not accepted",
    ),
    (
        "geometry collection",
        with_geometry(
            {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": CENTRE}]}
        ),
        422,
        "GeometryCollection is not accepted",
    ),
    ("empty point", with_geometry({"type": "Point", "coordinates": []}), 422, "empty"),
    ("empty line", with_geometry({"type": "LineString", "coordinates": []}), 422, "empty"),
    ("empty polygon", with_geometry({"type": "Polygon", "coordinates": []}), 422, "empty"),
    ("3-D point", with_geometry({"type": "Point", "coordinates": [*CENTRE, 12.0]}), 422, "3-D"),
    (
        "numbers as strings",
        with_geometry({"type": "Point", "coordinates": ["12.3", "58.4"]}),
        422,
        "not strings",
    ),
    (
        "longitude out of range",
        with_geometry({"type": "Point", "coordinates": [200, 58.38]}),
        422,
        "longitude",
    ),
    (
        "latitude out of range",
        with_geometry({"type": "Point", "coordinates": [12.32, 95]}),
        422,
        "latitude",
    ),
    (
        "outside the service area",
        with_geometry({"type": "Point", "coordinates": [18.07, 59.33]}),
        422,
        "outside the service area",
    ),
    (
        "lon/lat swapped",
        with_geometry({"type": "Point", "coordinates": CENTRE[::-1]}),
        422,
        "swapped",
    ),
    (
        "unclosed ring",
        with_geometry({"type": "Polygon", "coordinates": [_square()[:-1]]}),
        422,
        "not closed",
    ),
    (
        "ring with 3 positions",
        with_geometry(
            {"type": "Polygon", "coordinates": [[CENTRE, [CENTRE[0] + 0.001, CENTRE[1]], CENTRE]]}
        ),
        422,
        "at least 4 positions",
    ),
    (
        "self-intersecting polygon",
        with_geometry({"type": "Polygon", "coordinates": [_bowtie()]}),
        422,
        "intersects itself",
    ),
    (
        "too many vertices",
        with_geometry({"type": "LineString", "coordinates": _many_vertices(2001)}),
        422,
        "more than",
    ),
    ("crs member on the feature", {**point_feature(), "crs": {"type": "name"}}, 422, "crs"),
    (
        "crs member on the geometry",
        with_geometry({"type": "Point", "coordinates": CENTRE, "crs": {"type": "name"}}),
        422,
        "crs",
    ),
    ("unknown reason", with_props(reasons=["scary"]), 422, "unknown reason"),
    ("empty reasons", with_props(reasons=[]), 422, "reasons"),
    ("duplicated reasons", with_props(reasons=["lighting", "lighting"]), 422, "more than once"),
    ("unknown time", with_props(times=["midnight"]), 422, "unknown time"),
    ("empty times", with_props(times=[]), 422, "times"),
    ("duplicated times", with_props(times=["night", "night"]), 422, "more than once"),
    ("unknown day type", with_props(days=["holiday"]), 422, "unknown day type"),
    ("severity 0", with_props(severity=0), 422, "1, 2 or 3"),
    ("severity 4", with_props(severity=4), 422, "1, 2 or 3"),
    ("severity as string", with_props(severity="2"), 422, "whole number"),
    ("description too long", with_props(description="x" * 2001), 422, "at most 2000"),
    ("suggestion too long", with_props(suggestion="x" * 1001), 422, "at most 1000"),
    ("extra property status", with_props(status="hidden"), 422, "not an accepted field"),
    ("extra property weight", with_props(weight=100), 422, "not an accepted field"),
    ("missing client token", with_props(client_token=None), 422, "client_token"),
]


@pytest.mark.parametrize(
    ("body", "status", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_report_is_refused_with_a_reason(
    client: TestClient, sql: Sql, body: Any, status: int, fragment: str
) -> None:
    answer = client.post("/api/v1/reports", json=copy.deepcopy(body))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    detail = answer.json()["detail"]
    assert fragment.lower() in detail.lower(), detail
    assert sql.scalar("SELECT count(*) FROM reports") == 0


RAW_CASES = [
    ("NaN", json.dumps(point_feature()).replace("12.3234", "NaN"), "finite"),
    ("Infinity", json.dumps(point_feature()).replace("12.3234", "Infinity"), "finite"),
    ("1e400", json.dumps(point_feature()).replace("12.3234", "1e400"), "finite"),
    ("malformed JSON", '{"type": "Feature", ', "not valid JSON"),
    ("not an object", "[1, 2, 3]", "Feature"),
]


@pytest.mark.parametrize(
    ("raw", "fragment"), [c[1:] for c in RAW_CASES], ids=[c[0] for c in RAW_CASES]
)
def test_unparseable_body_gets_4xx_not_500(
    client: TestClient, sql: Sql, raw: str, fragment: str
) -> None:
    answer = client.post(
        "/api/v1/reports", content=raw, headers={"Content-Type": "application/json"}
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert fragment.lower() in answer.json()["detail"].lower()
    assert sql.scalar("SELECT count(*) FROM reports") == 0


def test_body_over_the_size_limit_is_refused_before_parsing(client: TestClient, sql: Sql) -> None:
    huge = b'{"type": "Feature", "pad": "' + b"x" * (70 * 1024) + b'"}'
    answer = client.post(
        "/api/v1/reports", content=huge, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert "limit" in answer.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM reports") == 0


def test_body_without_length_is_cut_off_at_the_limit(client: TestClient, sql: Sql) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"type": "Feature", "pad": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    answer = client.post(
        "/api/v1/reports", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert sql.scalar("SELECT count(*) FROM reports") == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_wrong_content_type_is_415(client: TestClient, sql: Sql, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    answer = client.post("/api/v1/reports", content=json.dumps(point_feature()), headers=headers)
    assert answer.status_code == 415
    assert "application/json" in answer.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM reports") == 0


def test_geo_json_media_type_is_accepted(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/reports",
        content=json.dumps(point_feature()),
        headers={"Content-Type": "application/geo+json; charset=utf-8"},
    )
    assert answer.status_code == 201, answer.text


def test_every_problem_is_listed_with_its_field(client: TestClient) -> None:
    body = with_props(severity=9, reasons=["nope"])
    body["geometry"] = {"type": "Point", "coordinates": CENTRE[::-1]}
    errors = client.post("/api/v1/reports", json=body).json()["errors"]
    fields = {e["field"] for e in errors}
    assert {"properties.severity", "properties.reasons.0", "geometry"} <= fields


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": CENTRE},
        {"type": "LineString", "coordinates": [CENTRE, [CENTRE[0] + 0.002, CENTRE[1] + 0.001]]},
        {"type": "Polygon", "coordinates": [_square()]},
        {"type": "Polygon", "coordinates": [_square()[::-1]]},  # clockwise is accepted too
    ],
    ids=["point", "line", "polygon", "clockwise polygon"],
)
def test_each_accepted_geometry_is_stored_as_sent(
    client: TestClient, sql: Sql, geometry: dict[str, Any]
) -> None:
    answer = client.post("/api/v1/reports", json=with_geometry(geometry))
    assert answer.status_code == 201, answer.text
    row = sql.one(
        "SELECT ST_AsGeoJSON(geom)::json AS g, ST_SRID(geom_3006) AS srid FROM reports "
        "WHERE id = %s",
        (answer.json()["id"],),
    )
    assert row is not None
    assert row["g"]["type"] == geometry["type"]
    assert row["srid"] == 3006


def test_all_optional_fields_are_stored(client: TestClient, sql: Sql) -> None:
    body = with_props(
        kind="safe",
        dark_season=True,
        description="Mörkt vid busshållplatsen",
        suggestion="Mer ljus",
        avoids_place=True,
        age_band="30_49",
        gender="woman",
    )
    answer = client.post("/api/v1/reports", json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["text_status"] == "pending"
    row = sql.one("SELECT * FROM reports WHERE id = %s", (answer.json()["id"],))
    assert row is not None
    assert row["kind"] == "safe" and row["dark_season"] and row["avoids_place"]
    assert row["age_band"] == "30_49" and row["gender"] == "woman"
    assert row["channel"] == "api"
    # The client token is kept only as a keyed hash.
    assert body["properties"]["client_token"].encode() not in bytes(row["reporter_hash"])
    assert len(bytes(row["reporter_hash"])) == 32
