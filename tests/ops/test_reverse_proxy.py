"""Debian's nginx in front of the app caches public answers and revalidates them with 304s."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.ops.conftest import Server, free_port, serve

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]

NGINX_CONF = """
daemon off;
master_process off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    proxy_cache_path {dir}/cache keys_zone=trygg:1m;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass {upstream};
            proxy_cache trygg;
            proxy_cache_revalidate on;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


@pytest.fixture(scope="module")
def app(cluster: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("proxied") / "server.log"
    # One second of freshness, so the test sees the proxy revalidate.
    with serve(cluster.url(), log, TRYGG_PUBLIC_CACHE_SECONDS="1") as server:
        yield server


@pytest.fixture(scope="module")
def proxy(app: Server) -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="trygg-nginx-"))
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(dir=folder, port=port, upstream=app.url))
    process = subprocess.Popen(
        ["nginx", "-p", str(folder), "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def test_public_answers_carry_validators_and_cache_control(app: Server) -> None:
    with httpx.Client(base_url=app.url) as http:
        # Hotspot answers may change while a computation runs: headers only.
        hotspots = http.get("/ogc/collections/hotspots/items")
        assert "public" in hotspots.headers["cache-control"]
        assert hotspots.headers["etag"] and hotspots.headers["last-modified"]
        for path in ("/ogc", "/api/v1/reasons", "/ogc/conformance"):
            answer = http.get(path)
            assert answer.status_code == 200
            assert "public" in answer.headers["cache-control"], path
            assert answer.headers["etag"] and answer.headers["last-modified"], path
            again = http.get(path, headers={"If-None-Match": answer.headers["etag"]})
            assert again.status_code == 304 and again.content == b"", path
            assert again.headers["etag"] == answer.headers["etag"]
            since = http.get(path, headers={"If-Modified-Since": answer.headers["last-modified"]})
            assert since.status_code == 304, path
        # Staff answers are never marked public.
        staff = http.get("/ogc", headers={"Authorization": "Bearer nope"})
        assert "etag" not in staff.headers


def test_nginx_serves_hits_and_revalidates(proxy: str) -> None:
    with httpx.Client(base_url=proxy) as http:
        first = http.get("/ogc/conformance")
        assert first.status_code == 200
        assert first.headers["x-cache-status"] == "MISS"
        hit = http.get("/ogc/conformance")
        assert hit.headers["x-cache-status"] == "HIT"
        assert hit.content == first.content
        # Past max-age nginx asks the app with If-None-Match and gets a 304.
        time.sleep(2.2)
        stale = http.get("/ogc/conformance")
        assert stale.status_code == 200
        assert stale.headers["x-cache-status"] == "REVALIDATED"
        assert stale.content == first.content
        # A client holding the representation gets a 304 from the proxy.
        cond = http.get("/ogc/conformance", headers={"If-None-Match": first.headers["etag"]})
        assert cond.status_code == 304
        # Vocabulary answers (max-age=3600) are hits after the first too.
        http.get("/api/v1/reasons")
        assert http.get("/api/v1/reasons").headers["x-cache-status"] == "HIT"
