"""Every public route's payload is free of raw reports.

No raw points, free text, reporter hashes or demographics ever reach a
visitor without a login, and nothing is shown for fewer distinct people than
the public threshold. Routes are read from PUBLIC_ROUTES, so public routes
added later are checked too.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import orjson
from fastapi.testclient import TestClient

from app.security.matrix import PUBLIC_ROUTES
from tests.conftest import Sql, point_feature

MARKER = "Privacymarkör Olle Olsson"
# Odd coordinates a hotspot computation would not land on by chance.
SPOTS = [
    (12.3213571, 58.3812461),
    (12.3214632, 58.3811357),
    (12.3212189, 58.3813573),
    (12.3215743, 58.3812684),
    (12.3213917, 58.3810795),
    (12.3212864, 58.3811926),
]
# Not data routes: the API description, static files and the login form.
SKIP = re.compile(r"^GET (/docs|/openapi\.json|/static/|/staff/login)")


def _file(client: TestClient, spot: tuple[float, float], n: int) -> None:
    answer = client.post(
        "/api/v1/reports",
        json=point_feature(
            *spot,
            client_token=f"privacy-device-{n}",
            description=MARKER,
            suggestion=MARKER,
            age_band="65_plus",
            gender="woman",
            reasons=["lighting", "harassment"],
            times=["night"],
        ),
    )
    assert answer.status_code == 201, answer.text


def _public_urls(client: TestClient, hotspot_ids: list[str]) -> list[str]:
    urls = []
    for key in sorted(PUBLIC_ROUTES):
        method, path = key.split(" ", 1)
        if method != "GET" or SKIP.match(key):
            continue
        params = re.findall(r"\{([^}]+)\}", path)
        if not params:
            urls.append(path)
            urls.append(path + "?times=night&days=weekend&reasons=lighting")
        elif params == ["hotspot_id"]:
            urls += [path.replace("{hotspot_id}", h) for h in hotspot_ids]
    return urls


def _leaks(body: bytes, hashes: list[bytes]) -> list[str]:
    text = body.decode("utf-8", "replace")
    found = []
    if "Olsson" in text or "Privacymarkör" in text:
        found.append("free text")
    for lon, lat in SPOTS:
        # As sent, rounded or cut to 0.1 m: anything finer identifies the point.
        for value in (
            f"{lon:.7f}",
            f"{lat:.7f}",
            f"{lon:.6f}",
            f"{lat:.6f}",
            f"{lon:.7f}"[:-1],
            f"{lat:.7f}"[:-1],
        ):
            if value in text:
                found.append(f"raw coordinate {value}")
    for digest in hashes:
        encodings = (
            digest.hex(),
            base64.b64encode(digest).decode(),
            base64.urlsafe_b64encode(digest).decode().rstrip("="),
        )
        if any(e in text for e in encodings):
            found.append("reporter hash")
    if re.search(r'"(age_band|gender)"\s*:\s*"', text):
        found.append("demographics")
    return found


def _features(body: bytes) -> list[Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "FeatureCollection":
                found.extend(node.get("features") or [])
            elif node.get("type") == "Feature":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    return found


def test_public_routes_never_show_raw_reports(client: TestClient, sql: Sql) -> None:
    for n, spot in enumerate(SPOTS[:4]):
        _file(client, spot, n)
    sql.all("UPDATE reports SET text_status = 'approved'")  # even approved text stays staff-only
    hashes = [bytes(r["reporter_hash"]) for r in sql.all("SELECT reporter_hash FROM reports")]

    # Four people: below the public threshold of five, so nothing at all is shown.
    for url in _public_urls(client, []):
        answer = client.get(url)
        assert answer.status_code < 500, url
        assert _leaks(answer.content, hashes) == [], url
        assert _features(answer.content) == [], f"{url} shows data from fewer than 5 people"

    # Six people: a public hotspot may appear, still without any raw data.
    for n, spot in enumerate(SPOTS[4:], start=4):
        _file(client, spot, n)
    hashes = [bytes(r["reporter_hash"]) for r in sql.all("SELECT reporter_hash FROM reports")]
    listed = client.get("/api/v1/hotspots")
    ids = [str(f.get("id")) for f in _features(listed.content)] if listed.status_code == 200 else []
    for url in _public_urls(client, ids):
        answer = client.get(url)
        assert answer.status_code < 500, url
        assert _leaks(answer.content, hashes) == [], url


def test_report_form_warns_not_to_name_people(client: TestClient) -> None:
    page = client.get("/")
    if page.status_code == 404:  # the resident page is another feature's
        return
    assert "Skriv inte namn på personer" in page.text
