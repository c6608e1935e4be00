"""Anonymous hotspot reads are answered from memory for a moment; staff always see the database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.web.answer_cache import AnswerCache
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


def test_an_expired_answer_is_refreshed_by_one_request_while_others_get_the_last() -> None:
    cache = AnswerCache(0.05)
    assert cache.get("k") is None  # nothing yet: this caller builds the answer
    cache.put("k", b"one", '"1"', False)
    assert cache.get("k") is not None
    time.sleep(0.1)
    assert cache.get("k") is None  # expired: this caller refreshes it...
    last = cache.get("k")  # ...and meanwhile the others get the last answer
    assert last is not None and last.body == b"one"
    cache.put("k", b"two", '"2"', False)
    fresh = cache.get("k")
    assert fresh is not None and fresh.body == b"two"


def test_a_failed_refresh_lets_the_next_request_try() -> None:
    cache = AnswerCache(0.05)
    cache.put("k", b"one", '"1"', False)
    time.sleep(0.1)
    assert cache.get("k") is None
    cache.drop("k")  # the refresh failed
    assert cache.get("k") is None  # the next request refreshes, it is not served the old one
