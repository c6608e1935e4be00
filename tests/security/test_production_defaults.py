"""Issue 11, production defaults: no /docs unless asked, private secret files,
a persisted key and no demo data in the container unless asked."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Environment, Settings, write_secret_once
from tests.conftest import TEST_SECRET
from tests.ops.conftest import _pgcluster

ROOT = Path(__file__).resolve().parents[2]


def _docs_status(**fields: object) -> int:
    from app.main import create_app

    settings = Settings(database_url="", secret_key=TEST_SECRET, **fields)  # type: ignore[arg-type]
    return TestClient(create_app(settings)).get("/openapi.json").status_code


def test_docs_are_off_in_production_unless_enabled() -> None:
    assert _docs_status(env=Environment.development) == 200
    assert _docs_status(env=Environment.production) == 404
    assert _docs_status(env=Environment.production, docs_enabled=True) == 200
    assert _docs_status(env=Environment.development, docs_enabled=False) == 404


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_secret_key_file_is_private_from_the_start(tmp_path: Path) -> None:
    local = tmp_path / ".local"
    path = local / "secret_key"
    values: list[str] = []
    threads = [
        threading.Thread(target=lambda i=i: values.append(write_secret_once(path, f"key-{i}")))
        for i in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(values)) == 1  # every starter got the same key
    assert _mode(path) == 0o600 and _mode(local) == 0o700
    assert [p.name for p in local.iterdir()] == ["secret_key"]  # no temporary left
    assert write_secret_once(path, "another") == values[0]


def test_a_new_secret_keeps_the_database_users_way_through_local(tmp_path: Path) -> None:
    """The cluster set-up lets the database user's group pass through .local (0710);
    writing the secret key must not take that away, or WAL archiving stops."""
    local = tmp_path / ".local"
    local.mkdir(mode=0o755)
    local.chmod(0o710)
    write_secret_once(local / "secret_key", "key")
    assert _mode(local) == 0o710 and _mode(local / "secret_key") == 0o600


def test_the_cluster_password_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "password"
    _pgcluster()._write_secret(path, "s3cret\n")
    assert _mode(path) == 0o600 and path.read_text() == "s3cret\n"


@pytest.mark.parametrize("name", ["Dockerfile", "docker-compose.yml"])
def test_the_container_keeps_its_key_and_loads_demo_data_only_when_asked(name: str) -> None:
    text = (ROOT / name).read_text()
    if name == "Dockerfile":
        command = next(line for line in text.splitlines() if line.startswith("CMD"))
        assert 'if [ \\"${LOAD_DEMO_DATA:-0}\\" = 1 ]; then python -m app demo-data' in command
        assert "chmod 700 .local" in text
    else:
        assert "- appstate:/srv/trygg/.local" in text and "\n  appstate:\n" in text
        assert "LOAD_DEMO_DATA: ${LOAD_DEMO_DATA:-0}" in text
