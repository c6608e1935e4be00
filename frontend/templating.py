"""Jinja2 environments, one per language, with gettext catalogs from frontend/locale.

Swedish is the default language; another is chosen with `?lang=`, the `lang`
cookie or the browser's Accept-Language. Resident pages come in every language
in LANGUAGES; staff pages (and the accessibility statement) in CORE_LANGUAGES.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, NamedTuple

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, select_autoescape

from frontend.staff_texts import role_names

FRONTEND = Path(__file__).resolve().parent
TEMPLATES = FRONTEND / "templates"
LOCALE = FRONTEND / "locale"
STATIC = FRONTEND / "static"
DEFAULT_LANGUAGE = "sv"
DOMAIN = "messages"


class Language(NamedTuple):
    """A page language: its `?lang=` code, <html lang>, direction and name in itself."""

    code: str
    tag: str
    dir: str
    name: str


# Dari is served as `fa`: Babel/CLDR and browsers know `fa` (Accept-Language sends
# fa or fa-AF, almost never `prs`), while <html lang="fa-AF"> tells screen readers
# it is the Afghan variety the newcomers speak.
LANGUAGE_INFO: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("sv", "sv", "ltr", "Svenska"),
        Language("sv-lattlast", "sv", "ltr", "Lättläst"),
        Language("en", "en", "ltr", "English"),
        Language("ar", "ar", "rtl", "العربية"),
        Language("fa", "fa-AF", "rtl", "دری"),
        Language("so", "so", "ltr", "Soomaali"),
        Language("ti", "ti", "ltr", "ትግርኛ"),
    )
}
LANGUAGES = tuple(LANGUAGE_INFO)
CORE_LANGUAGES = ("sv", "en")  # staff pages and their strings exist only in these
# Templates whose every string is translated into all LANGUAGES; the rest use CORE_LANGUAGES.
RESIDENT_TEMPLATES = frozenset({"index.html", "karta.html", "loften.html"})


def pick_language(
    query: str | None,
    cookie: str | None,
    accept_language: str | None,
    languages: tuple[str, ...] = CORE_LANGUAGES,
) -> str:
    """The page language; staff callers keep the default, resident pages pass LANGUAGES."""
    for choice in (query, cookie):
        if choice in languages:
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
            if tag in languages:
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
        catalog = read_po(handle, locale=babel_locale(lang), domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def babel_locale(lang: str) -> str:
    """The Babel locale of a catalog (lättläst is Swedish to Babel)."""
    return lang.split("-")[0]


def reviewed(lang: str) -> bool:
    """Whether a native speaker has checked the catalog (frontend/locale/<lang>/review.json)."""
    path = LOCALE / lang / "review.json"
    if not path.is_file():
        return True  # Swedish is the source text
    return bool(json.loads(path.read_text(encoding="utf-8")).get("reviewed_by_native_speaker"))


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
    return str(format_decimal(value, format=pattern, locale=babel_locale(lang)))


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
    env.globals["language"] = LANGUAGE_INFO[lang]
    env.globals["reviewed"] = reviewed(lang)
    env.globals["static_url"] = static_url
    env.filters["number"] = lambda value, decimals=0: number(lang, value, decimals)
    env.globals["role_names"] = role_names(lambda message: gettext(lang, message))
    return env


def render(lang: str, template: str, **context: Any) -> str:
    """Render `template`; a page not translated into `lang` falls back to Swedish."""
    resident = template in RESIDENT_TEMPLATES
    if lang not in (LANGUAGES if resident else CORE_LANGUAGES):
        lang = DEFAULT_LANGUAGE
    switch = [LANGUAGE_INFO[code] for code in (LANGUAGES if resident else CORE_LANGUAGES)]
    context.setdefault("switch_languages", switch)
    return environment(lang).get_template(template).render(**context)
