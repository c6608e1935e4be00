"""Rendering HTML pages: the page's language, `page()` and `staff_page()`."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from frontend.templating import CORE_LANGUAGES, LANGUAGES, pick_language, render

LANG_COOKIE_SECONDS = 365 * 24 * 3600


def language(request: Request, languages: tuple[str, ...] = CORE_LANGUAGES) -> str:
    """The page's language; resident pages pass LANGUAGES, staff pages are Swedish/English."""
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
        languages,
    )


def page(request: Request, lang: str, template: str, **context: Any) -> HTMLResponse:
    """Render a page with the response's CSP nonce; remember an explicit language choice."""
    nonce = getattr(request.state, "csp_nonce", "")
    response = HTMLResponse(render(lang, template, csp_nonce=nonce, **context))
    response.headers["Cache-Control"] = "no-store"
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(
            "lang", str(chosen), max_age=LANG_COOKIE_SECONDS, samesite="lax", httponly=True
        )
    return response


def staff_page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A staff page with the principal and CSRF token; `page()` keeps it out of caches."""
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("csrf_token", getattr(request.state, "csrf_token", None))
    response = page(request, language(request), template, **context)
    response.status_code = status
    return response
