"""Independent support: whether a hotspot's people are many independent voices or one actor.

A hotspot reaches the public views only when its support is independent
(issue 10). The rules here are pure and see, per person at the hotspot, only:

- `source`: a keyed hash of where the person came from (the first-seen
  address group of a device, IPv4 /24 or IPv6 /48, or an import batch whose
  features had no tokens of their own); None when unknown (first-seen rows
  expire, imports with per-feature tokens): the person is their own source;
- `first_seen`: when that source first saw the person (epoch seconds), or None;
- `times`: when the person's reports at this hotspot were made (epoch seconds).

Independent *units* are people grouped by source and, within one source, by
first sighting: tokens first seen from one address group within
`burst_window` of each other count as one unit. Genuine residents behind a
carrier NAT share a few address groups, but arrive at different times over
weeks, so each still counts; twelve fresh tokens from one phone in an hour
count once. People who repeat many reports at the spot count as one unit
together (a few tokens acting alike are likely one actor).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

DAY = 86_400.0

# Held reasons (stored on the hotspot, shown to staff); "independence:" tells
# staff which gate held the place.
GATE = "independence"
FEW_UNITS = f"{GATE}:few_independent"
ONE_SOURCE = f"{GATE}:one_source"
BURST = f"{GATE}:burst"
REPEATED = f"{GATE}:repeated_reports"
REASONS = (FEW_UNITS, ONE_SOURCE, BURST, REPEATED)


class Person(NamedTuple):
    """One person's support at one hotspot (a named tuple: a million of them are
    made per recompute at national scale, a third faster than a frozen dataclass)."""

    source: bytes | None
    first_seen: float | None
    times: tuple[float, ...]


@dataclass(frozen=True)
class Rules:
    """Thresholds of the gate; `min_units` is normally `public_min_reporters`."""

    min_units: int = 5
    min_sources: int = 2
    burst_window: float = DAY
    burst_share: float = 0.6
    repeat_reports: int = 5
    repeat_share: float = 0.5


@dataclass(frozen=True)
class Verdict:
    people: int
    units: int
    sources: int
    burst_people: int
    repeaters: int
    repeat_share: float
    reasons: tuple[str, ...]

    @property
    def independent(self) -> bool:
        return not self.reasons


def _runs(times: Sequence[float], window: float) -> int:
    """Groups of sorted `times` where consecutive ones lie within `window`."""
    groups = 0
    last: float | None = None
    for t in sorted(times):
        if last is None or t - last > window:
            groups += 1
        last = t
    return groups


def units_of(people: Sequence[Person], rules: Rules) -> int:
    """Independent units among `people` (the repeaters already taken out)."""
    by_source: dict[bytes, list[float]] = {}
    alone = 0
    for p in people:
        if p.source is None:
            alone += 1
            continue
        seen = p.first_seen if p.first_seen is not None else min(p.times, default=0.0)
        by_source.setdefault(p.source, []).append(seen)
    return alone + sum(_runs(times, rules.burst_window) for times in by_source.values())


def largest_burst(people: Sequence[Person], window: float) -> int:
    """The most people whose first report here falls within one `window`."""
    firsts = sorted(min(p.times) for p in people if p.times)
    best = 0
    start = 0
    for end, t in enumerate(firsts):
        while t - firsts[start] > window:
            start += 1
        best = max(best, end - start + 1)
    return best


def judge(people: Iterable[Person], rules: Rules) -> Verdict:
    """Whether this support is independent, and if not, why (`Verdict.reasons`)."""
    everyone = list(people)
    reports = sum(len(p.times) for p in everyone)
    repeaters = [p for p in everyone if len(p.times) >= rules.repeat_reports]
    others = [p for p in everyone if len(p.times) < rules.repeat_reports]
    units = units_of(others, rules) + (1 if repeaters else 0)
    sources = len({p.source for p in everyone if p.source is not None}) + sum(
        1 for p in everyone if p.source is None
    )
    burst = largest_burst(everyone, rules.burst_window)
    repeat_share = sum(len(p.times) for p in repeaters) / reports if reports else 0.0
    reasons = []
    if units < rules.min_units:
        reasons.append(FEW_UNITS)
    if sources < rules.min_sources:
        reasons.append(ONE_SOURCE)
    if everyone and burst > rules.burst_share * len(everyone):
        reasons.append(BURST)
    if len(repeaters) >= 2 and repeat_share > rules.repeat_share and units < rules.min_units:
        reasons.append(REPEATED)
    return Verdict(
        people=len(everyone),
        units=units,
        sources=sources,
        burst_people=burst,
        repeaters=len(repeaters),
        repeat_share=round(repeat_share, 3),
        reasons=tuple(reasons),
    )
