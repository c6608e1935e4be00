"""Public read throughput: GET /api/v1/hotspots and OGC hotspot items, direct and behind nginx.

Stores N synthetic reports (default 100k, the realistic spread of
bench/hotspot_speed.py) in a throwaway database, computes the hotspots once,
serves the app, then for each path counts the answers 8 keep-alive clients get
in `--seconds`: straight from the app, and through nginx with a proxy cache
(a hit never reaches the app). Bounded: a few seconds per measure.

    DATABASE_URL=... .venv/bin/python bench/reads.py [--reports 100000] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import SECRET, free_port, scratch_database, served  # noqa: E402
from bench.hotspot_speed import clustered  # noqa: E402

SIZE = text(
    "SELECT pg_total_relation_size('reports') AS bytes, (SELECT count(*) FROM reports) AS n"
)
PATHS = ("/api/v1/hotspots", "/ogc/collections/hotspots/items?limit=100")
NGINX = """
daemon off; master_process off; pid {dir}/nginx.pid; error_log {dir}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    proxy_cache_path {dir}/cache keys_zone=trygg:10m;
    upstream app {{ server {upstream}; keepalive 16; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";
            proxy_cache trygg; proxy_cache_revalidate on; proxy_cache_lock on;
            proxy_cache_use_stale updating;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


async def rate(base: str, path: str, seconds: float, clients: int = 8) -> tuple[float, int]:
    """Answers per second, and how many were not 200."""
    stop = time.monotonic() + seconds
    counts = [0, 0]

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            while time.monotonic() < stop:
                answer = await http.get(path)
                counts[0] += 1
                counts[1] += answer.status_code != 200

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    return counts[0] / (time.monotonic() - started), counts[1]


async def prepare(url: str, reports: int) -> float:
    """Store and cluster the reports; the reports table's bytes per report, indexes included."""
    async with clustered(url, reports, SECRET) as db:
        row = await db.fetch_one(SIZE)
        assert row is not None
        return float(row["bytes"]) / max(1, int(row["n"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--workers", default="2")
    args = parser.parse_args()
    if shutil.which("nginx") is None:
        sys.exit("nginx is not installed (scripts/bootstrap.sh installs it)")
    with scratch_database() as url:
        per_report = asyncio.run(prepare(url, args.reports))
        with served(url, TRYGG_WORKERS=args.workers, TRYGG_HOTSPOT_WORKER="false") as base:
            folder = Path(tempfile.mkdtemp(prefix="trygg-bench-nginx-"))
            port = free_port()
            (folder / "nginx.conf").write_text(
                NGINX.format(dir=folder, port=port, upstream=base.removeprefix("http://"))
            )
            proxy = subprocess.Popen(
                ["nginx", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                stderr=subprocess.DEVNULL,
            )
            try:
                time.sleep(0.5)
                rows = []
                for path in PATHS:
                    httpx.get(base + path, timeout=60)  # warm the app's caches
                    direct = asyncio.run(rate(base, path, args.seconds))
                    cached = asyncio.run(rate(f"http://127.0.0.1:{port}", path, args.seconds))
                    rows.append((path, direct, cached))
            finally:
                proxy.terminate()
                proxy.wait(10)
                shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.reports} reports, 8 clients, {args.workers} uvicorn worker(s)")
    print(f"reports table with its indexes: {per_report:.0f} bytes per report")
    print(f"{'path':48} {'app /s':>9} {'nginx /s':>9} {'ratio':>7}")
    for path, (app_rate, bad_app), (proxy_rate, bad_proxy) in rows:
        note = f"  ({bad_app + bad_proxy} not 200)" if bad_app + bad_proxy else ""
        print(f"{path:48} {app_rate:9.0f} {proxy_rate:9.0f} {proxy_rate / app_rate:7.1f}{note}")


if __name__ == "__main__":
    main()
