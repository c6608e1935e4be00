"""The compose deployment backs itself up: a backup service on the schedule, key and backups kept.

Docker cannot run where the tests run, so this reads docker-compose.yml and runs
the shell script that writes pgBackRest's configuration in both containers.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "docker" / "pgbackrest-conf.sh"


def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


def test_a_backup_service_runs_the_schedule_against_the_databases_volumes() -> None:
    spec = compose()
    db, backup = spec["services"]["db"], spec["services"]["backup"]
    assert "backup-scheduler" in (ROOT / "docker" / "backup-entrypoint.sh").read_text()
    assert backup["command"] == ["scheduler"]
    assert backup["restart"] == "unless-stopped"
    # Never behind the app's health check: that fails while backups fail.
    assert backup["depends_on"]["app"]["condition"] == "service_started"
    # pgBackRest reads the data directory as its owner and reaches it over the socket.
    assert backup["user"] == "999:999"
    for volume in ("pgdata:/var/lib/postgresql/data", "pgsocket:/var/run/postgresql"):
        assert volume in db["volumes"] and volume in backup["volumes"]
    # The repository and its key are volumes of their own, so both survive a rebuild.
    assert "backups:/var/lib/pgbackrest" in db["volumes"]
    assert "backups:/var/lib/pgbackrest" in backup["volumes"]
    assert "backupkey:/var/lib/pgbackrest-key:ro" in backup["volumes"]
    assert {"backups", "backupkey", "pgdata", "appstate"} <= set(spec["volumes"])
    assert backup["environment"]["TRYGG_BACKUP_DIR"] == "/var/lib/pgbackrest"
    assert "archive_mode=on" in db["command"]
    assert any(arg.startswith("archive_command=pgbackrest") for arg in db["command"])


def test_the_schedule_and_readiness_settings_reach_the_containers() -> None:
    services = compose()["services"]
    backup = services["backup"]["environment"]
    assert backup["TRYGG_BACKUP_FULL_EVERY"] == "${TRYGG_BACKUP_FULL_EVERY:-604800}"
    assert backup["TRYGG_BACKUP_INCREMENTAL_EVERY"] == "${TRYGG_BACKUP_INCREMENTAL_EVERY:-86400}"
    assert "TRYGG_BACKUP_FAILING_SECONDS" in services["app"]["environment"]


def test_the_hotspot_recompute_runs_in_a_service_of_its_own() -> None:
    services = compose()["services"]
    worker, app = services["hotspots"], services["app"]
    assert worker["command"] == ["python", "-m", "app", "hotspot-worker"]
    assert worker["restart"] == "unless-stopped"
    # The same database, and a server that only reads runs and wakes the worker.
    assert worker["environment"]["DATABASE_URL"] == app["environment"]["DATABASE_URL"]
    assert app["environment"]["TRYGG_HOTSPOT_WORKER_PROCESS"] == "true"
    # Not behind the app's health check, which can fail for reasons of its own;
    # the worker waits for the migrations itself.
    assert worker["depends_on"]["app"]["condition"] == "service_started"


def write_conf(tmp_path: Path, **env: str) -> str:
    conf = tmp_path / "etc" / "pgbackrest.conf"
    subprocess.run(
        ["sh", str(SCRIPT)],
        env={
            "PATH": os.environ["PATH"],
            "KEY_FILE": str(tmp_path / "key" / "backup.key"),
            "PGBACKREST_CONF": str(conf),
            **env,
        },
        check=True,
    )
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    return conf.read_text()


def cipher_pass(conf: str) -> str:
    return next(line for line in conf.splitlines() if line.startswith("repo1-cipher-pass="))


def test_the_backup_key_is_generated_once_kept_and_private(tmp_path: Path) -> None:
    (tmp_path / "key").mkdir()
    first = write_conf(tmp_path)
    key = tmp_path / "key" / "backup.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) >= 40
    # A restart (or the backup container reading the same volume) keeps the key.
    assert cipher_pass(write_conf(tmp_path)) == cipher_pass(first)
    assert "repo1-cipher-type=aes-256-cbc" in first
    # An operator's own key wins over the generated one.
    own = write_conf(tmp_path, TRYGG_BACKUP_KEY="operators-own-backup-key-0123456789")
    assert cipher_pass(own) == "repo1-cipher-pass=operators-own-backup-key-0123456789"
