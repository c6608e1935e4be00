"""Staff log in with e-mail and password and get a server-side session.

Login attempts are throttled per account and address, per address and (from
unfamiliar addresses) per account, and answer the same for unknown users and
wrong passwords.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from app.config import Settings
from app.db.pool import Database
from app.errors import Unauthorized
from app.repo import users as store
from app.security import audit, ratelimit
from app.security.access import Principal
from app.security.passwords import verify_password_async
from app.security.tokens import new_session_id, session_hash

LOGIN_FAILED = "Fel e-post eller lösenord."  # the same for unknown users and wrong passwords


async def log_in(
    request: Request, db: Database, settings: Settings, email: str, password: str
) -> str:
    """A new session id; `TooManyRequests` when throttled, `Unauthorized` when refused."""
    attempt = await ratelimit.begin_login(request, db, settings, email)
    record = await store.login_record(db, email) if email else None
    # verify_password costs the same for unknown users, so timing tells nothing;
    # it runs in a thread so the event loop keeps serving other requests.
    ok = await verify_password_async(record["password_hash"] if record else None, password)
    if record is None or not ok or not record["roles"]:
        who = Principal(user_id=record["id"], email=record["email"]) if record else Principal()
        await audit.record(
            db,
            who,
            "login:failed",
            target=record["email"] if record else None,
            details={"known_user": record is not None},
        )
        raise Unauthorized(LOGIN_FAILED)
    await ratelimit.login_succeeded(db, settings, attempt)
    session_id = new_session_id()
    await store.create_session(
        db,
        record["id"],
        session_hash(settings.key, session_id),
        timedelta(minutes=settings.session_minutes),
    )
    principal = Principal(
        user_id=record["id"], email=record["email"], roles=frozenset(record["roles"]), via="session"
    )
    await audit.record(db, principal, "session:login", target=record["email"])
    return session_id


async def log_out(db: Database, settings: Settings, principal: Principal, session_id: str) -> None:
    await store.delete_session(db, session_hash(settings.key, session_id))
    await audit.record(db, principal, "session:logout", target=principal.email)
