"""Random secrets for API tokens and sessions, stored only as keyed hashes."""

from __future__ import annotations

import secrets

from app.security.keyed import keyed_hash

TOKEN_PREFIX = "trygg_"


def new_api_token() -> str:
    # The prefix lets secret scanners and humans recognise a leaked token.
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def api_token_hash(key: bytes, token: str) -> bytes:
    return keyed_hash(key, "api-token", token.strip())


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_hash(key: bytes, session_id: str) -> bytes:
    return keyed_hash(key, "session", session_id)
