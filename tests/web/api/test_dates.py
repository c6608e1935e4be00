"""Dates mean the same on every endpoint: a bare date is midnight in Europe/Stockholm.

Four groups of reports are filed around Swedish midnight at the start and end
of 1 May 2026 (UTC+2), at places far apart and with different numbers of
people, so each endpoint's answer shows which groups it counted. Under UTC
midnights the answers would differ: "early" lies on 30 April in UTC, "after"
on 1 May.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from tests.conftest import Sql
from tests.services.test_hotspots import add_reports, people, place

Headers = Callable[..., dict[str, str]]

# Name -> (when, people, east of the town centre in metres).
GROUPS: dict[str, tuple[datetime, int, float]] = {
    "before": (datetime(2026, 4, 30, 21, 30, tzinfo=UTC), 5, 0.0),  # 30 April 23:30 Swedish
    "early": (datetime(2026, 4, 30, 22, 30, tzinfo=UTC), 6, 500.0),  # 1 May 00:30
    "late": (datetime(2026, 5, 1, 21, 30, tzinfo=UTC), 7, 1000.0),  # 1 May 23:30
    "after": (datetime(2026, 5, 1, 22, 30, tzinfo=UTC), 8, 1500.0),  # 2 May 00:30
}
SIZE = {size: name for name, (_, size, _) in GROUPS.items()}

# Query -> the groups it selects.
CASES: list[tuple[str, set[str]]] = [
    ("since=2026-05-01", {"early", "late", "after"}),
    ("until=2026-05-01", {"before", "early", "late"}),
    ("since=2026-05-01&until=2026-05-01", {"early", "late"}),
    # A date-time without a zone is Swedish time too.
    ("since=2026-05-01T00:00:00&until=2026-05-02T00:00:00", {"early", "late"}),
    # With a zone it means what it says.
    ("since=2026-05-01T00:00:00Z", {"late", "after"}),
    ("until=2026-05-01T22:00:00%2B00:00", {"before", "early", "late"}),
]

MAP_VIEW = "bbox=12.30,58.37,12.40,58.40&zoom=15"
STAFF_ENDPOINTS = [
    "/api/v1/hotspots?",
    "/api/v1/hotspots/export?format=geojson&",
    "/api/v1/reports?",
    f"/api/v1/map/reports?{MAP_VIEW}&",
    f"/api/v1/map/heat?{MAP_VIEW}&",
    "/api/v1/audit?",
]


@pytest.fixture
def groups(client: TestClient, sql: Sql) -> None:
    rng = np.random.default_rng(5)
    for name, (when, size, east) in GROUPS.items():
        add_reports(sql, place(east, 0, size, rng, 5), people(name, size), created_at=when)


def _by_time(sql: Sql, ids: list[str]) -> set[str]:
    """The groups of these report ids, by when they were made."""
    rows = sql.all("SELECT DISTINCT created_at FROM reports WHERE id = ANY(%s::uuid[])", (ids,))
    names = {when: name for name, (when, _, _) in GROUPS.items()}
    return {names[row["created_at"]] for row in rows}


def _hotspot_groups(body: dict[str, Any]) -> set[str]:
    return {SIZE[f["properties"]["reporters"]] for f in body["features"]}


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_every_report_endpoint_reads_dates_as_swedish_midnights(
    client: TestClient,
    sql: Sql,
    staff_headers: Headers,
    groups: None,
    query: str,
    expected: set[str],
) -> None:
    planner = staff_headers("planner")

    def get(url: str) -> dict[str, Any]:
        answer = client.get(url + query, headers=planner)
        assert answer.status_code == 200, f"{url}{query}: {answer.text}"
        body: dict[str, Any] = answer.json()
        return body

    assert _hotspot_groups(get("/api/v1/hotspots?")) == expected, "hotspots"
    exported = get("/api/v1/hotspots/export?format=geojson&")
    assert _hotspot_groups(exported) == expected, "hotspot export"
    staff = get("/api/v1/reports?limit=1000&")
    assert _by_time(sql, [f["id"] for f in staff["features"]]) == expected, "staff reports"
    markers = get(f"/api/v1/map/reports?{MAP_VIEW}&")
    assert markers["mode"] == "markers"
    assert _by_time(sql, [f["id"] for f in markers["features"]]) == expected, "map reports"
    heat = get(f"/api/v1/map/heat?{MAP_VIEW}&")
    people_counted = sum(point[2] for point in heat["points"])
    assert people_counted == sum(GROUPS[name][1] for name in expected), "map heat"


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_the_audit_log_reads_dates_as_swedish_midnights(
    client: TestClient, sql: Sql, staff_headers: Headers, query: str, expected: set[str]
) -> None:
    admin = staff_headers("admin")
    for name, (when, _, _) in GROUPS.items():
        sql.all(
            "INSERT INTO audit_log (at, actor, via, action, target) "
            "VALUES (%s, 'dates@example.se', 'test', 'dates:test', %s)",
            (when, name),
        )
    answer = client.get(f"/api/v1/audit?action=dates:test&{query}", headers=admin)
    assert answer.status_code == 200, answer.text
    assert {e["target"] for e in answer.json()["entries"]} == expected


@pytest.mark.parametrize("url", STAFF_ENDPOINTS)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31", "until"),
        ("since=0001-01-01", "since"),
        ("since=9999-12-31T23:59:59", "since"),
        ("until=0001-01-01T00:00:00Z", "until"),
        ("since=yesterday", "since"),
    ],
)
def test_dates_out_of_range_are_422s_naming_the_field(
    client: TestClient, staff_headers: Headers, url: str, query: str, field: str
) -> None:
    headers = staff_headers("admin" if "audit" in url else "planner")
    answer = client.get(url + query, headers=headers)
    assert answer.status_code == 422, f"{url}{query}: {answer.status_code} {answer.text}"
    assert answer.json()["detail"].startswith(f"{field}: "), answer.text
