"""Every 4xx answers `{detail, errors: [{field, message}]}` in plain words; NUL never hits SQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import Sql, point_feature

Headers = Callable[..., dict[str, str]]
RAW_PYDANTIC = ("Extra inputs are not permitted", "Input should be", "input is too short")


def error_of(answer: Any, status: int) -> list[dict[str, str]]:
    """The answer's `errors`, after checking the status and the one error shape."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert isinstance(body["detail"], str) and body["detail"]
    errors = body["errors"]
    assert errors and all(set(e) == {"field", "message"} for e in errors), body
    assert all(e["field"] and e["message"] for e in errors), body
    for text in [body["detail"], *(e["message"] for e in errors)]:
        assert not any(raw in text for raw in RAW_PYDANTIC), text
    return list(errors)


def fields(answer: Any, status: int) -> set[str]:
    return {e["field"] for e in error_of(answer, status)}


def test_400_413_415_and_404_have_the_shape(client: TestClient, settings: Settings) -> None:
    bad_json = client.post(
        "/api/v1/reports", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert fields(bad_json, 400) == {"body"}
    too_big = client.post(
        "/api/v1/reports",
        content=b" " * (settings.max_body_bytes + 1),
        headers={"Content-Type": "application/json"},
    )
    assert fields(too_big, 413) == {"body"}
    not_json = client.post(
        "/api/v1/reports", content=b"a=b", headers={"Content-Type": "text/plain"}
    )
    assert fields(not_json, 415) == {"Content-Type"}
    assert fields(client.get("/api/v1/nothing-here"), 404) == {"path"}
    assert fields(client.get("/api/v1/users"), 401) == {"Authorization"}


def test_model_errors_are_plain_words(client: TestClient, staff_headers: Headers) -> None:
    admin = staff_headers("admin")
    extra = client.post(
        "/api/v1/users",
        json={"email": "a@example.se", "roles": ["planner"], "password": "x" * 12, "colour": 1},
        headers=admin,
    )
    errors = error_of(extra, 422)
    assert {"field": "colour", "message": errors[0]["message"]} in errors
    assert "not an accepted field" in errors[0]["message"]
    police = staff_headers("police")
    plan = client.post(
        "/api/v1/patrol-plans/00000000-0000-4000-8000-000000000000/runs",
        json={"carried_out_on": "x"},
        headers=police,
    )
    error_of(plan, 404)
    query = client.get("/api/v1/moderation/queue?limit=zero", headers=staff_headers("moderator"))
    assert fields(query, 422) == {"limit"}


def test_planning_422s_have_the_shape(client: TestClient, staff_headers: Headers) -> None:
    police = staff_headers("police")
    window = {"days": ["fri"], "start": "20:00", "end": "02:00"}
    both = client.post(
        "/api/v1/patrol-plans",
        json={"window": window, "top": 3, "hotspot_ids": ["a"]},
        headers=police,
    )
    error_of(both, 422)
    bad_window = client.post(
        "/api/v1/patrol-plans", json={"window": {"days": ["someday"]}}, headers=police
    )
    error_of(bad_window, 422)


def test_a_swapped_patrol_start_gets_a_hint(client: TestClient, staff_headers: Headers) -> None:
    answer = client.post(
        "/api/v1/patrol-plans",
        json={
            "window": {"days": ["fri"], "start": "20:00", "end": "02:00"},
            "start": [58.38, 12.32],
        },
        headers=staff_headers("police"),
    )
    errors = error_of(answer, 422)
    assert errors[0]["field"] == "start"
    assert "swapped" in errors[0]["message"]


@pytest.mark.parametrize(
    ("path", "role"),
    [("/api/v1/hotspots", None), ("/api/v1/reports", "police")],
)
def test_a_swapped_bbox_gets_a_hint(
    client: TestClient, staff_headers: Headers, path: str, role: str | None
) -> None:
    headers = staff_headers(role) if role else {}
    answer = client.get(path, params={"bbox": "58.37,12.30,58.39,12.34"}, headers=headers)
    errors = error_of(answer, 422)
    assert errors[0]["field"] == "bbox"
    assert "swapped" in errors[0]["message"]
    # A box elsewhere that is not a swap of the area is simply empty.
    assert client.get(path, params={"bbox": "10,50,11,51"}, headers=headers).status_code == 200


def test_an_unencoded_plus_in_a_date_time_gets_a_hint(client: TestClient) -> None:
    answer = client.get("/api/v1/hotspots?since=2026-05-01T20:00:00+02:00")
    errors = error_of(answer, 422)
    assert errors[0]["field"] == "since"
    assert "%2B" in errors[0]["message"]


@pytest.mark.parametrize(
    ("query", "field"), [("until=9999-12-31", "until"), ("since=0001-01-01", "since")]
)
def test_far_dates_are_422_naming_the_parameter(client: TestClient, query: str, field: str) -> None:
    assert fields(client.get(f"/api/v1/hotspots?{query}"), 422) == {field}


# --- NUL ------------------------------------------------------------------------


@pytest.fixture
def limited(settings: Settings, clean_db: None) -> Iterator[TestClient]:
    """The API with the per-device rate limit on."""
    from app.main import create_app

    changed = settings.model_copy(update={"rate_limit_client_per_hour": 2})
    with TestClient(create_app(changed), raise_server_exceptions=False) as client:
        yield client


def test_nul_in_a_report_is_422_and_costs_no_rate_limit_hit(limited: TestClient, sql: Sql) -> None:
    token = "nul-device-1"
    for where in ("description", "suggestion"):
        body = point_feature(client_token=token, **{where: "a\u0000b"})
        assert fields(limited.post("/api/v1/reports", json=body), 422) == {f"properties.{where}"}
    assert sql.scalar("SELECT count(*) FROM rate_counters") == 0
    # The device may still file its two reports this hour.
    for _ in range(2):
        ok = limited.post("/api/v1/reports", json=point_feature(client_token=token))
        assert ok.status_code == 201, ok.text
    assert sql.scalar("SELECT count(*) FROM reports") == 2


def test_nul_in_any_json_body_names_the_field(client: TestClient, staff_headers: Headers) -> None:
    answer = client.post(
        "/api/v1/sites",
        json={"name": "x\u0000", "geometry": None},
        headers=staff_headers("planner"),
    )
    assert fields(answer, 422) == {"name"}
    nested = client.post(
        "/api/v1/moderation/reports/00000000-0000-4000-8000-000000000000/redact",
        json={"remove": ["ok", "b\u0000d"]},
        headers=staff_headers("moderator"),
    )
    assert fields(nested, 422) == {"remove.1"}


def test_nul_in_a_query_string_names_the_parameter(
    client: TestClient, staff_headers: Headers
) -> None:
    assert fields(client.get("/api/v1/hotspots?reasons=light%00ing"), 422) == {"reasons"}
    audit = client.get("/api/v1/audit?actor=a%00b", headers=staff_headers("admin"))
    assert fields(audit, 422) == {"actor"}


def test_nul_in_a_form_names_the_field(client: TestClient, settings: Settings) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    login = client.post(
        "/staff/login", content=b"email=a%00b%40example.se&password=x&csrf_token=y", headers=form
    )
    assert fields(login, 422) == {"email"}
    raw = client.post("/staff/login", content=b"email=a&body=x\x00y", headers=form)
    assert fields(raw, 422) == {"body"}
    multipart = client.post(
        "/staff/login",
        data={"email": "a@example.se", "password": "p\x00w"},
        files={"unused": ("a.txt", b"text")},
    )
    assert fields(multipart, 422) == {"password"}
    too_big = client.post(
        "/staff/login", content=b"a=" + b"x" * settings.form_max_bytes, headers=form
    )
    assert fields(too_big, 413) == {"body"}
    # Open311 answers in its own error list, in the format asked for.
    open311 = client.post(
        "/open311/v2/requests.json",
        content=b"api_key=k&service_code=light&description=a%00b&lat=58.38&long=12.32",
        headers=form,
    )
    assert open311.status_code == 400, open311.text
    [problem] = open311.json()
    assert problem["code"] == 400 and problem["description"].startswith("description: ")
    assert "NUL" in problem["description"]
    as_xml = client.post(
        "/open311/v2/requests.xml", content=b"description=a%00b&lat=58.38", headers=form
    )
    assert as_xml.status_code == 400 and "<code>400</code>" in as_xml.text
    assert "<description>description: " in as_xml.text
