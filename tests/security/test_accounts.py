"""Issue 11, accounts: an atomic login throttle, Argon2 off the event loop, no
lock-out by strangers, small form bodies, and sessions ending with a password."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.security.passwords import _hasher, verify_password
from app.security.tokens import api_token_hash, new_api_token
from tests.conftest import Sql, UserFactory, login
from tests.security.live import serve, serve_process

pytestmark = pytest.mark.timeout(180)


async def _login_token(client: httpx.AsyncClient) -> str:
    page = await client.get("/staff/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


async def _attempts(
    base: str, email: str, password: str, n: int, address: str | None = None
) -> list[int]:
    """`n` parallel logins with one form token; the status codes."""
    headers = {"X-Forwarded-For": address} if address else {}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120) as client:
        token = await _login_token(client)
        form = {"email": email, "password": password, "csrf_token": token}
        answers = await asyncio.gather(
            *(client.post("/staff/login", data=form, follow_redirects=False) for _ in range(n))
        )
    return [a.status_code for a in answers]


def test_forty_parallel_wrong_passwords_get_at_most_five_401s(
    settings: Settings, make_user: UserFactory
) -> None:
    email, _ = make_user(roles=["police"])
    with serve(settings) as base:
        codes = asyncio.run(_attempts(base, email, "wrong-password-1", 40))
    assert codes.count(401) <= settings.login_max_failures, codes
    assert codes.count(429) >= 40 - settings.login_max_failures
    assert set(codes) <= {401, 429}


def test_healthz_stays_fast_during_twenty_parallel_logins(
    settings: Settings, make_user: UserFactory, sql: Sql
) -> None:
    email, password = make_user(roles=["police"])
    # The real cost, not the cheap test profile: the stored hash names its parameters.
    full_cost = _hasher(False).hash(password)
    sql.all("UPDATE staff_users SET password_hash = %s WHERE email = %s", (full_cost, email))

    async def probe(client: httpx.AsyncClient, until: asyncio.Future[Any] | None) -> list[float]:
        latencies: list[float] = []
        while (until is None and len(latencies) < 60) or (until is not None and not until.done()):
            started = time.perf_counter()
            assert (await client.get("/healthz")).status_code == 200
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.005)
        return latencies

    async def run(base: str) -> tuple[list[int], list[float], list[float]]:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            idle = await probe(client, None)
            logins = asyncio.ensure_future(_attempts(base, email, password, 20))
            busy = await probe(client, logins)
        return await logins, idle, busy

    def p99(values: list[float]) -> float:
        return statistics.quantiles(values, n=100)[98]

    # The aim is a p99 under 100 ms. A machine busy with other work adds
    # its own delay to every answer (measured just before the logins) and slows
    # Argon2 itself: one verification here takes `one` seconds. Hashing on the
    # event loop would hold every /healthz for whole verifications, so a p99
    # under half of one verification still shows the loop is free.
    started = time.perf_counter()
    verify_password(full_cost, password)
    one = time.perf_counter() - started
    seen = []
    with serve_process(settings, TRYGG_LOGIN_MAX_FAILURES="1000") as base:
        for _ in range(2):  # a run spoiled by a burst of other work is tried again
            codes, idle, busy = asyncio.run(run(base))
            assert codes == [303] * 20, codes
            assert len(busy) >= 10
            seen.append(
                f"{p99(busy) * 1000:.0f} ms during, {p99(idle) * 1000:.0f} ms before, "
                f"one verification {one * 1000:.0f} ms"
            )
            if p99(busy) < max(0.100 + p99(idle), one / 2):
                return
    raise AssertionError("/healthz p99 during 20 parallel logins: " + "; ".join(seen))


def test_a_stranger_cannot_lock_staff_out_of_their_usual_address(
    settings: Settings, make_user: UserFactory
) -> None:
    email, password = make_user(roles=["police"])
    proxied = settings.model_copy(update={"trusted_proxies": "127.0.0.1"})
    office, attacker, elsewhere = "192.0.2.10", "203.0.113.66", "198.51.100.5"
    attempts = settings.login_account_max_failures + 10
    with serve(proxied) as base:
        assert asyncio.run(_attempts(base, email, password, 1, office)) == [303]
        codes: list[int] = []
        for _ in range(attempts // 5):  # attackers rotate addresses; here one retries
            codes += asyncio.run(_attempts(base, email, "wrong-password-1", 5, attacker))
        assert codes.count(401) <= settings.login_max_failures
        assert codes[-1] == 429
        # From the staff member's usual address the right password still works ...
        assert asyncio.run(_attempts(base, email, password, 1, office)) == [303]
        # ... and an attacker's next address meets the per-account limit.
        many = asyncio.run(_attempts(base, email, "wrong-password-1", 5, "203.0.113.67"))
        assert set(many) == {429}
        # A new address of the real user waits too: that is the price of the limit.
        assert asyncio.run(_attempts(base, email, password, 1, elsewhere)) == [429]


def test_large_login_forms_are_refused_with_413_before_parsing(client: TestClient) -> None:
    big = {"email": "a@example.se", "password": "x" * 100_000, "csrf_token": "t"}
    answer = client.post("/staff/login", data=big, follow_redirects=False)
    assert answer.status_code == 413

    def chunks():  # no Content-Length: counted while read
        for _ in range(40):
            yield b"password=" + b"y" * 1000 + b"&"

    streamed = client.post(
        "/staff/login",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert streamed.status_code == 413
    upload = client.post(
        "/staff/users",
        files={"file": ("big.bin", b"z" * 2_000_000)},
        follow_redirects=False,
    )
    assert upload.status_code == 413
    # A normal login form passes.
    assert client.post("/staff/login", data={"email": "a@example.se"}).status_code == 400


def test_password_change_and_deactivation_end_sessions_and_tokens(
    client: TestClient, make_user: UserFactory, sql: Sql, settings: Settings
) -> None:
    admin_email, admin_password = make_user(roles=["admin"])
    email, password = make_user(roles=["police"])
    user_id = sql.scalar("SELECT id FROM staff_users WHERE email = %s", (email,))
    csrf = login(client, admin_email, admin_password)
    admin = client.cookies["trygg_session"]

    def as_session(session: str | None) -> None:
        client.cookies.clear()
        if session:
            client.cookies.set("trygg_session", session)

    def user_token() -> str:
        token = new_api_token()
        sql.all(
            "INSERT INTO api_tokens (id, user_id, token_hash, name) VALUES (%s, %s, %s, 't')",
            (uuid.uuid4(), user_id, api_token_hash(settings.key, token)),
        )
        return token

    def user_session(pw: str) -> str:
        as_session(None)
        login(client, email, pw)
        return str(client.cookies["trygg_session"])

    def change(body: dict[str, object]) -> None:
        as_session(admin)
        answer = client.patch(f"/api/v1/users/{user_id}", json=body, headers={"X-CSRF-Token": csrf})
        assert answer.status_code == 200, answer.text

    def works(token: str | None = None, session: str | None = None) -> bool:
        as_session(session)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get("/api/v1/reports", headers=headers).status_code == 200

    token, session = user_token(), user_session(password)
    assert works(token=token) and works(session=session)
    change({"password": "a-brand-new-password"})
    assert not works(token=token) and not works(session=session)

    token, session = user_token(), user_session("a-brand-new-password")
    change({"active": False})
    change({"active": True})
    assert not works(token=token) and not works(session=session)
    assert works(session=user_session("a-brand-new-password"))  # a new login works
