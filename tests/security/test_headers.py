"""Security headers, CSP nonces, request ids, closed CORS and switchable /docs."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from app.config import Settings

AppFactory = Callable[..., TestClient]


@pytest.fixture
def make_client(settings: Settings) -> Iterator[AppFactory]:
    from app.main import create_app

    opened: list[TestClient] = []

    def make(**changes: object) -> TestClient:
        app: FastAPI = create_app(settings.model_copy(update=changes))

        @app.get("/test-nonce", include_in_schema=False)
        async def nonce(request: Request) -> dict[str, str]:
            return {"nonce": request.state.csp_nonce}

        @app.get("/test-boom", include_in_schema=False)
        async def boom() -> None:
            raise RuntimeError("secret internals /etc/passwd")

        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


def _csp(headers: object) -> dict[str, str]:
    policy = headers["content-security-policy"]  # type: ignore[index]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def test_every_response_carries_the_security_headers(make_client: AppFactory) -> None:
    client = make_client()
    for answer in (
        client.get("/healthz"),
        client.get("/no-such-page"),
        client.post("/api/v1/reports", content=b"{", headers={"content-type": "application/json"}),
        client.get("/staff/login"),
        client.get("/test-boom"),
    ):
        headers = answer.headers
        csp = _csp(headers)
        assert csp["object-src"] == "'none'"
        assert csp["base-uri"] == "'none'"
        assert csp["frame-ancestors"] == "'none'"
        assert "'unsafe-inline'" not in csp["script-src"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]
        assert "strict-transport-security" not in headers  # plain http here
        assert re.fullmatch(r"[0-9a-f]{32}", headers["x-request-id"])


def test_each_response_gets_its_own_nonce(make_client: AppFactory) -> None:
    client = make_client()
    one, two = client.get("/test-nonce"), client.get("/test-nonce")
    assert one.json()["nonce"] != two.json()["nonce"]
    for answer in (one, two):
        assert f"'nonce-{answer.json()['nonce']}'" in _csp(answer.headers)["script-src"]


def test_a_500_carries_a_request_id_and_no_trace(make_client: AppFactory) -> None:
    client = make_client()
    answer = client.get("/test-boom")
    assert answer.status_code == 500
    request_id = answer.headers["x-request-id"]
    assert request_id in answer.json()["detail"]
    assert "secret internals" not in answer.text and "Traceback" not in answer.text


def test_hsts_when_served_over_https(make_client: AppFactory) -> None:
    client = make_client(https=True)
    assert "max-age=" in client.get("/healthz").headers["strict-transport-security"]


def test_cors_is_closed_unless_configured(make_client: AppFactory) -> None:
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    closed = make_client()
    answer = closed.options("/api/v1/reports", headers=preflight)
    assert "access-control-allow-origin" not in answer.headers
    get = closed.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers

    opened = make_client(cors_origins="https://kommun.example")
    allowed = opened.options(
        "/api/v1/reports", headers={**preflight, "Origin": "https://kommun.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://kommun.example"
    other = opened.options("/api/v1/reports", headers=preflight)
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_docs_can_be_turned_off(make_client: AppFactory) -> None:
    assert make_client().get("/docs").status_code == 200
    off = make_client(docs_enabled=False)
    assert off.get("/docs").status_code == 404
    assert off.get("/openapi.json").status_code == 404
