"""/staff/login and /staff/logout.

Login sets a server-side session cookie (HttpOnly, SameSite=Lax, Secure over
https). The login form carries its own CSRF token in a cookie; failed logins
are throttled with 429 and the same message for unknown users and wrong
passwords.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.config import Settings
from app.errors import TooManyRequests, Unauthorized
from app.security import csrf
from app.security.access import SESSION_COOKIE, PrincipalDep, check_csrf
from app.services.staff import sessions
from app.web.deps import DbDep, SettingsDep
from app.web.render import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False)


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
    response = staff_page(request, "staff/login.html", status, login_csrf=token, **context)
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
        session_id = await sessions.log_in(request, db, settings, email, password)
    except TooManyRequests as exc:
        response = _login_form(request, settings, 429, error=exc.detail, email=email, next=target)
        response.headers.update(exc.headers or {})
        return response
    except Unauthorized as exc:
        return _login_form(request, settings, 401, error=exc.detail, email=email, next=target)
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
        await sessions.log_out(db, settings, principal, session_id)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
