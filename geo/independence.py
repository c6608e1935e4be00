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

import numpy as np

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


def judge_groups(
    group: np.ndarray,
    groups: int,
    source: np.ndarray,
    first_seen: np.ndarray,
    reports: np.ndarray,
    first_report: np.ndarray,
    rules: Rules,
) -> list[Verdict]:
    """`judge` for many hotspots at once, on one row per (hotspot, person).

    `group`: the hotspot's index (0..groups-1); `source`: an id per source
    (-1 when unknown); `first_seen`: NaN when unknown; `reports` and
    `first_report`: the number and the earliest time of the person's reports
    there. The verdicts are `judge`'s to the bit: the same subtractions are
    compared with the window, the sums are of integers.
    """
    group = np.asarray(group, dtype=np.int64)
    source = np.asarray(source, dtype=np.int64)
    reports = np.asarray(reports, dtype=np.int64)
    first_report = np.asarray(first_report, dtype=np.float64)
    window = rules.burst_window
    people = np.bincount(group, minlength=groups)
    total = np.bincount(group, weights=reports, minlength=groups).astype(np.int64)
    repeater = reports >= rules.repeat_reports
    repeaters = np.bincount(group[repeater], minlength=groups)
    repeated = np.bincount(group[repeater], weights=reports[repeater], minlength=groups)
    unknown = source < 0
    # Units: people of unknown source alone; the others per source, by runs of
    # first sightings within the window; all repeaters together as one.
    alone = np.bincount(group[~repeater & unknown], minlength=groups)
    known = np.nonzero(~repeater & ~unknown)[0]
    seen = np.where(np.isnan(first_seen[known]), first_report[known], first_seen[known])
    order = np.lexsort((seen, source[known], group[known]))
    g, s, t = group[known][order], source[known][order], seen[order]
    new_run = np.ones(len(t), dtype=bool)
    new_run[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1]) | (t[1:] - t[:-1] > window)
    units = alone + np.bincount(g[new_run], minlength=groups) + (repeaters > 0)
    # Sources: distinct known ones, and each person of unknown source.
    pairs = np.unique(group[~unknown] * (int(source.max(initial=0)) + 1) + source[~unknown])
    sources = np.bincount(pairs // (int(source.max(initial=0)) + 1), minlength=groups)
    sources = sources + np.bincount(group[unknown], minlength=groups)
    burst = _largest_bursts(group, groups, first_report, window)
    out = []
    for i in range(groups):
        n, u, src, b = int(people[i]), int(units[i]), int(sources[i]), int(burst[i])
        share = int(repeated[i]) / int(total[i]) if total[i] else 0.0
        reasons = []
        if u < rules.min_units:
            reasons.append(FEW_UNITS)
        if src < rules.min_sources:
            reasons.append(ONE_SOURCE)
        if n and b > rules.burst_share * n:
            reasons.append(BURST)
        if int(repeaters[i]) >= 2 and share > rules.repeat_share and u < rules.min_units:
            reasons.append(REPEATED)
        out.append(
            Verdict(
                people=n,
                units=u,
                sources=src,
                burst_people=b,
                repeaters=int(repeaters[i]),
                repeat_share=round(share, 3),
                reasons=tuple(reasons),
            )
        )
    return out


def _largest_bursts(group: np.ndarray, groups: int, first: np.ndarray, window: float) -> np.ndarray:
    """`largest_burst` per group: for each person (sorted by first report), the
    earliest one within the window, found by bisection on `t - first > window`
    as written (true, then false, along the sorted firsts)."""
    best = np.zeros(groups, dtype=np.int64)
    if not len(group):
        return best
    order = np.lexsort((first, group))
    g, t = group[order], first[order]
    starts = np.ones(len(g), dtype=bool)
    starts[1:] = g[1:] != g[:-1]
    lo = np.maximum.accumulate(np.where(starts, np.arange(len(g)), 0))
    end = np.arange(len(g))
    hi = end.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        far = t[end] - t[mid] > window
        lo = np.where(open_ & far, mid + 1, lo)
        hi = np.where(open_ & ~far, mid, hi)
    np.maximum.at(best, g, end - lo + 1)
    return best
