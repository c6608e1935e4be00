"""The breakdowns counted from per-person masks are those of counting person by person."""

from __future__ import annotations

import numpy as np

from app.services.hotspots.breakdowns import breakdowns
from geo import hotspots as method
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES


def mask(codes: list[str], vocabulary: tuple[str, ...]) -> int:
    return sum(1 << vocabulary.index(c) for c in set(codes))


def test_masks_give_the_person_by_person_breakdowns() -> None:
    rng = np.random.default_rng(5)
    rows = []
    expected: dict[int, dict[str, object]] = {}
    for cid in (3, 7, 12):
        people = []
        for rid in range(int(rng.integers(5, 60))):
            reasons = list(rng.choice(REASON_CODES, int(rng.integers(0, 4))))
            times = list(rng.choice(TIME_CODES, int(rng.integers(0, 3))))
            days = list(rng.choice(DAY_CODES, int(rng.integers(0, 2))))
            severities = [int(s) for s in rng.integers(1, 4, int(rng.integers(0, 3)))]
            people.append((reasons, times, days, severities))
            rows.append(
                [
                    cid,
                    rid,
                    mask(reasons, REASON_CODES),
                    mask(times, TIME_CODES),
                    mask(days, DAY_CODES),
                    sum(severities),
                    len(severities),
                ]
            )
        means = [sum(s) / len(s) for *_, s in people if s]
        expected[cid] = {
            "reasons": method.count_codes([p[0] for p in people], REASON_CODES),
            "times": method.count_codes([p[1] for p in people], TIME_CODES),
            "days": method.count_codes([p[2] for p in people], DAY_CODES),
            "hours": method.aoristic_hours([p[1] for p in people]),
            "severity_mean": round(sum(means) / len(means), 3) if means else None,
        }
    assert breakdowns(np.array(rows, dtype=np.int64)) == expected
