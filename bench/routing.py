"""Stop ordering: speed of the exact solver and quality of the heuristic.

Run with `python bench/routing.py`. Baselines are measured in the same run:
Held-Karp against brute force over all orders (same optimum, time ratio), and
the heuristic against Held-Karp on instances both can solve (cost gap), plus
the heuristic's time on larger street-like instances. Seeded, bounded.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from geo.routing import held_karp, heuristic, path_cost  # noqa: E402


def instance(rng: random.Random, n: int) -> list[list[float]]:
    # Points in a 2 km square, Manhattan-ish walking cost (street grids are not straight).
    pts = [(rng.uniform(0, 2000), rng.uniform(0, 2000)) for _ in range(n)]
    return [[abs(a[0] - b[0]) + abs(a[1] - b[1]) for b in pts] for a in pts]


def timed(fn, *args):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> None:
    rng = random.Random(2017)
    # 1. Exact vs brute force, 8 stops (40320 orders).
    ratios = []
    for _ in range(5):
        cost = instance(rng, 9)
        stops = list(range(1, 9))
        (hk, _), t_hk = timed(held_karp, cost, 0, 0, stops)
        start = time.perf_counter()
        brute = min(path_cost(cost, 0, p, 0) for p in itertools.permutations(stops))
        t_bf = time.perf_counter() - start
        assert math.isclose(hk, brute)
        ratios.append(t_bf / t_hk)
    print(
        f"held-karp vs brute force, 8 stops: same optimum, {statistics.median(ratios):.0f}x faster"
    )
    # 2. Heuristic vs exact, 12 stops.
    gaps, t_exact, t_heur = [], [], []
    for _ in range(20):
        cost = instance(rng, 13)
        stops = list(range(1, 13))
        (exact, _), te = timed(held_karp, cost, 0, 0, stops)
        (approx, _), th = timed(heuristic, cost, 0, 0, stops)
        gaps.append(approx / exact - 1)
        t_exact.append(te)
        t_heur.append(th)
    print(
        f"12 stops: held-karp {statistics.median(t_exact) * 1000:.0f} ms; heuristic "
        f"{statistics.median(t_heur) * 1000:.1f} ms, cost gap median "
        f"{statistics.median(gaps) * 100:.2f}%, max {max(gaps) * 100:.2f}% (20 instances)"
    )
    # 3. Heuristic on larger plans.
    for n in (20, 30):
        cost = instance(rng, n + 1)
        _, t = timed(heuristic, cost, 0, 0, list(range(1, n + 1)))
        print(f"heuristic, {n} stops: {t * 1000:.0f} ms")


if __name__ == "__main__":
    main()
