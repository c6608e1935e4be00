"""Safety walks (trygghetsvandringar): the checklist and its ratings.

The items follow the Swedish guidance for safety walks (Boverket, BRÅ):
each stop is rated per item as ok, brist or allvarlig brist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geo.vocabulary import Term

CHECKLIST: tuple[Term, ...] = (
    Term("belysning", "Belysning", "Lighting"),
    Term("siktlinjer", "Siktlinjer och överblick", "Sight lines and overview"),
    Term("vegetation", "Vegetation", "Vegetation"),
    Term("orienterbarhet", "Orienterbarhet och skyltning", "Wayfinding and signs"),
    Term("underhall", "Underhåll och nedskräpning", "Upkeep and litter"),
    Term("alternativa_vagar", "Alternativa vägar", "Other ways to go"),
    Term("folkliv", "Folkliv", "People around"),
    Term("trafik", "Trafik", "Traffic"),
)
CHECKLIST_CODES = tuple(t.code for t in CHECKLIST)
RATINGS: tuple[Term, ...] = (
    Term("ok", "OK", "OK"),
    Term("brist", "Brist", "Shortcoming"),
    Term("allvarlig brist", "Allvarlig brist", "Serious shortcoming"),
)
RATING_CODES = tuple(t.code for t in RATINGS)
# The items may also be sent by their Swedish label ("siktlinjer och överblick").
_BY_LABEL = {t.sv.casefold(): t.code for t in CHECKLIST}


class ChecklistError(ValueError):
    """The checklist is not valid; the message says why."""


def parse_checklist(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ChecklistError('checklist must be an object like {"belysning": "brist"}')
    out: dict[str, str] = {}
    for key, rating in raw.items():
        code = key if key in CHECKLIST_CODES else _BY_LABEL.get(str(key).casefold())
        if code is None:
            raise ChecklistError(f"checklist: {key!r} is not one of {', '.join(CHECKLIST_CODES)}")
        if rating not in RATING_CODES:
            raise ChecklistError(
                f"checklist.{code}: {rating!r} is not one of ok, brist, allvarlig brist"
            )
        out[code] = str(rating)
    return out


def worst(checklist: Mapping[str, str]) -> str | None:
    """The stop's worst rating, for sorting the protocol."""
    found = [RATING_CODES.index(r) for r in checklist.values() if r in RATING_CODES]
    return RATING_CODES[max(found)] if found else None
