"""Jinja2 environments, one per language, with gettext catalogs from frontend/locale.

Swedish is the default language; English is chosen with `?lang=en`, the
`lang` cookie or the browser's Accept-Language.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

FRONTEND = Path(__file__).resolve().parent
TEMPLATES = FRONTEND / "templates"
LOCALE = FRONTEND / "locale"
STATIC = FRONTEND / "static"
LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"
DOMAIN = "messages"


def pick_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    for choice in (query, cookie):
        if choice in LANGUAGES:
            return str(choice)
    if accept_language:
        ranked = []
        for part in accept_language.split(","):
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            ranked.append((weight, tag.split("-")[0].lower()))
        for _, tag in sorted(ranked, reverse=True):
            if tag in LANGUAGES:
                return tag
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations: NullTranslations = Translations.load(str(LOCALE), [lang], DOMAIN)
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    return env


def render(lang: str, template: str, **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)
