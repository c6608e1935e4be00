"""Staff pages: /staff/login, logout, the overview, moderation queue and users.

Login sets a server-side session cookie (HttpOnly, SameSite=Lax, Secure over
https). Every state-changing form carries a CSRF token; failed logins are
throttled with 429 and the same message for unknown users and wrong passwords.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import Settings
from app.errors import DomainError, TooManyRequests
from app.repo import audit as audit_store
from app.repo import moderation as moderation_store
from app.repo import users as store
from app.security import audit, csrf, ratelimit
from app.security.access import (
    SESSION_COOKIE,
    Principal,
    PrincipalDep,
    check_csrf,
    require_page,
)
from app.security.matrix import ROLES
from app.security.passwords import verify_password
from app.security.tokens import new_session_id, session_hash
from app.web.api.moderation import moderate, redact
from app.web.api.users import UserChange, change_user, create_user
from app.web.deps import DbDep, SettingsDep
from frontend.templating import pick_language, render

router = APIRouter(prefix="/staff", include_in_schema=False)

LOGIN_FAILED = "Fel e-post eller lösenord."  # the same for unknown users and wrong passwords


def _lang(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
    )


def _page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    html = render(
        _lang(request), template, csp_nonce=getattr(request.state, "csp_nonce", ""), **context
    )
    response = HTMLResponse(html, status_code=status)
    # Staff pages hold personal data: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response


def _secure(request: Request, settings: Settings) -> bool:
    return settings.https or request.url.scheme == "https"


def _safe_next(target: str | None) -> str:
    # Only paths inside the staff area: no open redirect to another site.
    if target and target.startswith("/staff/") and not target.startswith("//"):
        return target
    return "/staff/"


def _login_form(
    request: Request, settings: Settings, status: int = 200, **context: Any
) -> HTMLResponse:
    token = csrf.new_login_token()
    context.setdefault("next", _safe_next(request.query_params.get("next")))
    response = _page(request, "staff/login.html", status, login_csrf=token, **context)
    response.set_cookie(
        csrf.LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/staff/login",
    )
    return response


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _login_form(request, settings)


@router.post("/login", response_model=None)
async def login(request: Request, db: DbDep, settings: SettingsDep) -> Response:
    form = await request.form()
    email = str(form.get("email") or "").strip().lower()[:254]
    password = str(form.get("password") or "")
    target = _safe_next(str(form.get("next") or ""))
    if not csrf.matches(request.cookies.get(csrf.LOGIN_COOKIE), str(form.get("csrf_token") or "")):
        return _login_form(
            request,
            settings,
            400,
            error="Formuläret var för gammalt. Försök igen.",
            email=email,
            next=target,
        )
    try:
        await ratelimit.check_login_allowed(request, db, settings, email)
    except TooManyRequests as exc:
        response = _login_form(request, settings, 429, error=exc.detail, email=email, next=target)
        response.headers.update(exc.headers or {})
        return response
    record = await store.login_record(db, email) if email else None
    # verify_password costs the same for unknown users, so timing tells nothing.
    ok = verify_password(record["password_hash"] if record else None, password)
    if record is None or not ok or not record["roles"]:
        await ratelimit.note_login_failure(request, db, settings, email)
        who = Principal(user_id=record["id"], email=record["email"]) if record else Principal()
        await audit.record(
            db,
            who,
            "login:failed",
            target=record["email"] if record else None,
            details={"known_user": record is not None},
        )
        return _login_form(request, settings, 401, error=LOGIN_FAILED, email=email, next=target)
    await ratelimit.note_login_success(request, db, settings, email)
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
    await audit.record(db, principal, "login", target=record["email"])
    redirect = RedirectResponse(target, status_code=303)
    redirect.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=settings.session_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
        path="/",
    )
    redirect.delete_cookie(csrf.LOGIN_COOKIE, path="/staff/login")
    return redirect


@router.post("/logout", response_model=None)
async def logout(
    request: Request, db: DbDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if principal.via == "session" and session_id:
        await check_csrf(request, principal)
        await store.delete_session(db, session_hash(settings.key, session_id))
        await audit.record(db, principal, "logout", target=principal.email)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request, principal: Annotated[Principal, require_page("staff:home")]
) -> HTMLResponse:
    return _page(request, "staff/home.html")


# --- moderation -------------------------------------------------------------


@router.get("/moderation", response_class=HTMLResponse)
async def moderation_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("moderation")]
) -> HTMLResponse:
    rows = await moderation_store.queue(db, limit=50)
    await audit.record(db, principal, "moderation:queue", rows=len(rows))
    reports = [
        {
            "id": str(r["id"]),
            "received_at": r["received_at"].strftime("%Y-%m-%d %H:%M"),
            "description": r["description"],
            "suggestion": r["suggestion"],
        }
        for r in rows
    ]
    return _page(
        request, "staff/moderation.html", reports=reports, error=request.query_params.get("error")
    )


@router.post("/moderation/{report_id}", response_model=None)
async def moderation_action(
    report_id: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require_page("moderation")],
) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    try:
        parsed = uuid.UUID(report_id)
        if action == "approve":
            await moderate(db, principal, parsed, "approve", {"text_status": "approved"})
        elif action == "hide":
            await moderate(db, principal, parsed, "hide", {"status": "hidden"})
        elif action == "redact":
            passages = str(form.get("remove") or "").splitlines()
            await redact(db, principal, parsed, passages)
        else:
            raise DomainError("unknown action")
    except (DomainError, ValueError) as exc:
        detail = getattr(exc, "detail", "not a report id")
        return RedirectResponse(f"/staff/moderation?error={quote(detail)}", status_code=303)
    return RedirectResponse("/staff/moderation", status_code=303)


# --- users ------------------------------------------------------------------


@router.get("/users", response_class=HTMLResponse)
async def users_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("users:manage")]
) -> HTMLResponse:
    rows = await store.list_users(db)
    users = [{**r, "id": str(r["id"]), "roles": list(r["roles"])} for r in rows]
    return _page(
        request,
        "staff/users.html",
        users=users,
        roles=ROLES,
        error=request.query_params.get("error"),
    )


@router.post("/users", response_model=None)
async def users_create(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("users:manage")]
) -> Response:
    form = await request.form()
    roles = [str(r) for r in form.getlist("roles")]
    try:
        await create_user(
            db, principal, str(form.get("email") or ""), roles, str(form.get("password") or "")
        )
    except DomainError as exc:
        return RedirectResponse(f"/staff/users?error={quote(exc.detail)}", status_code=303)
    return RedirectResponse("/staff/users", status_code=303)


@router.post("/users/{user_id}", response_model=None)
async def users_change(
    user_id: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require_page("users:manage")],
) -> Response:
    form = await request.form()
    change = UserChange(
        roles=[str(r) for r in form.getlist("roles")], active=form.get("active") == "true"
    )
    try:
        await change_user(db, principal, uuid.UUID(user_id), change)
    except (DomainError, ValueError) as exc:
        detail = getattr(exc, "detail", "no such user")
        return RedirectResponse(f"/staff/users?error={quote(detail)}", status_code=303)
    return RedirectResponse("/staff/users", status_code=303)


# --- audit log ----------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("audit:read")]
) -> HTMLResponse:
    action = request.query_params.get("action") or None
    actor = request.query_params.get("actor") or None
    rows = await audit_store.browse(db, action=action, actor=actor, limit=200)
    filters = {k: v for k, v in {"action": action, "actor": actor}.items() if v}
    await audit.record(db, principal, "audit:read", details=filters, rows=len(rows))
    entries = [
        {
            **r,
            "at": r["at"].strftime("%Y-%m-%d %H:%M:%S"),
            "details": orjson.dumps(r["details"]).decode() if r["details"] else "",
        }
        for r in rows
    ]
    return _page(request, "staff/audit.html", entries=entries, filters=filters)
