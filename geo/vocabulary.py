"""The report vocabularies with their labels (sv/en here, other languages in vocabulary_labels).

This is the one place these codes and labels live: the API, the database
CHECK constraints, the pages and the exports all read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.vocabulary_labels import EXTRA_LANGUAGES, LABELS


@dataclass(frozen=True)
class Term:
    code: str
    sv: str
    en: str
    hours: tuple[int, int] | None = None  # [start, end) local hours, for time-of-day bins


REASONS: tuple[Term, ...] = (
    Term("lighting", "Dålig belysning", "Poor lighting"),
    Term(
        "sightlines",
        "Skymd sikt (växtlighet, skymda hörn)",
        "Poor sightlines (vegetation, blind corners)",
    ),
    Term("deserted", "Folktomt", "Deserted"),
    Term("no_escape", "Svårt att ta sig därifrån", "No way out"),
    Term("groups", "Personer som uppträder hotfullt", "People acting threateningly"),
    Term("harassment", "Trakasserier", "Harassment"),
    Term("drugs", "Narkotika", "Drugs"),
    Term("alcohol", "Alkohol", "Alcohol"),
    Term("traffic", "Trafik", "Traffic"),
    Term("vandalism", "Skadegörelse, klotter, nedskräpning", "Vandalism, graffiti, litter"),
    Term("incident", "Något har hänt här", "Something happened here"),
    Term("other", "Annat", "Other"),
)

TIMES: tuple[Term, ...] = (
    Term("morning", "Morgon 06–10", "Morning 06–10", (6, 10)),
    Term("day", "Dag 10–17", "Day 10–17", (10, 17)),
    Term("evening", "Kväll 17–22", "Evening 17–22", (17, 22)),
    Term("night", "Natt 22–06", "Night 22–06", (22, 30)),
)

DAYS: tuple[Term, ...] = (
    Term("weekday", "Vardagar", "Weekdays"),
    Term("weekend", "Helger", "Weekends"),
)

SEVERITIES: tuple[Term, ...] = (
    Term("1", "Lite otryggt", "A bit unsafe"),
    Term("2", "Ganska otryggt", "Quite unsafe"),
    Term("3", "Mycket otryggt", "Very unsafe"),
)

KINDS: tuple[Term, ...] = (
    Term("unsafe", "Otrygg plats", "Unsafe place"),
    Term("safe", "Trygg plats", "Safe place"),
)

AGE_BANDS: tuple[Term, ...] = (
    Term("under_18", "Under 18", "Under 18"),
    Term("18_29", "18–29", "18–29"),
    Term("30_49", "30–49", "30–49"),
    Term("50_64", "50–64", "50–64"),
    Term("65_plus", "65 eller äldre", "65 or older"),
)

GENDERS: tuple[Term, ...] = (
    Term("woman", "Kvinna", "Woman"),
    Term("man", "Man", "Man"),
    Term("other", "Annat", "Other"),
    Term("no_answer", "Vill inte svara", "Prefer not to say"),
)

CHANNELS: tuple[str, ...] = ("web", "api", "open311", "import", "demo")
STATUSES: tuple[str, ...] = ("published", "hidden")
TEXT_STATUSES: tuple[str, ...] = ("none", "pending", "approved", "redacted")


def codes(terms: tuple[Term, ...]) -> tuple[str, ...]:
    return tuple(term.code for term in terms)


REASON_CODES = codes(REASONS)
TIME_CODES = codes(TIMES)
DAY_CODES = codes(DAYS)
KIND_CODES = codes(KINDS)
AGE_BAND_CODES = codes(AGE_BANDS)
GENDER_CODES = codes(GENDERS)


def time_hours(code: str) -> list[int]:
    """The clock hours (0-23) a time-of-day bin covers."""
    return list(TIME_HOURS[code])


# The one table of which clock hours each time of day covers (from `TIMES`);
# the hotspot profiles, the synthetic reports and the map's charts use it.
TIME_HOURS: dict[str, tuple[int, ...]] = {
    term.code: tuple(hour % 24 for hour in range(*term.hours)) for term in TIMES if term.hours
}


def label(term: Term, lang: str) -> str:
    """The term's label in `lang`; Swedish variants (sv-lattlast) and unknown codes get Swedish."""
    if lang == "en":
        return term.en
    return LABELS.get(lang, {}).get(term.sv, term.sv)


VOCABULARIES: dict[str, tuple[Term, ...]] = {
    "reasons": REASONS,
    "times": TIMES,
    "days": DAYS,
    "severity": SEVERITIES,
    "kinds": KINDS,
    "age_bands": AGE_BANDS,
    "genders": GENDERS,
}


def labelled(lang: str) -> dict[str, list[dict[str, str]]]:
    """Every vocabulary as code and label in one language, for the pages."""
    return {
        name: [{"code": t.code, "label": label(t, lang)} for t in terms]
        for name, terms in VOCABULARIES.items()
    }


def as_json() -> dict[str, list[dict[str, str]]]:
    """Every vocabulary with labels in every language, for `GET /api/v1/reasons`."""

    def entry(t: Term) -> dict[str, str]:
        return {"code": t.code, "sv": t.sv, "en": t.en} | {
            lang: label(t, lang) for lang in EXTRA_LANGUAGES
        }

    return {name: [entry(t) for t in terms] for name, terms in VOCABULARIES.items()}
