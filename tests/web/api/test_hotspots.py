"""GET /api/v1/hotspots and /api/v1/hotspots/{id}: public and staff views, filters."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape

from geo.crs import sweref_to_lonlat
from tests.conftest import Sql, fresh_get, point_feature
from tests.services.test_hotspots import CX, CY, add_reports, people, place

Headers = Callable[..., dict[str, str]]


def seed(sql: Sql) -> None:
    """A big place (8 people), a small one (4 people, one of them twice), far apart."""
    rng = np.random.default_rng(11)
    add_reports(sql, place(0, 0, 6, rng), people("big", 6), reasons=["lighting"])
    add_reports(sql, place(0, 0, 2, rng), people("big-drugs", 2), reasons=["drugs"])
    add_reports(sql, place(400, 0, 4, rng, 5), people("small", 4), times=["morning"])
    # DBSCAN needs 5 points: one person reports a second spot 30 m away.
    add_reports(sql, [(430.0, 0.0)], ["small-0"], times=["morning"])


def test_public_view_hides_small_hotspots_and_small_counts(client: TestClient, sql: Sql) -> None:
    seed(sql)
    answer = fresh_get(client, "/api/v1/hotspots")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/geo+json")
    body = answer.json()
    assert body["type"] == "FeatureCollection"
    (feature,) = body["features"]
    props = feature["properties"]
    assert props["reporters"] == 8 and props["rank"] == 1
    # Counts under the public threshold (5 people) are left out.
    assert props["reasons"] == {"lighting": 6}
    assert props["times"] == {"night": 8}
    for private in ("reports", "hours", "severity_mean", "safe_share"):
        assert private not in props
    assert feature["geometry"]["type"] == "Polygon"
    assert shape(feature["geometry"]).contains(shapely.Point(props["centre"]))


def test_staff_see_every_hotspot_with_all_details(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    seed(sql)
    body = fresh_get(client, "/api/v1/hotspots", staff_headers("planner")).json()
    assert [f["properties"]["reporters"] for f in body["features"]] == [8, 4]
    props = body["features"][0]["properties"]
    assert props["reasons"] == {"lighting": 6, "drugs": 2}
    assert props["reports"] == 8 and len(props["hours"]) == 24
    for name in ("score", "days", "severity_mean", "safe_share", "first_seen", "last_seen"):
        assert name in props
    ring = body["features"][0]["geometry"]["coordinates"][0]
    assert shapely.LinearRing(ring).is_ccw, "RFC 7946 outer rings are counter-clockwise"


def test_filters_change_the_result_and_bad_filters_get_clear_422s(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    seed(sql)
    staff = staff_headers("police")
    mornings = fresh_get(client, "/api/v1/hotspots?times=morning", staff).json()
    assert [f["properties"]["reporters"] for f in mornings["features"]] == [4]
    both = fresh_get(client, "/api/v1/hotspots?times=morning,night&days=weekend", staff).json()
    assert len(both["features"]) == 2
    west = fresh_get(client, "/api/v1/hotspots?bbox=12.30,58.37,12.3245,58.39", staff).json()
    assert [f["properties"]["reporters"] for f in west["features"]] == [8]
    for query, words in [
        ("times=noon", "times: 'noon'"),
        ("reasons=lighting,ghosts", "reasons: 'ghosts'"),
        ("days=sunday", "days: 'sunday'"),
        ("bbox=1,2,3", "bbox"),
        ("bbox=12.4,58.3,12.3,58.4", "minimum must be below"),
        ("bbox=12.30,58.37,12.34,95", "latitudes"),
        ("bbox=12.30,nan,12.34,58.39", "bbox"),
        ("since=yesterday", "since: 'yesterday'"),
        ("since=2026-05-02&until=2026-05-01", "since must be before until"),
    ]:
        answer = fresh_get(client, f"/api/v1/hotspots?{query}")
        assert answer.status_code == 422, (query, answer.text)
        assert words in answer.json()["detail"], (query, answer.json())


def test_one_hotspot_by_its_stable_id(client: TestClient, sql: Sql) -> None:
    seed(sql)
    (feature,) = fresh_get(client, "/api/v1/hotspots").json()["features"]
    one = client.get(f"/api/v1/hotspots/{feature['id']}")
    assert one.status_code == 200
    assert one.json()["id"] == feature["id"]
    assert one.json()["properties"]["rank"] == 1
    assert client.get("/api/v1/hotspots/not-a-uuid").status_code == 404
    missing = client.get("/api/v1/hotspots/6f1c2b1e-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and "detail" in missing.json()


def test_a_new_report_shows_up_at_the_next_read(client: TestClient, sql: Sql) -> None:
    seed(sql)
    before = fresh_get(client, "/api/v1/hotspots").json()["features"]
    assert len(before) == 1
    from geo.crs import sweref_to_lonlat
    from geo.synthetic import centre_xy

    cx, cy = centre_xy()
    lon, lat = sweref_to_lonlat(cx + 400, cy)
    posted = client.post("/api/v1/reports", json=point_feature(lon, lat, times=["morning"]))
    assert posted.status_code == 201, posted.text
    # Reads never wait on the recompute: the last run comes at once, marked stale.
    stale = client.get("/api/v1/hotspots")
    assert stale.headers["hotspots-stale"] == "true"
    assert len(stale.json()["features"]) == 1
    etag = stale.headers["etag"]
    assert client.get("/api/v1/hotspots", headers={"If-None-Match": etag}).status_code == 304
    after = stale
    for _ in range(100):
        after = client.get("/api/v1/hotspots")
        if "hotspots-stale" not in after.headers:
            break
        time.sleep(0.2)
    assert "hotspots-stale" not in after.headers and after.headers["etag"] != etag
    features = after.json()["features"]
    assert [f["properties"]["reporters"] for f in features] == [8, 5]
    assert features[0]["id"] == before[0]["id"]


def test_staff_see_a_possibly_coordinated_flag_the_public_never_does(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    # Six "people" whose devices all first appeared from one address within minutes
    # (the test client's), next to six people the service never saw together.
    rng = np.random.default_rng(5)
    for i, (dx, dy) in enumerate(place(0, 0, 6, rng)):
        lon, lat = sweref_to_lonlat(CX + dx, CY + dy)
        feature = point_feature(lon, lat, client_token=f"puppet-device-{i}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    add_reports(sql, place(500, 0, 6, rng), people("honest", 6))

    staff = fresh_get(client, "/api/v1/hotspots", staff_headers("police")).json()
    flags = sorted(
        (f["properties"]["centre"][0] > 12.33, f["properties"]["possibly_coordinated"])
        for f in staff["features"]
    )
    assert flags == [(False, True), (True, False)]
    # The puppets are one source in one burst: held, and staff see why (issue 10).
    held = {f["properties"]["centre"][0] > 12.33: f["properties"] for f in staff["features"]}
    assert held[False]["public"] is False and held[True]["public"] is True
    assert "independence:one_source" in held[False]["held_reasons"]
    assert held[False]["independent_units"] == 1
    public = fresh_get(client, "/api/v1/hotspots").json()
    (feature,) = public["features"]
    assert feature["properties"]["reporters"] == 6
    assert all("possibly_coordinated" not in f["properties"] for f in public["features"])


def test_staff_see_the_local_significance_the_public_never_does(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    seed(sql)
    # The worker may still be finishing a run of the previous test's data: wait for ours.
    staff = fresh_get(client, "/api/v1/hotspots", staff_headers("planner")).json()
    verdicts = [f["properties"]["significance"] for f in staff["features"]]
    assert [v["held"] for v in verdicts] == [False, False]
    for verdict in verdicts:
        assert verdict["threshold"] >= 3 and verdict["expected"] >= 0
        assert 0 < verdict["p_value"] <= 1 and "background_per_km2" in verdict
    assert verdicts[0]["margin"] == 8 - verdicts[0]["threshold"]
    public = client.get("/api/v1/hotspots").json()
    assert all("significance" not in f["properties"] for f in public["features"])


def test_a_place_held_back_by_significance_is_shown_to_staff_only(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    seed(sql)
    staff = fresh_get(client, "/api/v1/hotspots", staff_headers("planner")).json()
    big = staff["features"][0]["id"]
    # As the computation stores a place no bigger than the chance clusters around it.
    sql.all("UPDATE hotspots SET significance_held = true WHERE hotspot_id = %(id)s", {"id": big})
    assert client.get("/api/v1/hotspots").json()["features"] == []
    assert client.get(f"/api/v1/hotspots/{big}").status_code == 404
    staff = client.get("/api/v1/hotspots", headers=staff_headers("planner")).json()
    assert big in [f["id"] for f in staff["features"]]
