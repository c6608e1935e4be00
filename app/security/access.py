"""Who is asking, and may they?

Routes depend on `PrincipalDep` to learn who is asking, or on
`require("action")` to refuse anyone whose roles do not allow the action.
The action -> roles matrix lives in `app.security.matrix`.

The principal comes from the staff session cookie or an `Authorization:
Bearer` token and is looked up in the database on every request (one
read-only statement), so a revoked token, a removed role or a deactivated user
stops the very next request, whichever process or tool made the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request

from app.config import Settings
from app.db.pool import Database
from app.errors import Forbidden, ForbiddenPage, LoginRequired, Unauthorized
from app.repo import users
from app.security import csrf
from app.security.matrix import allowed_roles
from app.security.tokens import api_token_hash, session_hash

SESSION_COOKIE = "trygg_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None = None
    email: str | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    via: str = "anonymous"  # anonymous, session or token

    @property
    def is_staff(self) -> bool:
        return self.user_id is not None and bool(self.roles)

    def may(self, action: str) -> bool:
        return bool(self.roles & allowed_roles(action))


ANONYMOUS = Principal()


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def _resolve(request: Request) -> Principal:
    token = _bearer(request)
    session_id = request.cookies.get(SESSION_COOKIE)
    if token is None and not session_id:
        return ANONYMOUS  # the common case costs no database query
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    if token is not None:
        row = await users.token_user(db, api_token_hash(settings.key, token))
        via = "token"
    else:
        assert session_id is not None
        idle = timedelta(minutes=settings.session_idle_minutes)
        row = await users.session_user(db, session_hash(settings.key, session_id), idle)
        via = "session"
        if row is not None:
            request.state.csrf_token = csrf.token_for_session(settings.key, session_id)
    if row is None:
        request.state.credentials_rejected = True
        return ANONYMOUS
    return Principal(user_id=row["id"], email=row["email"], roles=frozenset(row["roles"]), via=via)


async def current_principal(request: Request) -> Principal:
    """The logged-in staff member (session cookie or Bearer token), or ANONYMOUS."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        principal = await _resolve(request)
        request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


async def check_csrf(request: Request, principal: Principal) -> None:
    """A cookie-authenticated change must carry the session's CSRF token."""
    if principal.via != "session" or request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get(csrf.HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(csrf.FIELD)
        given = value if isinstance(value, str) else None
    if not csrf.matches(getattr(request.state, "csrf_token", None), given):
        raise Forbidden("the form is out of date or did not come from this site; reload and retry")


def _refuse(request: Request, principal: Principal, action: str, page: bool) -> None:
    """401 (or the login page) without staff credentials, 403 without a role for `action`."""
    if not principal.is_staff:
        if page:
            raise LoginRequired(
                "log in first",
                headers={"Location": "/staff/login?next=" + quote(request.url.path)},
            )
        rejected = getattr(request.state, "credentials_rejected", False)
        raise Unauthorized(
            "the token or session is invalid, revoked or expired; log in again"
            if rejected
            else "log in as staff to do this",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not principal.may(action):
        refusal = ForbiddenPage if page else Forbidden
        raise refusal("your roles do not allow this")


class RoleCheck:
    """The dependency behind `require(action)`; tests read `.action` off each route."""

    def __init__(self, action: str, *, page: bool = False) -> None:
        self.action = action
        self.page = page

    async def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        _refuse(request, principal, self.action, self.page)
        await check_csrf(request, principal)
        return principal


@dataclass(frozen=True)
class PendingToken:
    """A bearer token the route's own statement looks up, with the roles that may `action`."""

    token_hash: bytes
    action: str

    @property
    def allowed_roles(self) -> list[str]:
        return sorted(allowed_roles(self.action))


class RoleCheckInStatement(RoleCheck):
    """`require(action)` for a read whose one statement also looks its bearer token up.

    A session or no credentials are checked here, as by `require`. A bearer
    token is handed on as a `PendingToken`: the route's statement reads the
    token, its user and roles in the same round trip as the page (doing the
    page's work only when they allow `action`), and `admit` then answers
    401/403 exactly as `require` would have. Still looked up on every request.
    """

    async def __call__(self, request: Request) -> Principal | PendingToken:  # type: ignore[override]
        token = _bearer(request)
        if token is None:
            return await super().__call__(request, await current_principal(request))
        settings: Settings = request.app.state.settings
        return PendingToken(api_token_hash(settings.key, token), self.action)


def admit(request: Request, pending: PendingToken, user: Mapping[str, Any] | None) -> Principal:
    """The principal behind a token the statement looked up (`user`: id, email, roles, or None).

    Raises 401/403 as `require(pending.action)` would.
    """
    if user is None:
        request.state.credentials_rejected = True
        principal = ANONYMOUS
    else:
        principal = Principal(
            user_id=user["id"], email=user["email"], roles=frozenset(user["roles"]), via="token"
        )
    request.state.principal = principal
    _refuse(request, principal, pending.action, page=False)
    return principal


async def settle(request: Request, who: Principal | PendingToken) -> Principal:
    """Look a pending token up on its own: for a request refused before its statement ran.

    Raises 401/403 as `require` would.
    """
    if isinstance(who, Principal):
        return who
    principal = await current_principal(request)
    _refuse(request, principal, who.action, page=False)
    return principal


def require(action: str) -> Principal:
    """A dependency: 401 without login, 403 without a role that may do `action`."""
    return Depends(RoleCheck(action))  # type: ignore[no-any-return]


def require_in_statement(action: str) -> Principal | PendingToken:
    """Like `require`, but a bearer token is looked up by the route's own statement."""
    return Depends(RoleCheckInStatement(action))  # type: ignore[no-any-return]


def require_page(action: str) -> Principal:
    """Like `require`, but an anonymous visitor is redirected to /staff/login."""
    return Depends(RoleCheck(action, page=True))  # type: ignore[no-any-return]
