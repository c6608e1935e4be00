"""Issue 11, logs: the access log never ties an address to a report, JSON in
production, and every line carries the request id of X-Request-ID."""

from __future__ import annotations

import argparse
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Environment, LogAddress, Settings
from app.security import logs

RESIDENT = ("203.0.113.7", 40123)


@pytest.fixture
def resident_client(settings: Settings, clean_db: None) -> Iterator[Any]:
    from app.main import create_app

    def make(**changes: Any) -> TestClient:
        app = create_app(settings.model_copy(update=changes))
        return TestClient(app, client=RESIDENT)

    yield make


def _withdraw(client: TestClient, caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    report_id = uuid.uuid4()
    with client, caplog.at_level(logging.INFO, logger="app.access"):
        answer = client.delete(f"/api/v1/reports/{report_id}", headers={"X-Receipt": "ABCD"})
    assert answer.status_code == 404
    records = [r for r in caplog.records if r.name == "app.access"]
    assert len(records) == 1
    record = records[0]
    assert str(report_id) in record.getMessage()
    assert record.request_id == answer.headers["x-request-id"]  # type: ignore[attr-defined]
    return record


def test_the_access_log_has_no_address_by_default(
    resident_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    record = _withdraw(resident_client(), caplog)
    assert "203.0.113" not in record.getMessage()
    assert "203.0.113" not in json.dumps(vars(record), default=str)


def test_a_truncated_or_full_address_only_when_configured(
    resident_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    record = _withdraw(resident_client(log_client_address=LogAddress.truncated), caplog)
    assert "203.0.113.0/24" in record.getMessage() and "203.0.113.7" not in record.getMessage()
    caplog.clear()
    record = _withdraw(resident_client(log_client_address=LogAddress.full), caplog)
    assert "203.0.113.7" in record.getMessage()
    assert logs.address_for_log("2001:db8:1:2::5", LogAddress.truncated) == "2001:db8:1::/48"


def test_serve_turns_off_uvicorns_access_log(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from app.cli import cmd_serve

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    production = settings.model_copy(update={"env": Environment.production})
    cmd_serve(argparse.Namespace(host=None, port=None), production)
    assert seen["access_log"] is False and seen["proxy_headers"] is False
    config = seen["log_config"]
    assert config["handlers"]["default"]["formatter"] == "json"
    assert config["loggers"]["uvicorn.access"]["level"] == "CRITICAL"
    cmd_serve(argparse.Namespace(host=None, port=None), settings)
    assert seen["log_config"]["handlers"]["default"]["formatter"] == "text"


def test_json_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "slow %s", ("query",), None)
    token = logs.REQUEST_ID.set("req-12345678")
    try:
        logs.RequestIdFilter().filter(record)
    finally:
        logs.REQUEST_ID.reset(token)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "slow query" and line["request_id"] == "req-12345678"
    assert line["level"] == "WARNING" and line["logger"] == "app"
