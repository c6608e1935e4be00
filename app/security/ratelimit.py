"""Rate limits for filing reports and throttling for staff logins.

Counters live in PostgreSQL (no extra server) under keyed hashes of the client
token, the network address or the login e-mail, and expire with their window.
"""

from __future__ import annotations

from starlette.requests import Request

from app.config import Settings
from app.db.pool import Database
from app.errors import TooManyRequests
from app.repo import rate_counters
from app.security.clientaddr import address_group, client_address
from app.security.keyed import keyed_hash

HOUR = 3600
# One address may fail this many times more often than one account: offices
# and schools share an address.
ADDRESS_LOGIN_FACTOR = 4
LOGIN_REFUSED = "Too many failed logins. Wait a while and try again."


def address_of(request: Request, settings: Settings) -> str:
    return client_address(request, settings.trusted_proxies)


def _too_many(retry_after: int, what: str) -> TooManyRequests:
    return TooManyRequests(
        f"Too many reports from {what}; nothing was stored. Try again in "
        f"{max(1, retry_after // 60)} minutes.",
        headers={"Retry-After": str(retry_after)},
    )


async def check_report(
    request: Request, db: Database, settings: Settings, reporter_hash: bytes
) -> None:
    """Count one report attempt; 429 with Retry-After when over either limit.

    Also remembers where a client token was first seen (a keyed hash of the
    address group), for the "possibly coordinated" flag and the independence gate.
    """
    key = settings.key
    address = address_of(request, settings)
    client_limit = settings.rate_limit_client_per_hour
    address_limit = settings.rate_limit_address_per_hour
    by_client, by_address = await rate_counters.count_report(
        db,
        reporter_hash=reporter_hash,
        # The address group (/24, /48): a source for the independence gate.
        address_hash=keyed_hash(key, "first-seen", address_group(address)),
        client_key=keyed_hash(key, "rate-client", reporter_hash) if client_limit else None,
        address_key=keyed_hash(key, "rate-address", address) if address_limit else None,
        window_seconds=HOUR,
    )
    if client_limit and by_client.hits > client_limit:
        raise _too_many(by_client.retry_after, "this device")
    if address_limit and by_address.hits > address_limit:
        raise _too_many(by_address.retry_after, "this network address")


def _login_keys(request: Request, settings: Settings, email: str) -> tuple[bytes, bytes]:
    key = settings.key
    return (
        keyed_hash(key, "login-email", email.strip().lower()),
        keyed_hash(key, "login-address", address_of(request, settings)),
    )


async def check_login_allowed(
    request: Request, db: Database, settings: Settings, email: str
) -> None:
    """429 before the password is even checked once the failures pile up."""
    window = settings.login_window_minutes * 60
    by_email, by_address = _login_keys(request, settings, email)
    limits = (
        (by_email, settings.login_max_failures),
        (by_address, settings.login_max_failures * ADDRESS_LOGIN_FACTOR),
    )
    for key_hash, limit in limits:
        count = await rate_counters.peek(db, key_hash, window)
        if count.hits >= limit:
            raise TooManyRequests(LOGIN_REFUSED, headers={"Retry-After": str(count.retry_after)})


async def note_login_failure(
    request: Request, db: Database, settings: Settings, email: str
) -> None:
    window = settings.login_window_minutes * 60
    for key_hash in _login_keys(request, settings, email):
        await rate_counters.hit(db, key_hash, window)


async def note_login_success(
    request: Request, db: Database, settings: Settings, email: str
) -> None:
    by_email, _ = _login_keys(request, settings, email)
    await rate_counters.reset(db, by_email)
