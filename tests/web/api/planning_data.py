"""Reports posted through the API that form known hotspots, for planning tests."""

from __future__ import annotations

import math
import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import fresh_get, point_feature

# Metres from the town centre (east, north), and when people feel unsafe there.
PLACES: dict[str, dict[str, Any]] = {
    "square": {"at": (0.0, 0.0), "times": ["night"], "days": ["weekend"], "reasons": ["groups"]},
    "park": {
        "at": (450.0, 250.0),
        "times": ["evening", "night"],
        "days": ["weekend"],
        "reasons": ["lighting", "sightlines"],
    },
    "station": {
        "at": (-400.0, 300.0),
        "times": ["morning"],
        "days": ["weekday"],
        "reasons": ["deserted"],
    },
}


def offset(east: float, north: float) -> tuple[float, float]:
    lat = 58.3808 + north / 111_320
    lon = 12.3234 + east / (111_320 * math.cos(math.radians(58.3808)))
    return lon, lat


def post_place(client: TestClient, name: str, people: int = 6) -> None:
    place = PLACES[name]
    for k in range(people):
        east, north = place["at"]
        lon, lat = offset(east + (k % 3) * 6 - 6, north + (k // 3) * 6 - 3)
        feature = point_feature(
            lon,
            lat,
            reasons=place["reasons"],
            times=place["times"],
            days=place["days"],
            client_token=f"{name}-{k}-" + uuid.uuid4().hex[:8],
        )
        answer = client.post("/api/v1/reports", json=feature)
        assert answer.status_code == 201, answer.text


def post_all(client: TestClient) -> None:
    for name in PLACES:
        post_place(client, name)


def publish_held(client: TestClient, moderator: dict[str, str]) -> int:
    """A moderator publishes every held place: reports posted here come from one
    test client in one burst, which the independence gate holds (issue 10)."""
    body = fresh_get(client, "/api/v1/hotspots", moderator).json()
    published = 0
    for feature in body["features"]:
        if not feature["properties"].get("public", True):
            answer = client.post(f"/api/v1/hotspots/{feature['id']}/publish", headers=moderator)
            assert answer.status_code == 200, answer.text
            published += 1
    return published
