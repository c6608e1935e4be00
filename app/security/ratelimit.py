"""Rate limits for filing reports and throttling for staff logins.

Counters live in PostgreSQL (no extra server) under keyed hashes of the client
token, the network address or the login e-mail, and expire with their window.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from app.config import Settings
from app.db.pool import Database
from app.errors import TooManyRequests
from app.repo import rate_counters, report_counts
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
    # Counted together with concurrent reports: one statement for the batch.
    by_client, by_address = await report_counts.count_report(
        db,
        report_counts.ReportHit(
            reporter_hash=reporter_hash,
            # The address group (/24, /48): a source for the independence gate.
            address_hash=keyed_hash(key, "first-seen", address_group(address)),
            client_key=keyed_hash(key, "rate-client", reporter_hash) if client_limit else None,
            address_key=keyed_hash(key, "rate-address", address) if address_limit else None,
            window_seconds=HOUR,
        ),
    )
    if client_limit and by_client.hits > client_limit:
        raise _too_many(by_client.retry_after, "this device")
    if address_limit and by_address.hits > address_limit:
        raise _too_many(by_address.retry_after, "this network address")


@dataclass(frozen=True)
class LoginAttempt:
    """The counters one login attempt added to, so a success can take them back."""

    pair: bytes
    others: tuple[tuple[bytes, int], ...]
    known: bytes


async def begin_login(
    request: Request, db: Database, settings: Settings, email: str
) -> LoginAttempt:
    """Count this attempt before the password is checked; 429 once over a limit.

    Counting first makes the throttle atomic: parallel attempts each get their
    own number from one upsert, so no more than the limit reach the password
    check. Three limits apply: per account and address (the tight one), per
    address across accounts, and a slower one per account that does not apply
    from addresses the account logged in from before, so a stranger failing
    from elsewhere cannot lock staff out of their usual place.
    """
    key = settings.key
    account = email.strip().lower()
    address = address_of(request, settings)
    pair = keyed_hash(key, "login-pair", f"{account}\x00{address}")
    known = keyed_hash(key, "login-known", f"{account}\x00{address}")
    window = settings.login_window_minutes * 60
    limits = [
        (pair, window, settings.login_max_failures),
        (
            keyed_hash(key, "login-address", address),
            window,
            settings.login_max_failures * ADDRESS_LOGIN_FACTOR,
        ),
    ]
    if not await rate_counters.marked(db, known):
        limits.append(
            (
                keyed_hash(key, "login-email", account),
                settings.login_account_window_minutes * 60,
                settings.login_account_max_failures,
            )
        )
    retry_after = 0
    for key_hash, seconds, limit in limits:
        count = await rate_counters.hit(db, key_hash, seconds)
        if count.hits > limit:
            retry_after = max(retry_after, count.retry_after)
    if retry_after:
        raise TooManyRequests(LOGIN_REFUSED, headers={"Retry-After": str(retry_after)})
    return LoginAttempt(pair, tuple((k, s) for k, _, s in limits[1:]), known)


async def login_succeeded(db: Database, settings: Settings, attempt: LoginAttempt) -> None:
    """Forget this place's failures, take back the attempt, remember the address."""
    await rate_counters.reset(db, attempt.pair)
    for key_hash, seconds in attempt.others:
        await rate_counters.undo(db, key_hash, seconds)
    await rate_counters.mark(db, attempt.known, settings.login_known_address_days * 86400)
