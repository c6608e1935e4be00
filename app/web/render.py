"""Rendering HTML pages: the page's language and the one `page()` helper."""

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
