"""Backup and restore times with pgBackRest against pg_basebackup and a plain copy.

For each size a cluster of its own (scripts/pgcluster.py, archiving on) gets
that many reports; then, in the same run and on the same data:

- pgBackRest: a full backup (compressed, encrypted), an incremental one after
  1 % more reports, and a restore to the latest point (restore, WAL replay,
  promotion: until the cluster takes writes);
- pg_basebackup (plain format, WAL streamed) and copying its folder back;
- a copy of the stopped cluster's data directory and copying it back.

Each restore starts from an empty data directory and ends when the cluster
accepts writes. Loopback only; everything lives in a temporary folder.

    .venv/bin/python bench/backup.py --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import pgcluster  # noqa: E402

from bench._common import free_port  # noqa: E402

FILL = """
INSERT INTO reports (id, channel, kind, severity, reasons, times, days, reporter_hash,
                     receipt_hash, description, geom)
SELECT gen_random_uuid(), 'api', 'unsafe', 1 + mod(i, 3), ARRAY['lighting'], ARRAY['night'],
       ARRAY['weekend'], sha256(int4send(i)), sha256(int4send(-i)),
       CASE WHEN mod(i, 4) = 0 THEN 'Mörkt och ödsligt vid gångtunneln ' || i END,
       ST_SetSRID(ST_Point(12.30 + random() * 0.05, 58.37 + random() * 0.03), 4326)
FROM generate_series(%(start)s::int, %(stop)s::int) AS i
"""


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def fill(cluster: pgcluster.Cluster, start: int, stop: int) -> None:
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        step = 200_000
        for first in range(start, stop + 1, step):
            conn.execute(FILL, {"start": first, "stop": min(stop, first + step - 1)})
        conn.execute("VACUUM ANALYZE reports")


def copy_back(cluster: pgcluster.Cluster, source: Path) -> None:
    """Copy a saved data directory into place (ownership kept) and start."""
    subprocess.run(["cp", "-a", str(source), str(cluster.data)], check=True)
    cluster.start()
    cluster.wait_promoted()


def lose(cluster: pgcluster.Cluster) -> None:
    cluster.kill()
    shutil.rmtree(cluster.data)


def run_size(n: int, work: Path) -> dict[str, float]:
    base = work / f"pg-{n}"
    cluster = pgcluster.Cluster(base, free_port())
    cluster.init()
    cluster.start()
    env = {**os.environ, "DATABASE_URL": cluster.url()}
    subprocess.run(
        [sys.executable, "-m", "app", "migrate"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    fill(cluster, 1, n)
    out: dict[str, float] = {"data_mb": size_of(cluster.data) / 1e6}

    out["pgbackrest_full_s"] = timed(lambda: cluster.pgbackrest("backup", "--type=full"))
    out["pgbackrest_repo_mb"] = size_of(cluster.backup_dir) / 1e6
    fill(cluster, n + 1, n + max(1, n // 100))
    out["pgbackrest_incr_s"] = timed(lambda: cluster.pgbackrest("backup", "--type=incr"))

    basebackup = work / f"basebackup-{n}"
    basebackup.mkdir(mode=0o700)
    cluster._chown(basebackup)  # pg_basebackup runs as the cluster's owner
    out["basebackup_s"] = timed(
        lambda: cluster._as_owner(
            [
                "pg_basebackup",
                "-d",
                cluster.url(),
                "-D",
                str(basebackup),
                "-Fp",
                "-Xstream",
                "-cfast",
            ],
            check=True,
            capture_output=True,
        )
    )
    out["basebackup_mb"] = size_of(basebackup) / 1e6

    copy = work / f"copy-{n}"
    cluster.stop()
    out["copy_s"] = timed(
        lambda: subprocess.run(["cp", "-a", str(cluster.data), str(copy)], check=True)
    )
    cluster.start()

    # Restores, each from an empty data directory to a cluster that takes writes.
    lose(cluster)
    out["copy_restore_s"] = timed(lambda: copy_back(cluster, copy))
    lose(cluster)
    out["basebackup_restore_s"] = timed(lambda: copy_back(cluster, basebackup))
    lose(cluster)
    out["pgbackrest_restore_s"] = timed(lambda: cluster.restore())
    with psycopg.connect(cluster.url()) as conn:
        row = conn.execute("SELECT count(*) FROM reports").fetchone()
    assert row is not None and row[0] == n + max(1, n // 100), row
    cluster.kill()
    for path in (basebackup, copy, base):
        shutil.rmtree(path, ignore_errors=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated report counts")
    args = parser.parse_args()
    if shutil.which("pgbackrest") is None:
        sys.exit("pgbackrest is not installed: run scripts/bootstrap.sh")
    work = Path(tempfile.mkdtemp(prefix="trygg-bench-backup-"))
    work.chmod(0o711)
    rows = []
    try:
        for n in (int(s) for s in args.sizes.split(",")):
            print(f"{n} reports ...", file=sys.stderr, flush=True)
            rows.append((n, run_size(n, work)))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| reports | data MB | method | backup s | restore s | stored MB |")
    print("|---:|---:|---|---:|---:|---:|")
    for n, r in rows:
        print(
            f"| {n} | {r['data_mb']:.0f} | pgBackRest full (lz4, AES-256) | "
            f"{r['pgbackrest_full_s']:.1f} | {r['pgbackrest_restore_s']:.1f} | "
            f"{r['pgbackrest_repo_mb']:.0f} |"
        )
        print(f"| {n} | | pgBackRest incremental (+1 %) | {r['pgbackrest_incr_s']:.1f} | | |")
        print(
            f"| {n} | | pg_basebackup -Fp -Xstream | {r['basebackup_s']:.1f} | "
            f"{r['basebackup_restore_s']:.1f} | {r['basebackup_mb']:.0f} |"
        )
        print(
            f"| {n} | | copy of the stopped data directory | {r['copy_s']:.1f} | "
            f"{r['copy_restore_s']:.1f} | {r['data_mb']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
