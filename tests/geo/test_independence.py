"""The independence gate, without a database."""

from __future__ import annotations

import numpy as np

from geo.independence import (
    BURST,
    FEW_UNITS,
    ONE_SOURCE,
    REPEATED,
    Person,
    Rules,
    judge,
    judge_groups,
)

DAY = 86_400.0
RULES = Rules(min_units=5)


def _genuine(n: int, sources: int) -> list[Person]:
    """`n` residents over half a year behind `sources` address groups (CGNAT when few)."""
    return [Person(bytes([i % sources]), i * 9 * DAY, (i * 9 * DAY + 3600,)) for i in range(n)]


def test_genuine_support_is_independent() -> None:
    assert judge(_genuine(8, 8), RULES).independent


def test_cgnat_residents_still_count() -> None:
    verdict = judge(_genuine(8, 3), RULES)
    assert verdict.independent, verdict
    assert verdict.sources == 3 and verdict.units == 8


def test_fresh_tokens_from_one_address_count_once() -> None:
    for tokens in (1, 3, 6, 12):
        spam = [Person(b"a", 100.0 + 60 * i, (200.0 + 60 * i,) * 5) for i in range(tokens)]
        verdict = judge(spam, RULES)
        assert not verdict.independent
        assert FEW_UNITS in verdict.reasons and ONE_SOURCE in verdict.reasons
        assert verdict.units == 1


def test_campaign_in_one_day_from_one_network_is_held() -> None:
    people = [Person(b"net", 1000.0 * i, (1000.0 * i + 5,)) for i in range(15)]
    verdict = judge(people, RULES)
    assert {FEW_UNITS, ONE_SOURCE, BURST} <= set(verdict.reasons)


def test_many_addresses_in_one_burst_is_held() -> None:
    people = [Person(bytes([i]), 600.0 * i, (600.0 * i + 5,)) for i in range(10)]
    assert judge(people, RULES).reasons == (BURST,)


def test_a_few_repeating_tokens_count_as_one() -> None:
    repeaters = [
        Person(bytes([i]), i * 20 * DAY, tuple(i * 20 * DAY + k * DAY for k in range(10 + 5 * i)))
        for i in range(3)
    ]
    passers = [Person(bytes([10 + i]), i * 50 * DAY, (i * 50 * DAY,)) for i in range(2)]
    verdict = judge(repeaters + passers, RULES)
    assert verdict.units == 3
    assert REPEATED in verdict.reasons and FEW_UNITS in verdict.reasons


def test_one_heavy_user_among_many_is_fine() -> None:
    heavy = Person(b"h", 0.0, tuple(k * DAY for k in range(20)))
    assert judge([heavy, *_genuine(6, 6)], RULES).independent


def test_unknown_sources_count_as_their_own() -> None:
    people = [Person(None, None, (i * 7 * DAY,)) for i in range(5)]
    assert judge(people, RULES).independent


def test_judging_many_hotspots_on_arrays_gives_each_ones_verdict() -> None:
    # The recompute judges every hotspot at once on arrays (`judge_groups`):
    # the verdicts must be `judge`'s, ties in time and bursts at the window's
    # edge included.
    rng = np.random.default_rng(11)
    rules = Rules(min_units=5, repeat_reports=3)
    hotspots: list[list[Person]] = []
    for _ in range(300):
        people = []
        for _ in range(int(rng.integers(0, 25))):
            source = None if rng.random() < 0.2 else bytes([int(rng.integers(0, 4))])
            # Whole days, so first sightings and reports fall exactly a window apart.
            seen = None if rng.random() < 0.3 else float(rng.integers(0, 6)) * DAY
            times = tuple(float(rng.integers(0, 8)) * DAY for _ in range(int(rng.integers(1, 6))))
            people.append(Person(source, seen, times))
        hotspots.append(people)
    rows = [(g, p) for g, people in enumerate(hotspots) for p in people]
    ids = {s: i for i, s in enumerate(sorted({p.source for _, p in rows if p.source}))}
    verdicts = judge_groups(
        np.array([g for g, _ in rows], dtype=np.int64),
        len(hotspots),
        np.array([-1 if p.source is None else ids[p.source] for _, p in rows], dtype=np.int64),
        np.array([np.nan if p.first_seen is None else p.first_seen for _, p in rows]),
        np.array([len(p.times) for _, p in rows], dtype=np.int64),
        np.array([min(p.times) for _, p in rows]),
        rules,
    )
    assert verdicts == [judge(people, rules) for people in hotspots]
    assert {r for v in verdicts for r in v.reasons} == {BURST, FEW_UNITS, ONE_SOURCE, REPEATED}
