"""Issue 11, idempotency: stored replays are sealed, expire, and are purged."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.security import replays
from tests.conftest import Sql, point_feature


@pytest.fixture
def no_purge(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replays, "PURGE_EVERY_SECONDS", float("inf"))


def _post(client: TestClient, key: str) -> object:
    return client.post(
        "/api/v1/reports",
        json=point_feature(client_token="device-replays-1"),
        headers={"Idempotency-Key": key},
    )


def test_the_stored_answer_does_not_hold_the_receipt(
    client: TestClient, sql: Sql, settings: Settings
) -> None:
    key = "k-" + uuid.uuid4().hex
    first = _post(client, key).json()  # type: ignore[attr-defined]
    stored = sql.scalar("SELECT response::text FROM idempotency_keys")
    assert first["receipt"] not in stored and first["id"] not in stored
    replay = _post(client, key)
    assert replay.headers["idempotent-replayed"] == "true"  # type: ignore[attr-defined]
    assert replay.json() == first  # type: ignore[attr-defined]


def test_a_replay_after_expiry_is_a_new_request(
    client: TestClient, sql: Sql, settings: Settings, no_purge: None
) -> None:
    key = "k-" + uuid.uuid4().hex
    first = _post(client, key).json()  # type: ignore[attr-defined]
    sql.all(
        "UPDATE idempotency_keys SET created_at = now() - make_interval(hours => %s + 1)",
        (settings.idempotency_hours,),
    )
    again = _post(client, key)
    assert again.status_code == 201  # type: ignore[attr-defined]
    assert "idempotent-replayed" not in again.headers  # type: ignore[attr-defined]
    assert again.json()["id"] != first["id"]  # type: ignore[attr-defined]
    assert sql.scalar("SELECT count(*) FROM reports") == 2
    # The key now answers with the new report.
    assert _post(client, key).json() == again.json()  # type: ignore[attr-defined]


def test_expired_keys_are_purged_on_write(
    client: TestClient, sql: Sql, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replays, "_last_purge", {"at": float("-inf")})
    sql.all(
        "INSERT INTO idempotency_keys (key_hash, request_hash, status_code, response, created_at) "
        "VALUES ('\\x01', '\\x02', 201, '{}', now() - make_interval(hours => %s + 1)), "
        "('\\x03', '\\x04', 201, '{}', now())",
        (settings.idempotency_hours,),
    )
    assert _post(client, "k-" + uuid.uuid4().hex).status_code == 201  # type: ignore[attr-defined]
    kept = sql.all("SELECT key_hash FROM idempotency_keys ORDER BY created_at")
    assert len(kept) == 2 and bytes(kept[0]["key_hash"]) == b"\x03"
    # Not on every write: the next purge waits PURGE_EVERY_SECONDS.
    sql.all(
        "UPDATE idempotency_keys SET created_at = now() - make_interval(hours => %s + 1) "
        "WHERE key_hash = '\\x03'",
        (settings.idempotency_hours,),
    )
    assert _post(client, "k-" + uuid.uuid4().hex).status_code == 201  # type: ignore[attr-defined]
    assert sql.scalar("SELECT count(*) FROM idempotency_keys") == 3
