"""OGC API speed: items pages and z14 tiles against hand-written SQL and tipg, in one run.

Fills a throwaway database with N synthetic reports (default 100k) in
central Vänersborg, then serves, side by side:

- this app (`python -m app serve`), read with a staff bearer token:
  `/ogc/collections/reports/items?limit=100&offset=…` and
  `/ogc/collections/reports/tiles/WebMercatorQuad/14/{y}/{x}` (counts per cell);
- a hand-written endpoint (this file, `--baseline`): one SQL statement per
  page building the same FeatureCollection with json_agg, and a raw
  ST_AsMVT of every point in the tile;
- tipg, installed into its own environment under .local/bench-tipg (skipped,
  and said so, when pip cannot install it), asked for the same page: the same
  properties, geometry column and order (`TIPG_PAGE`); tipg as it comes
  (every column, ordered by id) is a row of its own.

Items are timed at N reports; tiles at `--tile-reports` (default 1M: the
table is grown after the items runs). Each column: p50 of sequential
requests, and pages/s with 4 concurrent clients. Items rows take turns (five
rounds, a slice of each row's pages per round), so a shared machine's
changing load falls on every row alike. Each row's clients are made, and
their connections opened, before any clock starts (see `Clients`).

    DATABASE_URL=... .venv/bin/python bench/ogc.py [--reports 100000] [--tile-reports 1000000]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import free_port, scratch_database, served  # noqa: E402

TIPG_VENV = ROOT / ".local" / "bench-tipg"
WEST, SOUTH, EAST, NORTH = 12.2950, 58.3650, 12.3550, 58.3950

FILL = """
INSERT INTO reports (id, created_at, channel, reasons, times, days, severity, reporter_hash, geom)
SELECT gen_random_uuid(), now() - random() * interval '365 days', 'api',
       ARRAY[(ARRAY['lighting','deserted','groups','drugs'])[1 + (i %% 4)]], ARRAY['night'],
       ARRAY['weekend'], 1 + (i %% 3), decode(md5(i::text), 'hex'),
       ST_SetSRID(ST_MakePoint(%(w)s + random() * (%(e)s - %(w)s),
                               %(s)s + random() * (%(n)s - %(s)s)), 4326)
FROM generate_series(%(start)s, %(stop)s - 1) AS i
"""

# The same page and properties as /ogc/collections/reports/items, written by hand.
PAGE = """
SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(
    json_build_object('type', 'Feature', 'id', r.id,
        'geometry', ST_AsGeoJSON(r.geom, 7)::json,
        'properties', json_build_object('created_at', r.created_at, 'channel', r.channel,
            'status', r.status, 'text_status', r.text_status, 'kind', r.kind,
            'severity', r.severity, 'reasons', r.reasons, 'times', r.times, 'days', r.days,
            'dark_season', r.dark_season, 'avoids_place', r.avoids_place,
            'description', CASE WHEN r.text_status IN ('approved', 'redacted')
                                THEN r.description END,
            'suggestion', CASE WHEN r.text_status IN ('approved', 'redacted')
                               THEN r.suggestion END))
    ORDER BY r.created_at DESC, r.id DESC), '[]'::json), 'numberReturned', count(*))::text
FROM (SELECT * FROM reports ORDER BY created_at DESC, id DESC
      LIMIT %(limit)s OFFSET %(offset)s) r
"""

# tipg asked for the same page: our properties, our geometry column, our order.
TIPG_PAGE = (
    "limit=100&geom-column=geom&sortby=-created_at,-id&properties=created_at,channel,status,"
    "text_status,kind,severity,reasons,times,days,dark_season,avoids_place,description,suggestion"
)

RAW_TILE = """
WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS tile)
SELECT ST_AsMVT(t, 'reports', 4096, 'geom') FROM (
    SELECT r.id::text AS id, ST_AsMVTGeom(ST_Transform(r.geom, 3857), b.tile, 4096, 64) AS geom
    FROM reports r, b WHERE r.geom && ST_Transform(b.tile, 4326)) t
"""


# --- the hand-written endpoint, run as its own process -----------------------------


def baseline_app(url: str) -> object:
    from psycopg_pool import AsyncConnectionPool
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    pool = AsyncConnectionPool(url, min_size=2, max_size=8, open=False, kwargs={"autocommit": True})

    async def items(request: Request) -> Response:
        limit = int(request.query_params.get("limit", "10"))
        offset = int(request.query_params.get("offset", "0"))
        async with pool.connection() as conn:
            cur = await conn.execute(PAGE, {"limit": limit, "offset": offset})
            row = await cur.fetchone()
        assert row is not None
        return Response(row[0], media_type="application/geo+json")

    held: list[bytes] = []

    async def from_memory(request: Request) -> Response:
        """The first page, read once and then answered from memory: what the client
        and one uvicorn process manage with no database work at all (the ceiling)."""
        if not held:
            async with pool.connection() as conn:
                cur = await conn.execute(PAGE, {"limit": 100, "offset": 0})
                row = await cur.fetchone()
            assert row is not None
            held.append(row[0].encode())
        return Response(held[0], media_type="application/geo+json")

    async def tile(request: Request) -> Response:
        p = request.path_params
        async with pool.connection() as conn:
            cur = await conn.execute(RAW_TILE, {"z": p["z"], "x": p["x"], "y": p["y"]})
            row = await cur.fetchone()
        assert row is not None
        return Response(bytes(row[0]), media_type="application/vnd.mapbox-vector-tile")

    async def lifespan(_: Starlette) -> object:
        await pool.open()
        yield
        await pool.close()

    return Starlette(
        routes=[
            Route("/items", items),
            Route("/from-memory", from_memory),
            Route("/tiles/{z:int}/{y:int}/{x:int}", tile),
        ],
        lifespan=lifespan,  # type: ignore[arg-type]
    )


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], ready: str) -> Iterator[None]:
    proc = subprocess.Popen(
        args, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready, timeout=1).status_code < 500:
                    break
            if proc.poll() is not None:
                raise RuntimeError((proc.stderr.read() if proc.stderr else b"").decode()[-2000:])
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{args[0]} did not start")
        yield
    finally:
        proc.terminate()
        proc.wait(10)


def install_tipg() -> Path | None:
    """tipg in its own venv; None (and why, on stderr) when pip cannot install it."""
    python = TIPG_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "tipg", "uvicorn"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(
            f"tipg not installed, its column is left out:\n{done.stderr[-1500:]}", file=sys.stderr
        )
        return None
    return python


# --- measuring ------------------------------------------------------------------------


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _sequential(http: httpx.Client, urls: list[str]) -> list[float]:
    timings = []
    for url in urls:
        started = time.perf_counter()
        http.get(url).raise_for_status()
        timings.append(time.perf_counter() - started)
    return timings


class Clients:
    """`count` open HTTP clients for one row, made before any clock starts.

    Making an httpx.Client loads a TLS context (about 50 ms of CPU here, even
    for plain http); made inside the timed window, as before 2 December 2026,
    that fixed cost weighed most on the fastest rows and pulled every ratio
    towards 1.
    """

    def __init__(self, headers: dict[str, str], count: int) -> None:
        self.all = [httpx.Client(headers=headers, timeout=60) for _ in range(count)]

    def close(self) -> None:
        for http in self.all:
            http.close()


def _concurrent(urls: list[str], clients: Clients, pool: ThreadPoolExecutor) -> float:
    """Seconds for the clients, each on its own thread, to ask all of `urls` between them."""
    count = len(clients.all)

    def run(i: int) -> None:
        for url in urls[i::count]:
            clients.all[i].get(url).raise_for_status()

    started = time.perf_counter()
    list(pool.map(run, range(count)))
    return time.perf_counter() - started


def measure(urls: list[str], headers: dict[str, str], clients: int = 4) -> tuple[float, float]:
    """(p50 ms of sequential requests, requests/s with `clients` concurrent clients)."""
    return measure_side_by_side({"": (urls, headers)}, 1, clients)[""]


def measure_side_by_side(
    rows: dict[str, tuple[list[str], dict[str, str]]], rounds: int = 5, clients: int = 4
) -> dict[str, tuple[float, float]]:
    """`measure` for every row, taking turns: each round asks a slice of every row's
    URLs, so a change of load on a shared machine falls on all rows alike. Every
    client has asked once (its connection open) before the first timed request."""
    timings: dict[str, list[float]] = {name: [] for name in rows}
    seconds = dict.fromkeys(rows, 0.0)
    opened = {name: Clients(headers, clients) for name, (_, headers) in rows.items()}
    try:
        with ThreadPoolExecutor(clients) as pool:
            for name, (urls, _) in rows.items():  # warm up: every connection open
                for http in opened[name].all:
                    _sequential(http, urls[:2])
            for turn in range(rounds):
                for name, (urls, _) in rows.items():
                    part = urls[turn::rounds]
                    timings[name] += _sequential(opened[name].all[0], part)
                    seconds[name] += _concurrent(part, opened[name], pool)
    finally:
        for row in opened.values():
            row.close()
    return {
        name: (statistics.median(timings[name]) * 1000, len(urls) / seconds[name])
        for name, (urls, _) in rows.items()
    }


def cold_and_warm(urls: list[str], headers: dict[str, str]) -> tuple[float, float]:
    """p50 ms of each tile asked the first time, and asked again (cached where cached)."""
    cold: list[float] = []
    warm: list[float] = []
    with httpx.Client(headers=headers, timeout=120) as http:
        for times in (cold, warm, warm):
            for url in urls:
                started = time.perf_counter()
                http.get(url).raise_for_status()
                times.append(time.perf_counter() - started)
    return statistics.median(cold) * 1000, statistics.median(warm) * 1000


def keyset_urls(first: str, headers: dict[str, str], pages: int) -> list[str]:
    """The first `pages` pages' URLs, as a client following `next` links gets them."""
    urls = [first]
    with httpx.Client(headers=headers, timeout=60) as http:
        while len(urls) < pages:
            links = http.get(urls[-1]).raise_for_status().json()["links"]
            nexts = [link["href"] for link in links if link["rel"] == "next"]
            if not nexts:
                break
            urls.append(nexts[0])
    return urls


def z14_tiles() -> list[tuple[int, int, int]]:
    def tile(lon: float, lat: float) -> tuple[int, int]:
        n = 2**14
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y

    x0, y0 = tile(WEST, NORTH)
    x1, y1 = tile(EAST, SOUTH)
    return [(14, y, x) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def fill(url: str, start: int, stop: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        step = 100_000
        for first in range(start, stop, step):
            conn.execute(
                FILL,
                {
                    "w": WEST,
                    "e": EAST,
                    "s": SOUTH,
                    "n": NORTH,
                    "start": first,
                    "stop": min(stop, first + step),
                },
            )
        conn.execute("VACUUM ANALYZE reports")


def staff_token(url: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TRYGG_SECRET_KEY": "bench-secret-key-0123456789-0123456789",
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "create-user",
            "bench@example.org",
            "--role",
            "police",
            "--password-stdin",
        ],
        input="bench-password-0123456789",
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    made = subprocess.run(
        [sys.executable, "-m", "app", "create-token", "bench@example.org"],
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return made.stdout.split()[-1]


def table(what: str, rows: dict[str, tuple[float, float]], loads: dict[str, str]) -> None:
    """One section's figures, printed as soon as measured (a long run may be cut short)."""
    reference = rows["hand-written SQL page" if what == "items" else "raw ST_AsMVT of every point"]
    tipg_rate = rows["tipg"][1] if "tipg" in rows else None
    print(f"\n| {what} | p50 ms | per second (4 clients) | vs hand-written | vs tipg |")
    print("|---|---|---|---|---|")
    for name, (p50, rate) in rows.items():
        versus = f"{rate / tipg_rate:.2f}x" if tipg_rate else "-"
        print(f"| {name} | {p50:.1f} | {rate:.0f} | {rate / reference[1]:.2f}x | {versus} |")
    print("load average (1, 5, 15 min): " + "; ".join(f"{k} {v}" for k, v in loads.items()))
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--tile-reports", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--baseline", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        import uvicorn

        uvicorn.run(baseline_app(args.baseline[0]), port=int(args.baseline[1]), log_level="warning")  # type: ignore[arg-type]
        return 0
    tipg = install_tipg()
    with scratch_database("trygg_bench_ogc") as url:
        fill(url, 0, args.reports)
        token = staff_token(url)
        bearer = {"Authorization": f"Bearer {token}"}
        base_port, tipg_port = free_port(), free_port()
        base = f"http://127.0.0.1:{base_port}"
        tipg_base = f"http://127.0.0.1:{tipg_port}"
        # Pages spread over the first 100 pages, as a GIS client paging through would ask.
        offsets = [(i * 37) % 100 * 100 for i in range(args.pages)]
        results: dict[str, dict[str, tuple[float, float]]] = {}
        cold: dict[str, tuple[float, float]] = {}
        loads: dict[str, str] = {}
        with contextlib.ExitStack() as stack:
            ours = stack.enter_context(served(url, TRYGG_HOTSPOT_WORKER="false"))
            stack.enter_context(
                process(
                    [sys.executable, __file__, "--baseline", url, str(base_port)],
                    {},
                    base + "/items?limit=1",
                )
            )
            if tipg is not None:
                stack.enter_context(
                    process(
                        [
                            str(tipg),
                            "-m",
                            "uvicorn",
                            "tipg.main:app",
                            "--port",
                            str(tipg_port),
                            "--log-level",
                            "warning",
                        ],
                        {
                            "DATABASE_URL": url,
                            "TIPG_DB_SCHEMAS": '["public"]',
                        },
                        tipg_base + "/collections",
                    )
                )
            walked = keyset_urls(f"{ours}/ogc/collections/reports/items?limit=100", bearer, 100)
            items = {
                "this app (/ogc items, offset)": (
                    [f"{ours}/ogc/collections/reports/items?limit=100&offset={o}" for o in offsets],
                    bearer,
                ),
                "this app (/ogc items, next links)": (
                    [walked[o // 100 % len(walked)] for o in offsets],
                    bearer,
                ),
                "hand-written SQL page": (
                    [f"{base}/items?limit=100&offset={o}" for o in offsets],
                    {},
                ),
            }
            # The same number of requests answered from memory: if this row is not
            # far above the others, the client (one Python process) is the limit.
            items["ceiling: a page from memory, no database"] = (
                [f"{base}/from-memory?o={o}" for o in offsets],
                {},
            )
            if tipg is not None:
                # The same page as ours: the same properties, geometry column and order.
                items["tipg"] = (
                    [
                        f"{tipg_base}/collections/public.reports/items?{TIPG_PAGE}&offset={o}"
                        for o in offsets
                    ],
                    {},
                )
                # tipg as it comes: every column as a property, ordered by id.
                items["tipg, its defaults (every column, by id)"] = (
                    [
                        f"{tipg_base}/collections/public.reports/items?limit=100&offset={o}"
                        for o in offsets
                    ],
                    {},
                )
            loads["before items"] = load_average()
            results["items"] = measure_side_by_side(items)
            loads["after items"] = load_average()
            print(f"items: {args.reports} reports, {args.pages} pages of 100")
            table("items", results["items"], loads)
            if args.tile_reports > args.reports:
                fill(url, args.reports, args.tile_reports)
            tiles = z14_tiles()
            kinds = {
                "this app (counts per cell)": (
                    [
                        f"{ours}/ogc/collections/reports/tiles/WebMercatorQuad/{z}/{y}/{x}"
                        for z, y, x in tiles
                    ],
                    bearer,
                ),
                "raw ST_AsMVT of every point": (
                    [f"{base}/tiles/{z}/{y}/{x}" for z, y, x in tiles],
                    {},
                ),
            }
            if tipg is not None:
                kinds["tipg"] = (
                    [
                        f"{tipg_base}/collections/public.reports/tiles/WebMercatorQuad/{z}/{x}/{y}"
                        for z, y, x in tiles
                    ],
                    {},
                )
            loads["before tiles"] = load_average()
            for name, (urls, headers) in kinds.items():
                cold[name] = cold_and_warm(urls, headers)
            results["tiles"] = {
                name: measure(urls * 3, headers) for name, (urls, headers) in kinds.items()
            }
            loads["after tiles"] = load_average()
            total = max(args.reports, args.tile_reports)
            print(f"\ntiles: {total} reports, {len(z14_tiles())} z14 tiles, each asked 3 times")
            table("tiles", results["tiles"], loads)
            print("\n| tiles, sequential | p50 ms first ask | p50 ms asked again |")
            print("|---|---|---|")
            for name, (first, again) in cold.items():
                print(f"| {name} | {first:.1f} | {again:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
