"""GET / (resident report page) and GET /karta (public hotspot map)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.api.deps import SettingsDep
from app.settings import Settings
from frontend import maps, strings
from frontend.gazetteer import load_places
from frontend.templating import LANGUAGES, gettext, pick_language, render
from geo import vocabulary
from geo.crs import VANERSBORG_LAT, VANERSBORG_LON

router = APIRouter(include_in_schema=False)

LANG_COOKIE_SECONDS = 365 * 24 * 3600


def language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"),
        request.cookies.get("lang"),
        request.headers.get("accept-language"),
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


def vocab(lang: str) -> dict[str, list[dict[str, str]]]:
    """The report vocabularies with labels in the page's language."""
    return {
        name: [{"code": t["code"], "label": t[lang]} for t in terms]
        for name, terms in vocabulary.as_json().items()
    }


def map_config(settings: Settings, lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "centre": [VANERSBORG_LAT, VANERSBORG_LON],
        "strings": strings.map_strings(partial(gettext, lang)),
        "vocab": vocab(lang),
        # For the 24-hour profile when a hotspot has only time-of-day counts.
        "time_hours": {code: vocabulary.time_hours(code) for code in vocabulary.TIME_CODES},
    }


@router.get("/", response_class=HTMLResponse)
async def resident_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    lang = language(request)
    page_data = {
        "lang": lang,
        "strings": strings.report_strings(partial(gettext, lang)),
        "places": load_places(settings.gazetteer_file),
    }
    return page(
        request,
        lang,
        "index.html",
        page="report",
        map=maps.resident_map(settings),
        vocab=vocab(lang),
        places=page_data["places"],
        page_data=page_data,
        description_max=settings.description_max_chars,
        suggestion_max=settings.suggestion_max_chars,
    )


@router.get("/karta", response_class=HTMLResponse)
async def public_map_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    lang = language(request)
    return page(
        request,
        lang,
        "karta.html",
        page="karta",
        map=maps.public_map(settings),
        public_min_reporters=settings.public_min_reporters,
        vocab=vocab(lang),
        page_data=map_config(settings, lang),
    )
