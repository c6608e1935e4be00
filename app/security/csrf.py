"""CSRF tokens: derived from the session id, so nothing extra is stored.

A form posted with the session cookie must carry `csrf_token` (forms) or the
`X-CSRF-Token` header (scripts); another site can send the cookie but cannot
read the token. The login form, which has no session yet, uses a
double-submit cookie instead.
"""

from __future__ import annotations

import hmac
import secrets

from app.security.keyed import keyed_hash

LOGIN_COOKIE = "trygg_login_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def token_for_session(key: bytes, session_id: str) -> str:
    return keyed_hash(key, "csrf", session_id).hex()[:40]


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


def matches(expected: str | None, given: str | None) -> bool:
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
