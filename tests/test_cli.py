"""`python -m app` commands: import, remove an import, demo data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from geo.synthetic import DEMO_PLACES, Scenario, generate
from tests.conftest import TEST_SECRET, Sql, point_feature

ROOT = Path(__file__).resolve().parents[1]


def run_cli(database_url: str, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "TRYGG_SECRET_KEY": TEST_SECRET, **extra}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_collection(path: Path, features: list[Any]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_import_then_remove_a_batch(
    tmp_path: Path, database_url: str, sql: Sql, clean_db: None
) -> None:
    old = point_feature(created_at="2017-05-10T19:30:00+02:00")
    path = write_collection(tmp_path / "walk.geojson", [point_feature(), old, point_feature()])
    result = run_cli(database_url, "import-reports", str(path))
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("batch: ")
    batch = last.split()[-1]
    assert sql.scalar("SELECT count(*) FROM reports WHERE batch_id = %s", (batch,)) == 3
    assert sql.scalar("SELECT count(*) FROM reports WHERE channel = 'import'") == 3
    assert sql.scalar("SELECT count(*) FROM reports WHERE created_at < '2018-01-01'") == 1
    assert "validated 3/3" in result.stderr  # progress is shown

    removed = run_cli(database_url, "remove-import", batch)
    assert removed.returncode == 0, removed.stderr
    assert sql.scalar("SELECT count(*) FROM reports") == 0
    assert run_cli(database_url, "remove-import", batch).returncode == 1


def test_import_with_bad_features_stores_nothing_and_lists_them(
    tmp_path: Path, database_url: str, sql: Sql, clean_db: None
) -> None:
    bad_place = point_feature(lon=58.3808, lat=12.3234)
    bad_reason = point_feature(reasons=["nope"])
    path = write_collection(tmp_path / "mixed.geojson", [point_feature(), bad_place, bad_reason])
    result = run_cli(database_url, "import-reports", str(path))
    assert result.returncode == 1
    # Numbered from 1: the first feature is fine, the second and third are not.
    assert "feature 2:" in result.stderr and "swapped" in result.stderr
    assert "feature 3:" in result.stderr and "unknown reason" in result.stderr
    assert "feature 1:" not in result.stderr
    assert sql.scalar("SELECT count(*) FROM reports") == 0

    skipping = run_cli(database_url, "import-reports", "--skip-invalid", str(path))
    assert skipping.returncode == 0, skipping.stderr
    assert "imported 1 reports, skipped 2" in skipping.stdout
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_import_refuses_a_file_that_is_not_a_feature_collection(
    tmp_path: Path, database_url: str, sql: Sql, clean_db: None
) -> None:
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(point_feature()))
    result = run_cli(database_url, "import-reports", str(path))
    assert result.returncode == 2
    assert "FeatureCollection" in result.stderr


def test_demo_data_loads_only_into_an_empty_database_and_is_removable(
    database_url: str, sql: Sql, clean_db: None
) -> None:
    loaded = run_cli(database_url, "demo-data", "load", "--if-empty")
    assert loaded.returncode == 0, loaded.stderr
    demo = sql.scalar("SELECT count(*) FROM reports WHERE channel = 'demo'")
    assert 200 <= demo <= 1000
    assert sql.scalar("SELECT count(DISTINCT reporter_hash) FROM reports") >= 100
    assert sql.scalar("SELECT count(DISTINCT GeometryType(geom)) FROM reports") == 3

    again = run_cli(database_url, "demo-data", "load", "--if-empty")
    assert again.returncode == 0
    assert sql.scalar("SELECT count(*) FROM reports") == demo

    refused = run_cli(database_url, "demo-data", "load")
    assert refused.returncode == 1 and "--replace" in refused.stderr
    assert sql.scalar("SELECT count(*) FROM reports") == demo

    replaced = run_cli(database_url, "demo-data", "load", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert sql.scalar("SELECT count(*) FROM reports") == demo

    removed = run_cli(database_url, "demo-data", "remove")
    assert removed.returncode == 0
    assert sql.scalar("SELECT count(*) FROM reports") == 0


WHOLE_AREA = {"bbox": "12.25,58.33,12.40,58.43", "zoom": "12"}
# Far below what a COPY of thousands of reports takes: the limit of web requests.
SHORT_TIMEOUT = {"TRYGG_DB_STATEMENT_TIMEOUT_MS": "100"}


def _heat_people(client: TestClient, headers: dict[str, str], **filters: str) -> int:
    answer = client.get("/api/v1/map/heat", params={**WHOLE_AREA, **filters}, headers=headers)
    assert answer.status_code == 200, answer.text
    return sum(round(point[2]) for point in answer.json()["points"])


def _assert_maps_match_reports(client: TestClient, sql: Sql, headers: dict[str, str]) -> None:
    """The staff map's kept counts equal the same counts taken from the reports."""
    # Without filters the heat comes from the maintained grid; with a filter
    # (a `since` every report passes) it is counted from the reports themselves.
    kept = _heat_people(client, headers)
    assert kept == _heat_people(client, headers, since="1990-01-01")
    assert kept == sql.scalar(
        "SELECT count(DISTINCT (COALESCE(reporter_hash, uuid_send(id)), "
        "round(ST_X(ST_PointOnSurface(geom_3006)) / 25), "
        "round(ST_Y(ST_PointOnSurface(geom_3006)) / 25))) FROM reports "
        "WHERE status = 'published' AND kind = 'unsafe'"
    )
    # The tiles' report counts, cell by cell against a count from scratch.
    drift = sql.scalar(
        "SELECT count(*) FROM (SELECT 20 AS level, c.gx, c.gy, count(*) AS n FROM reports r, "
        "report_grid_cell(r.geom) c GROUP BY 2, 3) fresh FULL JOIN (SELECT * FROM report_grid "
        "WHERE level = 20 AND reports > 0) kept USING (level, gx, gy) "
        "WHERE fresh.n IS DISTINCT FROM kept.reports"
    )
    assert drift == 0


def test_thousands_of_reports_import_purge_and_go_under_a_short_statement_timeout(
    tmp_path: Path,
    database_url: str,
    sql: Sql,
    client: TestClient,
    staff_headers: Callable[..., dict[str, str]],
) -> None:
    """Operators' batches are not web requests: the web statement timeout does not cut them."""
    reports = generate(Scenario(places=DEMO_PLACES, reporters=1500), seed=11)[:3000]
    path = write_collection(tmp_path / "kommun.geojson", [r.feature("kommun") for r in reports])
    police = staff_headers("police")

    imported = run_cli(database_url, "import-reports", str(path), **SHORT_TIMEOUT)
    assert imported.returncode == 0, imported.stderr
    assert "imported 3000 reports" in imported.stdout
    assert _heat_people(client, police) > 1000
    _assert_maps_match_reports(client, sql, police)

    # Past retention, the purge drops every reporter hash: each report becomes
    # its own person on the heat map.
    sql.all("UPDATE reports SET received_at = now() - interval '3 years'")
    purged = run_cli(database_url, "purge", **SHORT_TIMEOUT)
    assert purged.returncode == 0, purged.stderr
    assert sql.scalar("SELECT count(*) FROM reports WHERE reporter_hash IS NOT NULL") == 0
    _assert_maps_match_reports(client, sql, police)

    batch = imported.stdout.strip().splitlines()[-1].split()[-1]
    removed = run_cli(database_url, "remove-import", batch, **SHORT_TIMEOUT)
    assert removed.returncode == 0, removed.stderr
    assert _heat_people(client, police) == 0
    _assert_maps_match_reports(client, sql, police)


def test_recompute_waits_for_a_running_computation_past_the_statement_timeout(
    database_url: str, sql: Sql, clean_db: None
) -> None:
    """A recompute started while another runs (minutes at 1M reports) waits, then runs."""
    from app.repo.hotspots.transaction import ADVISORY_KEY

    env = {**os.environ, "DATABASE_URL": database_url, "TRYGG_SECRET_KEY": TEST_SECRET}
    with psycopg.connect(database_url) as running:  # holds the computation lock
        running.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
        waiting = subprocess.Popen(
            [sys.executable, "-m", "app", "recompute", "--force"],
            env={**env, **SHORT_TIMEOUT},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        # Until the recompute is queued behind the lock, and then well past the timeout.
        for _ in range(300):
            if sql.scalar(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ):
                break
            time.sleep(0.1)
        time.sleep(1.0)
        assert waiting.poll() is None, waiting.communicate()
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert out.startswith("run "), out


# A stand-in for scripts/pgcluster.py in a copy of the checkout: `ensure` notes
# that it was asked to start the cluster, `url` prints the URL it was given.
PGCLUSTER_STUB = """
import pathlib, sys
here = pathlib.Path(__file__).resolve().parent
if sys.argv[1] == "ensure":
    (here / "ensured").write_text("yes")
elif sys.argv[1] == "url":
    print((here / "url.txt").read_text())
else:
    sys.exit(f"unexpected command {sys.argv[1]}")
"""


def checkout_copy(tmp_path: Path, *, cluster_url: str | None) -> Path:
    """A copy of the code with a stub cluster manager; a cluster under .local/pg if a URL."""
    root = tmp_path / "checkout"
    skip = shutil.ignore_patterns("__pycache__", "node_modules", "*.pyc")
    for name in ("app", "geo", "frontend", "migrations"):
        shutil.copytree(ROOT / name, root / name, ignore=skip)
    shutil.copy(ROOT / "alembic.ini", root / "alembic.ini")
    (root / "scripts").mkdir()
    (root / "scripts" / "pgcluster.py").write_text(PGCLUSTER_STUB)
    if cluster_url is not None:
        (root / "scripts" / "url.txt").write_text(cluster_url)
        data = root / ".local" / "pg" / "data"
        data.mkdir(parents=True)
        (data / "PG_VERSION").write_text("16\n")
    return root


def run_in(root: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TRYGG_DATABASE_URL", "TRYGG_PG_DIR")
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        env={**clean, "TRYGG_SECRET_KEY": TEST_SECRET, **env},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_database_url_the_cli_uses_the_project_local_cluster(
    tmp_path: Path, database_url: str, sql: Sql, clean_db: None
) -> None:
    root = checkout_copy(tmp_path, cluster_url=database_url)
    path = write_collection(tmp_path / "walk.geojson", [point_feature(), point_feature()])
    result = run_in(root, "import-reports", str(path))
    assert result.returncode == 0, result.stderr
    assert (root / "scripts" / "ensured").exists()  # a stopped cluster is started
    assert sql.scalar("SELECT count(*) FROM reports WHERE channel = 'import'") == 2


def test_database_url_overrides_the_project_local_cluster(
    tmp_path: Path, database_url: str, sql: Sql, clean_db: None
) -> None:
    root = checkout_copy(tmp_path, cluster_url="postgresql://nobody@127.0.0.1:1/none")
    path = write_collection(tmp_path / "walk.geojson", [point_feature()])
    result = run_in(root, "import-reports", str(path), DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert not (root / "scripts" / "ensured").exists()
    assert sql.scalar("SELECT count(*) FROM reports") == 1


def test_without_database_url_or_cluster_the_cli_says_how_to_get_one(tmp_path: Path) -> None:
    root = checkout_copy(tmp_path, cluster_url=None)
    path = write_collection(tmp_path / "walk.geojson", [point_feature()])
    for args in (("import-reports", str(path)), ("migrate",)):
        result = run_in(root, *args)
        assert result.returncode == 2
        assert "make run" in result.stderr
        assert "DATABASE_URL" in result.stderr
        assert "scripts/database-url.sh" in result.stderr
