"""Jinja2 environments, one per language, with gettext catalogs from frontend/locale.

Swedish is the default language; English is chosen with `?lang=en`, the
`lang` cookie or the browser's Accept-Language.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.numbers import format_decimal
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from frontend.strings import role_names

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


def load_translations(lang: str) -> NullTranslations:
    """The catalog for `lang`, compiled from its .po file in memory.

    Compiling at start-up means no generated .mo files in the repository and
    no build step that can be forgotten.
    """
    po = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> NullTranslations:
    return load_translations(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def gettext(lang: str, message: str) -> str:
    """Translate a message outside templates (page titles, JS strings)."""
    return str(translations(lang).gettext(message))


@lru_cache(maxsize=256)
def _file_hash(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """/static/<name>?v=<content hash>: cacheable for a year, never stale."""
    return f"/static/{name}?v={_file_hash(name)}"


def number(lang: str, value: float | int | None, decimals: int = 0) -> str:
    """`value` with the language's decimal sign and grouping (Babel): 5,0 in Swedish."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern, locale=lang))


@lru_cache(maxsize=len(LANGUAGES))
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.globals["lang"] = lang
    env.globals["static_url"] = static_url
    env.filters["number"] = lambda value, decimals=0: number(lang, value, decimals)
    env.globals["role_names"] = role_names(lambda message: gettext(lang, message))
    return env


def render(lang: str, template: str, **context: Any) -> str:
    return environment(lang).get_template(template).render(**context)
