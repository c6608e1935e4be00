"""Report ingest speed: the API against raw durable INSERTs, import against COPY.

Run with `make bench` (or DATABASE_URL=... python bench/ingest.py). Everything
is measured in one run on one throwaway database, so the ratios compare like
with like on this machine. Bounded: a few thousand requests per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import SECRET, scratch_database, serve_process  # noqa: E402

FEATURE = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [12.3234, 58.3808]},
    "properties": {
        "reasons": ["lighting", "deserted"],
        "times": ["night"],
        "days": ["weekend"],
        "severity": 2,
        "client_token": "bench-device-0001",
    },
}


async def _http_worker(host: str, port: int, body: bytes, count: int) -> int:
    """POST over one keep-alive connection with a minimal HTTP/1.1 client."""
    reader, writer = await asyncio.open_connection(host, port)
    request = (
        b"POST /api/v1/reports HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    ok = 0
    for _ in range(count):
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        ok += head.startswith(b"HTTP/1.1 201")
    writer.close()
    return ok


async def api_rate(base: str, clients: int, total: int) -> float:
    host, port = base.removeprefix("http://").split(":")
    body = json.dumps(FEATURE).encode()
    per = total // clients
    start = time.perf_counter()
    done = await asyncio.gather(*(_http_worker(host, int(port), body, per) for _ in range(clients)))
    elapsed = time.perf_counter() - start
    if sum(done) != per * clients:
        sys.exit(f"only {sum(done)} of {per * clients} requests answered 201")
    return per * clients / elapsed


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the uvicorn workers), from /proc."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    total = 0
    for one in [pid, *map(int, children.stdout.split())]:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


RAW_INSERT = (
    "INSERT INTO reports (id, channel, kind, severity, reasons, times, days, reporter_hash, "
    "receipt_hash, text_status, geom) VALUES (%s, 'api', 'unsafe', 2, %s, %s, %s, %s, %s, "
    "'none', ST_GeomFromWKB(%s, 4326))"
)
POINT_WKB = bytes.fromhex("0101000000c3d32b6519a52840f4fdd478e9304d40")


async def raw_rate(url: str, clients: int, total: int) -> float:
    per = total // clients

    async def worker() -> None:
        async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
            for _ in range(per):
                await conn.execute(
                    RAW_INSERT,
                    (
                        uuid.uuid4(),
                        ["lighting", "deserted"],
                        ["night"],
                        ["weekend"],
                        os.urandom(32),
                        os.urandom(32),
                        POINT_WKB,
                    ),
                )

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return per * clients / (time.perf_counter() - start)


def import_vs_copy(url: str, count: int) -> tuple[float, float]:
    """Seconds for import_features of `count` reports and for a plain COPY of the same rows."""
    from app.config import Environment, Settings
    from app.db.pool import Database
    from app.services.importer import COPY_COLUMNS, import_features
    from geo.area import default_area
    from geo.synthetic import DEMO_PLACES, Scenario, generate

    reports = generate(Scenario(places=DEMO_PLACES, reporters=count // 2), seed=7)[:count]
    features = [r.feature("bench") for r in reports]
    settings = Settings(env=Environment.test, database_url=url, secret_key=SECRET)

    async def run() -> tuple[float, float, list[tuple[object, ...]]]:
        db = Database(settings, min_size=1)
        await db.open()
        start = time.perf_counter()
        result = await import_features(db, settings, default_area(), features, source="bench")
        imported = time.perf_counter() - start
        async with db.connection() as conn:
            cur = await conn.execute(
                f"SELECT {', '.join(c for c in COPY_COLUMNS if c != 'geom')}, "
                "encode(ST_AsEWKB(geom), 'hex') FROM reports WHERE batch_id = %s",
                (result.batch_id,),
            )
            rows = await cur.fetchall()
            await conn.execute("TRUNCATE reports, import_batches CASCADE")
        await db.close()
        return imported, 0.0, [tuple(r.values()) for r in rows]

    imported, _, rows = asyncio.run(run())
    columns = ", ".join(c for c in COPY_COLUMNS if c != "batch_id")
    with psycopg.connect(url) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur, cur.copy(f"COPY reports ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row[:-2] + row[-1:])
        conn.commit()
        copied = time.perf_counter() - start
    return imported, copied


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--import-count", type=int, default=100_000)
    parser.add_argument("--workers", default=os.environ.get("TRYGG_WORKERS", "2"))
    args = parser.parse_args()
    start_load = load()
    with scratch_database() as url:
        raw_1 = asyncio.run(raw_rate(url, 1, args.requests))
        raw_8 = asyncio.run(raw_rate(url, 8, args.requests))
        with serve_process(url, TRYGG_WORKERS=args.workers) as (base, server):
            asyncio.run(api_rate(base, 8, 400))  # warm up connections and caches
            api_1 = asyncio.run(api_rate(base, 1, args.requests))
            before = cpu_seconds(server.pid)
            api_8 = asyncio.run(api_rate(base, 8, args.requests))
            # The app's own CPU per report moves far less with the machine's
            # load than the rates do (it includes the background hotspot worker).
            app_ms = (cpu_seconds(server.pid) - before) * 1000 / (args.requests // 8 * 8)
        imported, copied = import_vs_copy(url, args.import_count)
    print(f"{'measure':44} {'rate':>12} {'ratio':>7}")
    print(f"{'raw durable INSERT, 1 connection':44} {raw_1:10.0f}/s")
    print(f"{'raw durable INSERT, 8 connections':44} {raw_8:10.0f}/s")
    print(f"{'POST /api/v1/reports, 1 client':44} {api_1:10.0f}/s {api_1 / raw_1:7.2f}")
    print(f"{'POST /api/v1/reports, 8 clients':44} {api_8:10.0f}/s {api_8 / raw_8:7.2f}")
    print(f"{'  app CPU per report at 8 clients':44} {app_ms:10.2f} ms")
    n = args.import_count
    print(f"{f'COPY of {n} reports':44} {n / copied:10.0f}/s  ({copied:.1f} s)")
    print(
        f"{f'import-reports of {n} reports':44} {n / imported:10.0f}/s {copied / imported:7.2f}"
        f"  ({imported:.1f} s)"
    )
    print(f"(API served by {args.workers} uvicorn worker(s); ratios are API / raw, COPY / import)")
    print(f"(load average 1/5/15 min: {start_load} at the start, {load()} at the end)")


if __name__ == "__main__":
    main()
