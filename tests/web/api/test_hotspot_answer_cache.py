"""Anonymous hotspot reads are answered from memory for a moment; staff always see the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.web.answer_cache import Answer, AnswerCache
from tests.conftest import Sql, fresh_get
from tests.web.api.test_hotspots import seed

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def cached_client(settings: Settings, clean_db: None) -> Iterator[TestClient]:
    from app.main import create_app

    app = create_app(settings.model_copy(update={"public_hotspot_cache_seconds": 30}))
    with TestClient(app) as client:
        yield client


def test_a_read_spike_is_answered_from_memory_but_staff_see_changes_at_once(
    cached_client: TestClient, sql: Sql, staff_headers: Headers
) -> None:
    seed(sql)
    first = fresh_get(cached_client, "/api/v1/hotspots")
    assert first.status_code == 200 and len(first.json()["features"]) == 1
    # Every report gone: the public keep the answer they had (as a proxy would, for
    # Cache-Control max-age), with the same validator, so a revalidation is a 304.
    sql.all("DELETE FROM reports")
    again = cached_client.get("/api/v1/hotspots")
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    revalidated = cached_client.get(
        "/api/v1/hotspots", headers={"If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    staff = fresh_get(cached_client, "/api/v1/hotspots", staff_headers("planner"))
    assert staff.json()["features"] == []


class Builds:
    """A database stand-in for the cache's unit tests: counts builds, can be held or fail."""

    def __init__(self) -> None:
        self.count = 0
        self.fail = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self) -> Answer:
        self.count += 1
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("database away")
        return Answer(f"body {self.count}".encode(), f'"{self.count}"', False)


def test_an_expired_answer_is_refreshed_in_the_background_while_readers_get_the_last() -> None:
    async def scenario() -> None:
        cache, build = AnswerCache(0.05), Builds()
        first = await cache.answer("k", build)
        assert first.body == b"body 1" and build.count == 1
        assert (await cache.answer("k", build)).body == b"body 1" and build.count == 1
        await asyncio.sleep(0.1)
        build.gate.clear()  # the refresh is slow (a loaded database)
        # Expired: no reader waits; one refresh starts, every reader gets the last answer.
        answers = await asyncio.gather(*(cache.answer("k", build) for _ in range(20)))
        assert {a.body for a in answers} == {b"body 1"}
        # ... marked stale, so a map that asks again on Hotspots-Stale gets the new one.
        assert all(a.stale for a in answers)
        await asyncio.sleep(0.01)
        assert build.count == 2
        build.gate.set()
        await asyncio.sleep(0.01)
        fresh = await cache.answer("k", build)
        assert fresh.body == b"body 2" and not fresh.stale and build.count == 2

    asyncio.run(scenario())


def test_with_nothing_to_give_readers_wait_for_one_build() -> None:
    async def scenario() -> None:
        cache, build = AnswerCache(0.05), Builds()
        answers = await asyncio.gather(*(cache.answer("k", build) for _ in range(20)))
        assert {a.body for a in answers} == {b"body 1"} and build.count == 1

    asyncio.run(scenario())


def test_a_failed_refresh_lets_the_next_reader_try_and_an_old_answer_is_not_kept_forever() -> None:
    async def scenario() -> None:
        cache, build = AnswerCache(0.05, keep=0.3), Builds()
        await cache.answer("k", build)
        await asyncio.sleep(0.1)
        build.fail = True
        assert (await cache.answer("k", build)).body == b"body 1"  # refreshing fails behind
        await asyncio.sleep(0.01)
        assert (await cache.answer("k", build)).body == b"body 1"  # ... and is tried again
        await asyncio.sleep(0.01)
        assert build.count == 3
        await asyncio.sleep(0.3)
        # Past `keep` the reader waits for a build and gets its error (a 503 for a database away).
        with pytest.raises(RuntimeError):
            await cache.answer("k", build)
        build.fail = False
        assert (await cache.answer("k", build)).body == b"body 5"

    asyncio.run(scenario())


def test_with_the_cache_off_every_reader_builds() -> None:
    async def scenario() -> None:
        cache, build = AnswerCache(0), Builds()
        await cache.answer("k", build)
        await cache.answer("k", build)
        assert build.count == 2

    asyncio.run(scenario())
