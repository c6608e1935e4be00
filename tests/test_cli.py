"""`python -m app` commands: import, remove an import, demo data."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import TEST_SECRET, Sql, point_feature

ROOT = Path(__file__).resolve().parents[1]


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "TRYGG_SECRET_KEY": TEST_SECRET}
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
    assert "feature 1:" in result.stderr and "swapped" in result.stderr
    assert "feature 2:" in result.stderr and "unknown reason" in result.stderr
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

    removed = run_cli(database_url, "demo-data", "remove")
    assert removed.returncode == 0
    assert sql.scalar("SELECT count(*) FROM reports") == 0


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
