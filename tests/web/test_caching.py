"""Public GET answers carry validators and Cache-Control, and conditional requests get 304."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_public_answers_revalidate(client: TestClient) -> None:
    # Hotspot answers change while a first computation runs, so their 304 is
    # checked in tests/ops/test_reverse_proxy.py on settled data only as headers.
    hotspots = client.get("/ogc/collections/hotspots/items")
    assert "public" in hotspots.headers["cache-control"]
    assert hotspots.headers["etag"] and hotspots.headers["last-modified"]
    for path in ("/api/v1/reasons", "/ogc", "/ogc/conformance"):
        answer = client.get(path)
        assert answer.status_code == 200, path
        assert "public" in answer.headers["cache-control"], path
        etag, modified = answer.headers["etag"], answer.headers["last-modified"]
        same = client.get(path, headers={"If-None-Match": etag})
        assert same.status_code == 304 and same.content == b"", path
        assert same.headers["etag"] == etag and "public" in same.headers["cache-control"]
        assert client.get(path, headers={"If-None-Match": 'W/"other"'}).status_code == 200
        assert client.get(path, headers={"If-Modified-Since": modified}).status_code == 304


def test_default_public_only_for_anonymous_reads(client: TestClient) -> None:
    anonymous = client.get("/ogc/conformance")
    assert anonymous.headers["cache-control"].startswith("public, max-age=")
    assert "Authorization" in anonymous.headers["vary"]
    staff = client.get("/ogc/conformance", headers={"Authorization": "Bearer not-a-token"})
    assert "etag" not in staff.headers
    assert "public" not in staff.headers.get("cache-control", "")


def test_a_routes_own_etag_is_kept(client: TestClient) -> None:
    # Static files carry their own validator; it is answered without reading the body.
    first = client.get("/static/app.css")
    assert first.status_code == 200 and first.content
    etag = first.headers["etag"]
    assert not etag.startswith("W/")  # FileResponse's, not a hash of ours
    again = client.get("/static/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    # Pages with a per-request nonce are never marked public.
    assert "public" not in client.get("/karta").headers.get("cache-control", "")
