"""Issue 10: one phone makes no public hotspot, public shapes give no report away,
moderators publish or reject held places."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from fastapi.testclient import TestClient

from geo.crs import lonlat_to_sweref, sweref_to_lonlat
from geo.generalise import recovered_points
from tests.conftest import Sql, fresh_get, point_feature
from tests.services.test_hotspots import CX, CY, add_reports, people, place

Headers = Callable[..., dict[str, str]]


def _ring(n: int, radius: float, dx: float, dy: float) -> list[tuple[float, float]]:
    return [
        (dx + radius * math.cos(2 * math.pi * i / n), dy + radius * math.sin(2 * math.pi * i / n))
        for i in range(n)
    ]


def test_one_phone_with_fresh_tokens_makes_no_public_hotspot(
    client: TestClient, staff_headers: Headers
) -> None:
    rng = np.random.default_rng(3)
    for i, (dx, dy) in enumerate(place(0, 0, 8, rng, 4)):
        lon, lat = sweref_to_lonlat(CX + dx, CY + dy)
        feature = point_feature(lon, lat, client_token=f"fresh-token-{i}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    assert fresh_get(client, "/api/v1/hotspots").json()["features"] == []
    (staff,) = fresh_get(client, "/api/v1/hotspots", staff_headers("police")).json()["features"]
    props = staff["properties"]
    assert props["reporters"] == 8 and props["public"] is False
    assert {"independence:one_source", "independence:burst"} <= set(props["held_reasons"])
    assert props["support"]["units"] == 1


def test_moderators_publish_and_reject_and_a_rejection_waits_for_new_support(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    rng = np.random.default_rng(4)
    for i, (dx, dy) in enumerate(place(0, 0, 8, rng, 5)):
        lon, lat = sweref_to_lonlat(CX + dx, CY + dy)
        feature = point_feature(lon, lat, client_token=f"burst-device-{i:04d}")
        assert client.post("/api/v1/reports", json=feature).status_code == 201
    moderator, police = staff_headers("moderator"), staff_headers("police")
    answer = fresh_get(client, "/api/v1/hotspots", police)
    (held,) = answer.json()["features"]
    url = f"/api/v1/hotspots/{held['id']}"
    assert client.post(f"{url}/publish", headers=police).status_code == 403
    published = client.post(f"{url}/publish", headers=moderator)
    assert published.status_code == 200, published.text
    assert [f["id"] for f in fresh_get(client, "/api/v1/hotspots").json()["features"]] == [
        held["id"]
    ]
    assert client.post(f"{url}/reject", headers=moderator).json()["decision"] == "rejected"
    assert fresh_get(client, "/api/v1/hotspots").json()["features"] == []
    actions = [
        e["action"]
        for e in client.get("/api/v1/audit", headers=staff_headers("admin")).json()["entries"]
    ]
    assert "hotspots:publish" in actions and "hotspots:reject" in actions

    # New independent people arrive over weeks: the place is judged afresh.
    add_reports(sql, place(0, 0, 10, rng, 5), people("neighbour", 10))
    (again,) = fresh_get(client, "/api/v1/hotspots", police).json()["features"]
    assert again["id"] == held["id"] and again["properties"]["review"] == "rejected"
    assert [f["id"] for f in fresh_get(client, "/api/v1/hotspots").json()["features"]] == [
        held["id"]
    ]
    unknown = "/api/v1/hotspots/00000000-0000-4000-8000-000000000000/reject"
    assert client.post(unknown, headers=moderator).status_code == 404


def test_planted_reports_cannot_be_recovered_from_public_outlines(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    """Rings of people (no one near the middle) and a small place: every vertex, every
    circle through three consecutive vertices and every centre lies > 25 m from every
    planted report; the staff outline gives them away."""
    planted = [*_ring(12, 40, 0, 0), *_ring(10, 35, 450, 0), *_ring(10, 36, 0, 450)]
    add_reports(sql, planted, people("ringed", len(planted)))
    public = fresh_get(client, "/api/v1/hotspots").json()["features"]
    staff = fresh_get(client, "/api/v1/hotspots", staff_headers("police")).json()["features"]
    assert len(public) == 3, [f["properties"] for f in staff]
    truth = [(CX + dx, CY + dy) for dx, dy in planted]

    def nearest(features: list[dict], key: str = "geometry") -> float:
        best = math.inf
        for f in features:
            ring = [lonlat_to_sweref(*c) for c in f[key]["coordinates"][0]]
            centre = lonlat_to_sweref(*f["properties"]["centre"])
            for p in recovered_points(ring, centre):
                best = min(best, min(math.hypot(p[0] - x, p[1] - y) for x, y in truth))
        return best

    assert nearest(public) > 25.0
    assert nearest(staff) < 1.0  # the exact outline is staff only
    for f in public:
        for lon, lat in f["geometry"]["coordinates"][0]:
            assert round(lon, 5) == lon and round(lat, 5) == lat


def test_public_filters_are_fixed_periods_staff_keep_ad_hoc_ones(
    client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    add_reports(sql, place(0, 0, 8, np.random.default_rng(6)), people("resident", 8))
    for query, words in [
        ("since=2026-01-01", "period"),
        ("until=2026-01-01", "period"),
        ("reasons=lighting,drugs", "one reason"),
        ("period=2026-monsoon", "period: '2026-monsoon'"),
        ("period=last12&since=2026-01-01", "not both"),
    ]:
        answer = client.get(f"/api/v1/hotspots?{query}")
        assert answer.status_code == 422, (query, answer.text)
        assert words in answer.json()["detail"], (query, answer.json())
    last12 = fresh_get(client, "/api/v1/hotspots?period=last12&reasons=lighting").json()
    assert [f["properties"]["reporters"] for f in last12["features"]] == [8]
    police = staff_headers("police")
    since = fresh_get(client, "/api/v1/hotspots?since=2020-01-01T00:00:01", police)
    assert since.status_code == 200 and len(since.json()["features"]) == 1
