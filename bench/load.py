"""Load and soak test with locust, against a throwaway database on loopback.

    DATABASE_URL=... python bench/load.py             # 200 users for 60 s
    DATABASE_URL=... python bench/load.py --soak      # 10 minutes, memory and connections

The app is started here (`python -m app serve` on 127.0.0.1, two workers) on a
scratch database seeded with 5,000 reports; nothing else is ever contacted.
The mix: residents reading the public map and the hotspots, reports filed at
10 per second, and staff reading the staff map's viewport data with a token.
It prints p99 per route and every failure other than 429, checks the soak's
resident memory and database connections (growth < 10 % from the first
minute to the last), and writes the figures to docs/RELIABILITY.md.
"""

from __future__ import annotations

# isort: off
# locust patches the standard library for gevent; it must come first.
from locust import HttpUser, between, constant_throughput, task
from locust.env import Environment

# isort: on
import argparse
import contextlib
import os
import re
import secrets
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gevent
import httpx
import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import ROOT, SECRET, scratch_database, serve_process  # noqa: E402
from bench.map import add_reports  # noqa: E402

REPORT = ROOT / "docs" / "RELIABILITY.md"
MAX_USERS = 500
MAX_SECONDS = 15 * 60
REPORTS_PER_SECOND = 10
STAFF_USERS = 20
HOTSPOT_P99_AIM_MS = 150
VIEW = "bbox=12.3098,58.3747,12.3370,58.3868&zoom=15"
STAFF_TOKEN = "bench-" + secrets.token_urlsafe(24)
refused: dict[str, int] = {}  # 429 answers per route: expected, not failures


def _get(user: HttpUser, path: str, name: str, **kwargs: Any) -> None:
    with user.client.get(path, name=name, catch_response=True, **kwargs) as answer:
        if answer.status_code == 429:
            refused[name] = refused.get(name, 0) + 1
            answer.success()


class Resident(HttpUser):
    """Opens the public map and reads the hotspots."""

    wait_time = between(1, 3)

    @task(1)
    def public_map(self) -> None:
        _get(self, "/karta", "GET /karta")

    @task(3)
    def hotspots(self) -> None:
        _get(self, "/api/v1/hotspots", "GET /api/v1/hotspots")


class Reporter(HttpUser):
    """Files reports; together the reporters file REPORTS_PER_SECOND."""

    fixed_count = REPORTS_PER_SECOND
    wait_time = constant_throughput(1)

    @task
    def report(self) -> None:
        feature = {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [12.3234 + _jitter(0.01), 58.3808 + _jitter(0.005)],
            },
            "properties": {
                "reasons": ["lighting"],
                "times": ["evening"],
                "client_token": "load-" + uuid.uuid4().hex,
            },
        }
        name = "POST /api/v1/reports"
        with self.client.post(
            "/api/v1/reports", json=feature, name=name, catch_response=True
        ) as answer:
            if answer.status_code == 429:
                refused[name] = refused.get(name, 0) + 1
                answer.success()


class Staff(HttpUser):
    """Police reading the staff map's viewport data."""

    fixed_count = STAFF_USERS
    wait_time = between(1, 3)

    @task
    def map_reports(self) -> None:
        headers = {"Authorization": f"Bearer {STAFF_TOKEN}"}
        _get(self, f"/api/v1/map/reports?{VIEW}", "GET /api/v1/map/reports", headers=headers)


def _jitter(size: float) -> float:
    return (secrets.randbelow(2001) - 1000) / 1000 * size


def add_staff_token(url: str) -> None:
    from app.security.passwords import hash_password
    from app.security.tokens import api_token_hash

    user_id = uuid.uuid4()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO staff_users (id, email, password_hash, roles) VALUES (%s, %s, %s, %s)",
            (user_id, "load-police@example.se", hash_password("load-password-0123"), ["police"]),
        )
        conn.execute(
            "INSERT INTO api_tokens (id, user_id, token_hash, name) VALUES (%s, %s, %s, 'load')",
            (uuid.uuid4(), user_id, api_token_hash(SECRET.encode(), STAFF_TOKEN)),
        )


@contextlib.contextmanager
def serve(database_url: str, **env: str) -> Iterator[tuple[str, psutil.Process]]:
    """The app in production mode on loopback; yields its URL and process."""
    with serve_process(database_url, TRYGG_ENV="production", **env) as (base, process):
        yield base, psutil.Process(process.pid)


def warm_hotspots(base: str, limit: float = 300) -> None:
    """Wait for the first hotspot computation so it is not counted as load."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        answer = httpx.get(base + "/api/v1/hotspots", timeout=120)
        if answer.status_code == 200 and "hotspots-stale" not in answer.headers:
            return
        time.sleep(2)


@dataclass
class Samples:
    """Resident memory of the server (MB) and its database connections over time."""

    at: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    connections: list[int] = field(default_factory=list)

    def take(self, server: psutil.Process, url: str, started: float) -> None:
        rss = server.memory_info().rss + sum(
            c.memory_info().rss for c in server.children(recursive=True)
        )
        name = url.rsplit("/", 1)[-1]
        with psycopg.connect(url, autocommit=True) as conn:
            # Client sessions only: an autovacuum worker on the busy tables is not ours.
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()
        self.at.append(time.monotonic() - started)
        self.rss_mb.append(rss / 1e6)
        self.connections.append(int(row[0]) if row else 0)


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class Cost:
    """CPU seconds and hotspot recomputations during the run, so a loaded machine's
    latencies can be read against what the service itself spent."""

    server: float
    database: float
    client: float
    runs: int

    @classmethod
    def now(cls, server: psutil.Process, url: str) -> Cost:
        own = server.children(recursive=True)
        cpu = _cpu(server) + sum(_cpu(c) for c in own)
        name = url.rsplit("/", 1)[-1]
        with psycopg.connect(url, autocommit=True) as conn:
            pids = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
                (name,),
            ).fetchall()
            run = conn.execute("SELECT COALESCE(max(id), 0) FROM hotspot_runs").fetchone()
        database = 0.0
        for (pid,) in pids:
            with contextlib.suppress(psutil.Error):  # a session may end meanwhile
                database += _cpu(psutil.Process(pid))
        return cls(cpu, database, _cpu(psutil.Process()), int(run[0]) if run else 0)

    def since(self, start: Cost, requests: int, seconds: float) -> str:
        server = self.server - start.server
        return (
            f"CPU over the run: server {server:.0f} s "
            f"({server / max(requests, 1) * 1000:.1f} ms per request), its database "
            f"sessions open at the end {self.database - start.database:.0f} s, the locust "
            f"client {self.client - start.client:.0f} s, of {seconds * (os.cpu_count() or 1):.0f} "
            f"core-seconds; hotspot recomputations: {self.runs - start.runs}."
        )


def growth(values: list[float], times: list[float], total: float) -> float:
    """Growth from the first minute after warm-up to the last minute, as a fraction."""
    warm = [v for v, t in zip(values, times, strict=True) if 60 <= t < 120] or values[:1]
    last = [v for v, t in zip(values, times, strict=True) if t >= total - 60] or values[-1:]
    before = statistics.mean(warm)
    return (max(last) - before) / before if before else 0.0


def run(base: str, users: int, seconds: int, sample: Any = None) -> Environment:
    env = Environment(user_classes=[Resident, Reporter, Staff], host=base)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=max(1, users / 10))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        gevent.sleep(min(10, max(0.1, deadline - time.monotonic())))
        if sample is not None:
            sample()
    runner.quit()
    return env


def table(env: Environment) -> tuple[list[str], int, dict[str, float]]:
    lines = [
        "| route | requests | failures | 429 | median ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    p99s: dict[str, float] = {}
    failures = 0
    for (name, _method), entry in sorted(env.stats.entries.items()):
        p99 = entry.get_response_time_percentile(0.99) or 0
        p99s[name] = p99
        failures += entry.num_failures
        lines.append(
            f"| `{name}` | {entry.num_requests} | {entry.num_failures} | {refused.get(name, 0)} "
            f"| {entry.median_response_time or 0:.0f} | {p99:.0f} | {entry.total_rps:.1f} |"
        )
    return lines, failures, p99s


def errors(env: Environment) -> list[str]:
    return [
        f"- {e.occurrences} × {e.method} {e.name}: {e.error}" for e in env.stats.errors.values()
    ]


def write_section(mode: str, text: str) -> None:
    """Replace this mode's section of docs/RELIABILITY.md (the other one stays)."""
    head = (
        "# Reliability figures\n\n"
        "Written by `bench/load.py` (locust, loopback only, a scratch\n"
        "database with 5,000 reports). Each run replaces its own section.\n"
    )
    current = REPORT.read_text() if REPORT.exists() else head
    begin, end = f"<!-- {mode} -->", f"<!-- /{mode} -->"
    block = f"{begin}\n{text.rstrip()}\n{end}"
    if begin in current:
        current = re.sub(
            re.escape(begin) + ".*?" + re.escape(end), lambda _: block, current, flags=re.S
        )
    else:
        current = current.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=None, help="default 60, or 600 with --soak")
    parser.add_argument("--soak", action="store_true", help="10 minutes, memory and connections")
    parser.add_argument("--no-write", action="store_true", help="do not touch RELIABILITY.md")
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn worker processes (one per core here)"
    )
    parser.add_argument(
        "--hotspot-wait",
        type=float,
        default=None,
        help="TRYGG_HOTSPOT_WAIT_SECONDS for the server (default: the setting's default)",
    )
    args = parser.parse_args()
    seconds = args.seconds or (600 if args.soak else 60)
    if not 1 <= args.users <= MAX_USERS or not 10 <= seconds <= MAX_SECONDS:
        sys.exit(f"users 1..{MAX_USERS}, seconds 10..{MAX_SECONDS}")
    mode = "soak" if args.soak else "load"
    command = "python bench/load.py" + (" --soak" if args.soak else "")
    if args.users != 200 or args.seconds:
        command += f" --users {args.users} --seconds {seconds}"
    if not 1 <= args.workers <= 8:
        sys.exit("workers 1..8")
    server_env = {"TRYGG_WORKERS": str(args.workers)}
    if args.workers != 2:
        command += f" --workers {args.workers}"
    if args.hotspot_wait is not None:
        server_env["TRYGG_HOTSPOT_WAIT_SECONDS"] = str(args.hotspot_wait)
        command += f" --hotspot-wait {args.hotspot_wait:g}"
        mode += "-hotspot-wait"
    with scratch_database("trygg_bench_load") as url:
        add_reports(url, 5000, 2026)
        add_staff_token(url)
        with serve(url, **server_env) as (base, server):
            warm_hotspots(base)
            samples = Samples()
            started = time.monotonic()
            sample = (lambda: samples.take(server, url, started)) if args.soak else None
            if sample is not None:
                sample()
            before = Cost.now(server, url)
            env = run(base, args.users, seconds, sample)
            cost = Cost.now(server, url).since(before, env.stats.total.num_requests, seconds)
    lines, failures, p99s = table(env)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    cpus = os.cpu_count()
    load1 = os.getloadavg()[0]
    out = [
        f"## {'Soak' if args.soak else 'Load'}: {args.users} users for {seconds} s"
        + (f", hotspot wait {args.hotspot_wait:g} s" if args.hotspot_wait is not None else ""),
        "",
        f"`{command}`, {when}, {cpus} cores, {args.workers} uvicorn worker(s) (load average "
        f"{load1:.1f} at the end: other work shares this machine).",
        "",
        *lines,
        "",
    ]
    hotspot_p99 = p99s.get("GET /api/v1/hotspots", 0)
    ok = failures == 0
    aim = "met" if hotspot_p99 < HOTSPOT_P99_AIM_MS else "missed"
    out.append(
        f"Failures other than 429: {failures}. Public hotspot reads p99 {hotspot_p99:.0f} ms "
        f"(aim < {HOTSPOT_P99_AIM_MS} ms: {aim})."
    )
    out += errors(env)
    out += ["", cost]
    if args.soak:
        rss = growth(samples.rss_mb, samples.at, seconds)
        conns = growth([float(c) for c in samples.connections], samples.at, seconds)
        flat = rss < 0.10 and conns < 0.10
        ok = ok and flat and sum(refused.values()) == 0
        out += [
            "",
            f"Resident memory {samples.rss_mb[0]:.0f} MB at start, "
            f"{min(samples.rss_mb):.0f}–{max(samples.rss_mb):.0f} MB over the run, growth "
            f"{rss * 100:.1f} % (first minute after warm-up to last); database connections "
            f"{min(samples.connections)}–{max(samples.connections)}, growth {conns * 100:.1f} %. "
            f"{'Flat' if flat else 'NOT flat'} (limit 10 %); 429 answers: "
            f"{sum(refused.values())}.",
        ]
    text = "\n".join(out) + "\n"
    print(text)
    if not args.no_write:
        write_section(mode, text)
        print(f"written to {REPORT.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
