"""Idempotency-Key replays, sealed with the server key and forgotten after a while.

A stored answer holds the report's receipt, which withdraws the report; it is
kept only encrypted (Fernet, key derived from TRYGG_SECRET_KEY), so a database
dump alone cannot be used to withdraw anyone's report. After
TRYGG_IDEMPOTENCY_HOURS a key is forgotten: a retry with it is a new request,
and expired keys are purged on write, at most once per PURGE_EVERY_SECONDS.
"""

from __future__ import annotations

import base64
import time
from typing import Any

import orjson
from cryptography.fernet import Fernet, InvalidToken

from app.config import Settings
from app.db.pool import AsyncConn, Database
from app.repo import idempotency
from app.repo.idempotency import StoredAnswer
from app.security.keyed import keyed_hash

PURGE_EVERY_SECONDS = 300.0
_last_purge = {"at": float("-inf")}


def _fernet(key: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(keyed_hash(key, "idempotency-seal", b"")))


def seal(key: bytes, answer: dict[str, Any]) -> dict[str, Any]:
    return {"sealed": _fernet(key).encrypt(orjson.dumps(answer)).decode()}


def unseal(key: bytes, stored: dict[str, Any]) -> dict[str, Any]:
    """The answer inside; an answer stored before sealing is returned as it is."""
    if "sealed" not in stored:
        return stored
    try:
        opened: dict[str, Any] = orjson.loads(_fernet(key).decrypt(stored["sealed"].encode()))
    except InvalidToken as exc:  # the secret key changed since
        raise ValueError("a stored Idempotency-Key answer no longer opens") from exc
    return opened


async def remember(
    db: Database,
    conn: AsyncConn,
    settings: Settings,
    key_hash: bytes,
    request_hash: bytes,
    status_code: int,
    answer: dict[str, Any],
) -> StoredAnswer | None:
    """`idempotency.claim` with the answer sealed: None when the key is new (or
    expired), else the earlier answer, opened."""
    hours = settings.idempotency_hours
    now = time.monotonic()
    if now - _last_purge["at"] >= PURGE_EVERY_SECONDS:
        _last_purge["at"] = now
        await idempotency.purge_expired(db, hours, conn)
    earlier = await idempotency.claim(
        db, conn, key_hash, request_hash, status_code, seal(settings.key, answer), hours
    )
    if earlier is None:
        return None
    return StoredAnswer(
        earlier.request_hash, earlier.status_code, unseal(settings.key, earlier.response)
    )
