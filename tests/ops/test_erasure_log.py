"""The erasure log: written before a withdrawal is acknowledged, replayed idempotently."""

from __future__ import annotations

import asyncio
import uuid

import orjson
from fastapi.testclient import TestClient

from app.config import Settings
from app.db.pool import Database
from app.services import erasure
from tests.conftest import Sql, point_feature

INSERT = (
    "INSERT INTO reports (id, channel, reasons, times, description, geom) "
    "VALUES (%s, 'api', ARRAY['lighting'], ARRAY['night'], %s, "
    "ST_SetSRID(ST_Point(12.3234, 58.3808), 4326))"
)


def replay(settings: Settings) -> erasure.Replayed:
    async def run() -> erasure.Replayed:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            return await erasure.replay(db, settings)
        finally:
            await db.close()

    return asyncio.run(run())


def logged(settings: Settings) -> list[dict[str, str]]:
    return [orjson.loads(line) for line in settings.erasure_log.read_bytes().splitlines()]


def test_a_withdrawal_is_logged_and_a_restored_copy_is_deleted_again(
    client: TestClient, settings: Settings, sql: Sql
) -> None:
    replay(settings)  # start from the end of whatever earlier tests logged
    filed = client.post("/api/v1/reports", json=point_feature()).json()
    gone = client.delete(f"/api/v1/reports/{filed['id']}", headers={"X-Receipt": filed["receipt"]})
    assert gone.status_code == 204
    entry = logged(settings)[-1]
    assert entry["id"] == filed["id"] and entry["kind"] == "withdrawn" and entry["at"]

    # A wrong receipt is not an erasure.
    other = client.post("/api/v1/reports", json=point_feature()).json()
    wrong = client.delete(f"/api/v1/reports/{other['id']}", headers={"X-Receipt": "0000-0000-0000"})
    assert wrong.status_code == 404
    assert logged(settings)[-1]["id"] == filed["id"]

    # As if a restore brought it back: the replay removes it, once.
    sql.all(INSERT, (filed["id"], None))
    assert replay(settings).deleted == 1
    assert sql.all("SELECT id FROM reports WHERE id = %s", (filed["id"],)) == []
    assert replay(settings).entries == 0


def test_a_purged_text_is_cleared_again_and_a_torn_line_waits(
    client: TestClient, settings: Settings, sql: Sql
) -> None:
    replay(settings)
    rid = uuid.uuid4()
    sql.all(INSERT, (str(rid), "en text som retention har rensat"))
    erasure.append(settings.erasure_log, erasure.PURGED_TEXT, [rid])
    with settings.erasure_log.open("ab") as fh:
        fh.write(b'{"id": "half a li')  # a crash in the middle of an append
    done = replay(settings)
    assert (done.entries, done.cleared) == (1, 1)
    assert sql.all("SELECT description FROM reports WHERE id = %s", (str(rid),)) == [
        {"description": None}
    ]
    later = uuid.uuid4()
    sql.all(INSERT, (str(later), "nästa"))
    erasure.append(settings.erasure_log, erasure.PURGED_TEXT, [later])
    done = replay(settings)  # the torn line is skipped, the next entry applied
    assert (done.entries, done.cleared) == (1, 1)
