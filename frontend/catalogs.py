"""Refresh the gettext catalogs from the code: `python -m frontend.catalogs`.

Extracts every `_()` message from templates and Python (frontend/babel.cfg),
then updates frontend/locale/<lang>/LC_MESSAGES/messages.po, keeping existing
translations. Swedish msgids are the source text, so the sv catalog needs no
translations, and lättläst (sv-lattlast) translates only what needs simpler
words (the rest falls back to Swedish). English gets every message; the other
resident languages get the messages of the resident pages (RESIDENT_SOURCES),
since staff pages exist only in Swedish and English. The catalogs are compiled
in memory at start-up (frontend/templating.py), so there is no .mo build step.
`python -m frontend.catalogs --check` only reports problems (what the test runs).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from frontend.templating import (
    CORE_LANGUAGES,
    DEFAULT_LANGUAGE,
    DOMAIN,
    LANGUAGES,
    LOCALE,
    RESIDENT_TEMPLATES,
    babel_locale,
)

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".venv", "node_modules", ".local", ".git", "test-artifacts"}
# Where the resident pages' messages come from: their templates, the partials they
# include, and the strings their scripts show.
RESIDENT_SOURCES = frozenset(
    {f"frontend/templates/{name}" for name in RESIDENT_TEMPLATES}
    | {
        "frontend/templates/base.html",
        "frontend/templates/_filters.html",
        "frontend/templates/_hotspot_list.html",
        "frontend/strings.py",
    }
)
SIMPLIFIED = "sv-lattlast"  # Swedish in easier words: an empty msgstr means the Swedish is fine
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")


def extract() -> Catalog:
    with (ROOT / "frontend" / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(domain=DOMAIN)

    def skip(name: str) -> bool:
        return not any(part in IGNORED for part in Path(name).parts)

    for filename, lineno, message, comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, directory_filter=lambda d: skip(d)
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def for_language(template: Catalog, lang: str) -> Catalog:
    """The messages `lang` must have: all of them, or those of the resident pages."""
    if lang in CORE_LANGUAGES:
        return template
    resident = Catalog(domain=DOMAIN)
    for message in template:
        if message.id and any(path in RESIDENT_SOURCES for path, _ in message.locations):
            resident.add(message.id, None, message.locations, auto_comments=message.auto_comments)
    return resident


def path_of(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    with path_of(lang).open("rb") as handle:
        return read_po(handle, locale=babel_locale(lang), domain=DOMAIN)


def update(template: Catalog) -> list[str]:
    """Merge the template into each language's catalog; messages still untranslated."""
    missing: list[str] = []
    for lang in LANGUAGES:
        path = path_of(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read(lang)
        else:
            catalog = Catalog(locale=babel_locale(lang), domain=DOMAIN, project="Trygghetskartan")
        catalog.update(for_language(template, lang), no_fuzzy_matching=True)
        catalog.obsolete.clear()  # git keeps the history; stale entries only mislead
        catalog.fuzzy = False
        with path.open("wb") as handle:
            write_po(
                handle,
                catalog,
                omit_header=False,
                include_previous=False,
                width=100,
                no_location=True,
                sort_output=False,
            )
        if lang not in (DEFAULT_LANGUAGE, SIMPLIFIED):
            missing += [f"{lang}: {m.id}" for m in catalog if m.id and not m.string]
    return missing


def check(template: Catalog) -> list[str]:
    """Missing, empty, fuzzy, stale or placeholder-breaking entries in any catalog."""
    problems: list[str] = []
    for lang in LANGUAGES:
        if not path_of(lang).is_file():
            problems.append(f"{lang}: no catalog at {path_of(lang)}")
            continue
        catalog = read(lang)
        wanted = {str(m.id) for m in for_language(template, lang) if m.id}
        have = {str(m.id): m for m in catalog if m.id}
        stale = sorted(have.keys() - wanted)
        problems += [f"{lang}: stale (no longer in the code): {i}" for i in stale]
        problems += [f"{lang}: obsolete entry: {i}" for i in catalog.obsolete]
        if lang == DEFAULT_LANGUAGE:
            problems += [f"{lang}: missing: {i}" for i in sorted(wanted - have.keys())]
            continue
        for msgid in sorted(wanted):
            message = have.get(msgid)
            if message is None or (not message.string and lang != SIMPLIFIED):
                problems.append(f"{lang}: untranslated: {msgid}")
            elif message.fuzzy:
                problems.append(f"{lang}: fuzzy: {msgid}")
            elif message.string and sorted(PLACEHOLDER.findall(str(message.string))) != sorted(
                PLACEHOLDER.findall(msgid)
            ):
                problems.append(f"{lang}: placeholders differ: {msgid}")
    return problems


def main(argv: list[str]) -> int:
    template = extract()
    if "--check" in argv:
        problems = check(template)
        print("\n".join(problems) or "catalogs complete")
        return 1 if problems else 0
    for message in update(template):
        print(f"untranslated: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
