"""Who is asking, and may they? (Interface; staff login fills in `current_principal`.)

Routes depend on `PrincipalDep` to learn who is asking, or on
`require("action")` to refuse anyone whose roles do not allow the action.
The action -> roles matrix lives in `app.security.matrix`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from app.errors import ApiError
from app.security.matrix import allowed_roles


class Unauthorized(ApiError):
    status_code = 401


class Forbidden(ApiError):
    status_code = 403


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


async def current_principal(request: Request) -> Principal:
    """The logged-in staff member (session cookie or Bearer token), or ANONYMOUS."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal or ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require(action: str) -> Principal:
    """A dependency: 401 without login, 403 without a role that may do `action`."""

    async def check(principal: PrincipalDep) -> Principal:
        if not principal.is_staff:
            raise Unauthorized("log in as staff to do this", headers={"WWW-Authenticate": "Bearer"})
        if not principal.may(action):
            raise Forbidden("your roles do not allow this")
        return principal

    return Depends(check)  # type: ignore[no-any-return]
