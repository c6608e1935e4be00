"""Staff map speed in Chromium at 1k, 10k, 100k and 1M reports, and the public map's size.

Run with DATABASE_URL=... python bench/map.py (a throwaway database is created
and dropped). For each size it loads /staff/karta in a fresh browser context
(cold cache) until the hotspots and the viewport data are drawn, and prints
the load time and bytes next to two baselines measured in the same run: the
same page with no reports, and the naive approach (a folium map with one
plain marker per report, only for 1k and 10k: 100k never finishes).
Aim: under 2 s and 1 MB at 100k, under 2 s at 1M; /karta's size independent
of the count. `data ms` is the server time of the default view's data: the
report vector tiles (zoom 14, as drawn at zoom 15) and the heat layer.
The hotspot computation is waited for (at most --hotspot-wait s) before each
measurement, so its cost is reported separately and not counted as the map's.
By default the hotspot worker runs as its own process (`python -m app
hotspot-worker` next to the server, as `make run` has it); `--worker in-process`
measures the old way, the recompute inside the web process.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, SECRET, scratch_database, served  # noqa: E402

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
EMAIL = "bench-police@example.se"
PASSWORD = "bench-password-0123"
NAIVE_LIMIT = 10_000
TIMEOUT_MS = 60_000


def add_reports(url: str, count: int, seed: int) -> None:
    """`count` reports: 60 % around 12 places, the rest spread over 3 km; 1 person in 3 repeats."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT setseed(%s)", (seed / 1_000_000,))
        conn.execute(
            """
            INSERT INTO reports (id, channel, reasons, times, days, severity, reporter_hash,
                                 description, text_status, geom)
            SELECT gen_random_uuid(), 'import',
                   ARRAY[(ARRAY['lighting','sightlines','deserted','groups','drugs'])
                         [1 + (i %% 5)]],
                   ARRAY[(ARRAY['morning','day','evening','night'])[1 + (i %% 4)]],
                   ARRAY['weekend'], 1 + (i %% 3),
                   sha256(convert_to('p' || (i / 3)::text || '-' || %(seed)s, 'UTF8')),
                   CASE WHEN i %% 50 = 0 THEN 'Mörkt vid gången, rapport ' || i END,
                   CASE WHEN i %% 50 = 0 THEN 'approved' ELSE 'none' END,
                   ST_SetSRID(ST_MakePoint(
                     CASE WHEN random() < 0.6
                          THEN 12.3234 + ((i %% 12) - 6) * 0.002 + (random() - 0.5) * 0.001
                          ELSE 12.3234 + (random() - 0.5) * 0.05 END,
                     CASE WHEN random() < 0.6
                          THEN 58.3808 + ((i %% 7) - 3) * 0.001 + (random() - 0.5) * 0.0005
                          ELSE 58.3808 + (random() - 0.5) * 0.026 END), 4326)
            FROM generate_series(1, %(n)s) AS i
            """,
            {"n": count, "seed": seed},
        )
        conn.execute("UPDATE data_version SET version = version + 1, changed_at = now()")


def add_staff(url: str) -> None:
    from app.security.passwords import hash_password

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO staff_users (id, email, password_hash, roles) VALUES (%s, %s, %s, %s)",
            (uuid.uuid4(), EMAIL, hash_password(PASSWORD), ["police"]),
        )


def warm_hotspots(base: str, limit: float) -> str:
    """Wait (at most `limit` s) for the hotspot computation; its time is not the map's."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        answer = httpx.get(base + "/api/v1/hotspots", timeout=120)
        if answer.status_code == 200 and "hotspots-stale" not in answer.headers:
            return f"{time.perf_counter() - started:.1f}"
        time.sleep(2)
    # Still computing: the map is measured while that runs (and shows the last result).
    return f">{limit:.0f} (busy)"


DATA_VIEW = {"bbox": "12.3098,58.3747,12.3370,58.3868", "zoom": "15"}


def data_ms(base: str) -> float:
    """Server time for the staff map's two viewport requests at the default view."""
    with httpx.Client(base_url=base, timeout=60) as client:
        form = client.get("/staff/login")
        token = form.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/staff/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        )
        started = time.perf_counter()
        for z, y, x in view_tiles(14):
            path = f"/ogc/collections/reports/tiles/WebMercatorQuad/{z}/{y}/{x}"
            assert client.get(path).status_code == 200
        assert client.get("/api/v1/map/heat", params=DATA_VIEW).status_code == 200
        return (time.perf_counter() - started) * 1000


def view_tiles(z: int) -> list[tuple[int, int, int]]:
    """(z, y, x) of the tiles covering DATA_VIEW's bbox."""
    west, south, east, north = (float(v) for v in DATA_VIEW["bbox"].split(","))

    def tile(lon: float, lat: float) -> tuple[int, int]:
        n = 2**z
        y = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n
        return int((lon + 180) / 360 * n), int(y)

    x0, y0 = tile(west, north)
    x1, y1 = tile(east, south)
    return [(z, y, x) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@contextlib.contextmanager
def logged_in(browser: Any, base: str) -> Iterator[Any]:
    """A fresh context (cold cache) with a staff session cookie."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    page.goto(base + "/staff/login")
    page.get_by_label("E-post").fill(EMAIL)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url("**/staff/")
    page.close()
    try:
        yield context
    finally:
        context.close()


def measure(
    context: Any, url: str, ready: str, route: Any = None, trace: bool = False
) -> tuple[float, int]:
    """Seconds until `ready` holds, and bytes of every response body on the way.

    With `trace`, each request the page made is printed with when it started and
    ended (ms from navigation) and its server time, to show what holds the load up.
    """
    page = context.new_page()
    sizes: list[int] = []
    steps: list[tuple[float, float, float, str]] = []
    origin = [0.0]

    def on_finished(request: Any) -> None:
        if page.is_closed():
            return  # a request that ends after the measured load: not part of it
        sizes_of = request.sizes()
        sizes.append(int(sizes_of.get("responseBodySize", 0)))
        if trace:
            timing = request.timing
            start = timing["startTime"] - origin[0] * 1000
            waited = timing["responseStart"] - timing["requestStart"]
            path = request.url.split("//", 1)[-1].split("/", 1)[-1]
            steps.append((start, start + timing["responseEnd"], waited, "/" + path[:90]))

    page.on("requestfinished", on_finished)
    page.on(
        "console",
        lambda m: print("console:", m.type, m.text, file=sys.stderr) if m.type == "error" else None,
    )
    if route is not None:
        page.route(url, route)
    started = time.perf_counter()
    origin[0] = time.time()
    page.goto(url, timeout=TIMEOUT_MS)
    try:
        page.wait_for_function(ready, timeout=TIMEOUT_MS)
    except Exception:
        print("not ready:", page.url, file=sys.stderr)
        raise
    elapsed = time.perf_counter() - started
    page.close()
    if trace:
        print(f"  requests (ms from navigation; ready at {elapsed * 1000:.0f}):")
        for start, end, waited, path in sorted(steps):
            print(f"  {start:7.0f} {end:7.0f}  server {waited:6.0f}  {path}")
    return elapsed, sum(sizes)


STAFF_READY = (
    "() => document.body.dataset.reportsLoaded && "
    "document.getElementById('map-status').textContent.length > 0"
)


def serve_html(html: str) -> Any:
    def fulfil(route: Any) -> None:
        route.fulfill(body=html, content_type="text/html")

    return fulfil


def naive_page(base: str, url: str, limit: int) -> str:
    """folium's plain way: every report a marker in the page (assets still local)."""
    import folium

    from frontend import maps

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT ST_Y(ST_PointOnSurface(geom)), ST_X(ST_PointOnSurface(geom)) FROM reports "
            "LIMIT %s",
            (limit,),
        ).fetchall()
    m = maps._base_map("", "")
    for lat, lon in rows:
        folium.Marker([lat, lon]).add_to(m)
    parts = maps._parts(m)
    links = "".join(f'<link rel="stylesheet" href="{h}">' for h in parts.css)
    scripts = "".join(f'<script src="{s}"></script>' for s in parts.js)
    return (
        f"<!doctype html><html><head>{links}<style>#{parts.map_id}{{height:800px}}</style>"
        f'</head><body><div id="{parts.map_id}"></div>{scripts}<script>{parts.script}'
        "</script><script>document.body.dataset.done = '1'</script></body></html>"
    )


@contextlib.contextmanager
def hotspot_worker(url: str, wanted: bool) -> Iterator[None]:
    """`python -m app hotspot-worker` against `url` while the block runs (when `wanted`)."""
    if not wanted:
        yield
        return
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "hotspot-worker"],
        env={**os.environ, "DATABASE_URL": url, "TRYGG_SECRET_KEY": SECRET},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000")
    parser.add_argument(
        "--hotspot-wait", type=float, default=120, help="most seconds to wait for hotspots"
    )
    parser.add_argument(
        "--trace", action="store_true", help="print each request of every staff map load"
    )
    parser.add_argument(
        "--worker",
        choices=["process", "in-process"],
        default="process",
        help="the hotspot worker as its own process (as `make run` has it) or in the server",
    )
    args = parser.parse_args()
    out_of_process = args.worker == "process"
    sizes = [int(s) for s in args.sizes.split(",")]
    from playwright.sync_api import sync_playwright

    with (
        scratch_database("trygg_bench_map") as url,
        hotspot_worker(url, out_of_process),
        served(
            url,
            TRYGG_TILE_URL="",
            TRYGG_HOTSPOT_WAIT_SECONDS="1",
            TRYGG_HOTSPOT_WORKER_PROCESS=str(out_of_process).lower(),
        ) as base,
    ):
        where = "its own process" if out_of_process else "the web process (in-process)"
        print(f"hotspot worker: {where}")
        add_staff(url)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            with logged_in(browser, base) as ctx:
                base_time, base_bytes = measure(
                    ctx, base + "/staff/karta", STAFF_READY, trace=args.trace
                )
            public_empty = len(httpx.get(base + "/karta").content)
            print(f"baseline: staff map, 0 reports: {base_time:.2f} s, {base_bytes / 1e3:.0f} kB")
            print(
                f"{'reports':>8} {'load s':>7} {'x base':>7} {'kB':>7} {'x base':>7}"
                f" {'naive s':>8} {'data ms':>8} {'/karta B':>9} {'hotspots s':>12}"
            )
            have = 0
            for n in sizes:
                add_reports(url, n - have, seed=n)
                have = n
                warm = warm_hotspots(base, args.hotspot_wait)
                with logged_in(browser, base) as ctx:
                    t, b = measure(ctx, base + "/staff/karta", STAFF_READY, trace=args.trace)
                    naive = "-"
                    if n <= NAIVE_LIMIT:
                        html = naive_page(base, url, n)

                        fulfil = serve_html(html)

                        nt, _ = measure(
                            ctx,
                            base + "/bench-naive",
                            "() => document.body.dataset.done",
                            route=fulfil,
                        )
                        naive = f"{nt:.2f}"
                public = len(httpx.get(base + "/karta").content)
                print(
                    f"{n:>8} {t:>7.2f} {t / base_time:>7.2f} {b / 1e3:>7.0f} "
                    f"{b / max(base_bytes, 1):>7.2f} {naive:>8} {data_ms(base):>8.0f} "
                    f"{public:>9} {warm:>12}"
                )
            print(f"/karta with 0 reports: {public_empty} B (the size must not grow)")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
