"""Rate limits on filing reports, kept in PostgreSQL under keyed hashes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.db.pool import Database
from app.repo.rate_counters import (
    coordinated_reporters,
    coordination_by_group,
    possibly_coordinated,
)
from app.security.keyed import reporter_hash
from tests.conftest import TEST_SECRET, Sql, point_feature

ClientFactory = Callable[..., TestClient]


@pytest.fixture
def limited(settings: Settings, clean_db: None) -> Iterator[ClientFactory]:
    """Apps with the rate limits on (the shared test settings turn them off)."""
    from app.main import create_app

    opened: list[TestClient] = []

    def make(peer: str = "testclient", **changes: object) -> TestClient:
        values = {"rate_limit_client_per_hour": 3, "rate_limit_address_per_hour": 5, **changes}
        client = TestClient(create_app(settings.model_copy(update=values)), client=(peer, 5000))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def test_one_device_is_limited_per_hour(limited: ClientFactory, sql: Sql) -> None:
    client = limited()
    for _ in range(3):
        assert (
            client.post("/api/v1/reports", json=point_feature(client_token="device-1")).status_code
            == 201
        )
    refused = client.post("/api/v1/reports", json=point_feature(client_token="device-1"))
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "nothing was stored" in refused.json()["detail"]
    assert sql.scalar("SELECT count(*) FROM reports") == 3
    # Another device on the same address may still report.
    assert (
        client.post("/api/v1/reports", json=point_feature(client_token="device-2")).status_code
        == 201
    )


def test_one_address_is_limited_per_hour(limited: ClientFactory, sql: Sql) -> None:
    client = limited()
    answers = [client.post("/api/v1/reports", json=point_feature()).status_code for _ in range(6)]
    assert answers == [201] * 5 + [429]
    assert sql.scalar("SELECT count(*) FROM reports") == 5


def test_zero_turns_a_limit_off(limited: ClientFactory) -> None:
    client = limited(rate_limit_client_per_hour=0, rate_limit_address_per_hour=0)
    answers = {
        client.post("/api/v1/reports", json=point_feature(client_token="same-device")).status_code
        for _ in range(6)
    }
    assert answers == {201}


def test_forwarded_for_counts_only_behind_a_trusted_proxy(limited: ClientFactory, sql: Sql) -> None:
    proxy = limited(peer="10.0.0.2", trusted_proxies="10.0.0.0/8")
    for i in range(5):
        headers = {"X-Forwarded-For": "203.0.113.7, 10.0.0.9"}
        assert (
            proxy.post("/api/v1/reports", json=point_feature(), headers=headers).status_code == 201
        ), i
    blocked = proxy.post(
        "/api/v1/reports", json=point_feature(), headers={"X-Forwarded-For": "203.0.113.7"}
    )
    assert blocked.status_code == 429
    other = proxy.post(
        "/api/v1/reports", json=point_feature(), headers={"X-Forwarded-For": "198.51.100.1"}
    )
    assert other.status_code == 201

    # Without trust, a client cannot dodge the limit by inventing addresses.
    direct = limited(peer="192.0.2.50")
    codes = [
        direct.post(
            "/api/v1/reports", json=point_feature(), headers={"X-Forwarded-For": f"198.51.100.{i}"}
        ).status_code
        for i in range(6)
    ]
    assert codes[-1] == 429

    # No network address is stored anywhere, only keyed hashes that expire.
    for table in ("reports", "rate_counters", "reporter_first_seen"):
        dump = str(sql.all(f"SELECT * FROM {table}"))  # noqa: S608 - fixed table names
        assert "203.0.113" not in dump and "192.0.2.50" not in dump
    assert sql.scalar("SELECT count(*) FROM rate_counters WHERE expires_at <= now()") == 0


def test_tokens_first_seen_together_are_flagged(
    limited: ClientFactory, settings: Settings, sql: Sql
) -> None:
    farm = limited(peer="192.0.2.10", rate_limit_address_per_hour=0)
    lone = limited(peer="198.51.100.99")  # another /24
    for i in range(4):
        farm.post("/api/v1/reports", json=point_feature(client_token=f"sock-puppet-{i}"))
    lone.post("/api/v1/reports", json=point_feature(client_token="honest-resident"))
    key = TEST_SECRET.encode()
    puppets = [reporter_hash(key, f"sock-puppet-{i}") for i in range(4)]
    honest = reporter_hash(key, "honest-resident")

    async def check() -> tuple[set[bytes], bool, bool]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            flagged = await coordinated_reporters(db, [*puppets, honest])
            many = await possibly_coordinated(db, [*puppets, honest])
            few = await possibly_coordinated(db, [puppets[0], honest])
            batch = await coordination_by_group(
                db, {"farm": [*puppets, honest], "mixed": [puppets[0], honest]}
            )
            assert batch == {"farm": many, "mixed": few}
            return flagged, many, few
        finally:
            await db.close()

    flagged, many, few = asyncio.run(check())
    assert flagged == set(puppets)
    assert many is True and few is False
    # Seen far apart in time, the same address is not a coordinated group.
    sql.all(
        "UPDATE reporter_first_seen SET first_seen_at = now() - interval '1 day' * "
        "(row_number) FROM (SELECT reporter_hash AS h, row_number() OVER () FROM "
        "reporter_first_seen) n WHERE reporter_hash = n.h"
    )
    assert asyncio.run(check())[0] == set()
