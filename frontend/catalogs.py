"""Refresh the gettext catalogs from the code: `python -m frontend.catalogs`.

Extracts every `_()` message from templates and Python (frontend/babel.cfg),
then updates frontend/locale/{sv,en}/LC_MESSAGES/messages.po, keeping existing
translations. Swedish msgids are the source text, so the sv catalog needs no
translations. The catalogs are compiled in memory at start-up
(frontend/templating.py), so there is no .mo build step.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

from frontend.templating import DOMAIN, LANGUAGES, LOCALE

ROOT = Path(__file__).resolve().parent.parent
IGNORED = {".venv", "node_modules", ".local", ".git", "test-artifacts"}


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


def update(template: Catalog) -> list[str]:
    """Merge the template into each language's catalog; messages English still lacks."""
    missing: list[str] = []
    for lang in LANGUAGES:
        path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang, domain=DOMAIN)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="Trygghetskartan")
        catalog.update(template, no_fuzzy_matching=True)
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
        if lang != "sv":
            missing += [str(m.id) for m in catalog if m.id and not m.string]
    return missing


def main() -> int:
    missing = update(extract())
    for message in missing:
        print(f"untranslated: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
