"""Redesign sites: the status lifecycle and measures suggested from reasons."""

from __future__ import annotations

from collections.abc import Mapping

from geo.vocabulary import Term

STATUSES: tuple[Term, ...] = (
    Term("candidate", "Förslag", "Candidate"),
    Term("planned", "Planerad", "Planned"),
    Term("in_progress", "Pågår", "In progress"),
    Term("done", "Klar", "Done"),
    Term("rejected", "Avslagen", "Rejected"),
)
STATUS_CODES: tuple[str, ...] = tuple(t.code for t in STATUSES)

# Forward along the lifecycle, one step back to correct a mistake, and a
# rejected candidate may be taken up again.
TRANSITIONS: dict[str, frozenset[str]] = {
    "candidate": frozenset({"planned", "rejected"}),
    "planned": frozenset({"in_progress", "done", "candidate", "rejected"}),
    "in_progress": frozenset({"done", "planned", "rejected"}),
    "done": frozenset({"in_progress"}),
    "rejected": frozenset({"candidate"}),
}

MEASURES: tuple[Term, ...] = (
    Term("better_lighting", "Bättre belysning", "Better lighting"),
    Term(
        "clear_vegetation", "Röj växtlighet, öppna siktlinjer", "Clear vegetation, open sightlines"
    ),
    Term("more_activity", "Mer liv och aktivitet på platsen", "More activity at the place"),
    Term("escape_routes", "Fler vägar ut, tydligare gångstråk", "More ways out, clearer paths"),
    Term(
        "presence",
        "Närvaro av vuxna, vakter eller fältare",
        "Presence of adults, guards, youth workers",
    ),
    Term("traffic_safety", "Trafiksäkrare passager", "Safer crossings"),
    Term(
        "cleaning", "Städning, klotter- och skadesanering", "Cleaning, graffiti and damage repair"
    ),
    Term("cctv_review", "Pröva kamerabevakning", "Consider camera surveillance"),
    Term("other_measure", "Annan åtgärd", "Other measure"),
)
MEASURE_CODES: tuple[str, ...] = tuple(t.code for t in MEASURES)

# Which measure answers which reason code (geo.vocabulary.REASONS).
MEASURE_FOR_REASON: dict[str, str] = {
    "lighting": "better_lighting",
    "sightlines": "clear_vegetation",
    "deserted": "more_activity",
    "no_escape": "escape_routes",
    "groups": "presence",
    "harassment": "presence",
    "drugs": "presence",
    "alcohol": "presence",
    "traffic": "traffic_safety",
    "vandalism": "cleaning",
    "incident": "cctv_review",
}


class TransitionError(ValueError):
    """A status change the lifecycle does not allow."""


def check_transition(current: str, wanted: str) -> None:
    if wanted not in STATUS_CODES:
        raise TransitionError(f"status must be one of {', '.join(STATUS_CODES)}")
    if wanted != current and wanted not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current]))
        raise TransitionError(f"a site that is {current} can move to {allowed}, not {wanted}")


def suggest_measures(reasons: Mapping[str, int]) -> list[str]:
    """Measures for the reasons, most-cited reason first, each measure once."""
    measures: list[str] = []
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        measure = MEASURE_FOR_REASON.get(reason)
        if count > 0 and measure and measure not in measures:
            measures.append(measure)
    return measures


def label(terms: tuple[Term, ...], code: str, lang: str) -> str:
    for term in terms:
        if term.code == code:
            return term.en if lang == "en" else term.sv
    return code
