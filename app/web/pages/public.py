"""GET / (resident report page) and GET /karta (public hotspot map)."""

from __future__ import annotations

from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.domain import periods
from app.web.deps import SettingsDep
from app.web.render import language, page
from frontend import maps, strings
from frontend.gazetteer import load_places
from frontend.templating import LANGUAGES, gettext
from geo import vocabulary
from geo.crs import VANERSBORG_LAT, VANERSBORG_LON

router = APIRouter(include_in_schema=False)


def vocab(lang: str) -> dict[str, list[dict[str, str]]]:
    """The report vocabularies with labels in the page's language."""
    return vocabulary.labelled(lang)


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
    lang = language(request, LANGUAGES)
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
        map=maps.resident_map(settings.tile_url, settings.tile_attribution),
        vocab=vocab(lang),
        places=page_data["places"],
        page_data=page_data,
        description_max=settings.description_max_chars,
        suggestion_max=settings.suggestion_max_chars,
        public_min_reporters=settings.public_min_reporters,
    )


def period_choices(lang: str) -> list[dict[str, str]]:
    """The fixed public periods GET /api/v1/hotspots takes (`period=`), in words."""
    _ = partial(gettext, lang)
    return [{"code": code, "label": strings.period_label(_, code)} for code in periods.offered()]


@router.get("/karta", response_class=HTMLResponse)
async def public_map_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    lang = language(request, LANGUAGES)
    return page(
        request,
        lang,
        "karta.html",
        page="karta",
        map=maps.public_map(settings.tile_url, settings.tile_attribution),
        public_min_reporters=settings.public_min_reporters,
        vocab=vocab(lang),
        periods=period_choices(lang),
        page_data=map_config(settings, lang),
    )
