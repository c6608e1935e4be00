"""Reports are accepted only inside the configured service area (another town's file)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import Sql, point_feature

# A small square around Trollhättan's centre, for the test only.
TROLLHATTAN = [[12.27, 58.27], [12.31, 58.27], [12.31, 58.29], [12.27, 58.29], [12.27, 58.27]]


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "area.geojson"
    path.write_text(json.dumps(data))
    return path


def test_reports_follow_the_configured_area(
    tmp_path: Path, settings: Settings, sql: Sql, clean_db: None
) -> None:
    path = _write(tmp_path, {"type": "Polygon", "coordinates": [TROLLHATTAN]})
    other_town = settings.model_copy(update={"service_area": path})
    with TestClient(create_app(other_town)) as client:
        inside = client.post("/api/v1/reports", json=point_feature(12.29, 58.28))
        assert inside.status_code == 201, inside.text
        vanersborg = client.post("/api/v1/reports", json=point_feature())
        assert vanersborg.status_code == 422
        assert "outside the service area" in vanersborg.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM reports") == 1
