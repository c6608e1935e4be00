"""Order patrol stops to minimise walking cost.

The cost matrix covers every node: a start node, the stops, and an end node
(which may be the start again). The answer is an open path start -> all stops
-> end. Up to `EXACT_LIMIT` stops the order is optimal (Held-Karp dynamic
programming, O(2^n n^2)); above it a nearest-neighbour tour is improved with
2-opt and or-opt moves until neither finds a gain.

A seed varies the order among near-equal routes so patrols are not
predictable: the costs are jittered by at most `jitter` (relative), the
jittered problem is solved, and the result is kept only if its true cost is
within `tolerance` of the best unjittered route.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

EXACT_LIMIT = 12
KICKS = 60  # iterated local search restarts above EXACT_LIMIT
HELD_KARP = "held-karp (exact)"
HEURISTIC = "nearest-neighbour + 2-opt + or-opt (heuristic)"

Matrix = Sequence[Sequence[float]]


class RoutingError(ValueError):
    """The cost matrix or the node choice cannot give a route."""


@dataclass(frozen=True)
class Route:
    order: tuple[int, ...]  # stop node indices in visiting order (start/end excluded)
    cost: float  # true cost of start -> order -> end
    best_cost: float  # cost of the best route found without a seed
    method: str
    seed: int | None = None


def path_cost(cost: Matrix, start: int, order: Sequence[int], end: int) -> float:
    total = 0.0
    previous = start
    for node in order:
        total += cost[previous][node]
        previous = node
    return total + cost[previous][end]


def _check(cost: Matrix, start: int, end: int) -> int:
    size = len(cost)
    if size == 0 or any(len(row) != size for row in cost):
        raise RoutingError("the cost matrix must be square")
    if not (0 <= start < size and 0 <= end < size):
        raise RoutingError("start and end must be nodes of the matrix")
    for row in cost:
        for value in row:
            if not math.isfinite(value) or value < 0:
                raise RoutingError("costs must be finite and not negative (is a stop unreachable?)")
    return size


def held_karp(cost: Matrix, start: int, end: int, stops: Sequence[int]) -> tuple[float, list[int]]:
    """The optimal open path over `stops` (bit DP over subsets)."""
    n = len(stops)
    if n == 0:
        return cost[start][end], []
    full = (1 << n) - 1
    inf = math.inf
    # best[mask][j]: cheapest path from start through the stops in mask ending at stop j.
    best = [[inf] * n for _ in range(1 << n)]
    parent = [[-1] * n for _ in range(1 << n)]
    for j, node in enumerate(stops):
        best[1 << j][j] = cost[start][node]
    for mask in range(1, full + 1):
        row = best[mask]
        for j in range(n):
            here = row[j]
            if here == inf or not (mask >> j) & 1:
                continue
            from_row = cost[stops[j]]
            for k in range(n):
                if (mask >> k) & 1:
                    continue
                nxt = mask | (1 << k)
                candidate = here + from_row[stops[k]]
                if candidate < best[nxt][k]:
                    best[nxt][k] = candidate
                    parent[nxt][k] = j
    final = best[full]
    last = min(range(n), key=lambda j: final[j] + cost[stops[j]][end])
    total = final[last] + cost[stops[last]][end]
    order: list[int] = []
    mask, j = full, last
    while j != -1:
        order.append(stops[j])
        previous = parent[mask][j]
        mask &= ~(1 << j)
        j = previous
    order.reverse()
    return total, order


def _nearest_neighbour(cost: Matrix, start: int, stops: Sequence[int]) -> list[int]:
    left = list(stops)
    order: list[int] = []
    here = start
    while left:
        nxt = min(left, key=lambda node: cost[here][node])
        left.remove(nxt)
        order.append(nxt)
        here = nxt
    return order


def _two_opt(cost: Matrix, seq: list[int]) -> bool:
    """Apply the first improving segment reversal; True when one was found.

    `seq` is start + stops + end; deltas are O(1), also for asymmetric costs
    (the reversed inner edges are summed as the segment grows).
    """
    last = len(seq) - 2
    for i in range(1, last):
        before = seq[i - 1]
        inner = 0.0  # cost change of the reversed edges inside seq[i..k]
        for k in range(i + 1, last + 1):
            a, b = seq[k - 1], seq[k]
            inner += cost[b][a] - cost[a][b]
            after = seq[k + 1]
            delta = (
                cost[before][b]
                + cost[seq[i]][after]
                - cost[before][seq[i]]
                - cost[b][after]
                + inner
            )
            if delta < -1e-9:
                seq[i : k + 1] = seq[i : k + 1][::-1]
                return True
    return False


def _or_opt(cost: Matrix, seq: list[int]) -> bool:
    """Apply the first improving move of a run of 1-3 stops (either direction)."""
    n = len(seq) - 2
    for length in (1, 2, 3):
        for i in range(1, n - length + 2):
            j = i + length - 1
            first, final = seq[i], seq[j]
            prev, nxt = seq[i - 1], seq[j + 1]
            removed = cost[prev][first] + cost[final][nxt] - cost[prev][nxt]
            reverse_inner = sum(
                cost[seq[m + 1]][seq[m]] - cost[seq[m]][seq[m + 1]] for m in range(i, j)
            )
            rest = seq[:i] + seq[j + 1 :]
            for p in range(len(rest) - 1):
                if p == i - 1:
                    continue  # the place it came from
                a, b = rest[p], rest[p + 1]
                forward = cost[a][first] + cost[final][b] - cost[a][b]
                backward = cost[a][final] + cost[first][b] - cost[a][b] + reverse_inner
                segment = seq[i : j + 1]
                if forward - removed < -1e-9:
                    seq[:] = rest[: p + 1] + segment + rest[p + 1 :]
                    return True
                if backward - removed < -1e-9:
                    seq[:] = rest[: p + 1] + segment[::-1] + rest[p + 1 :]
                    return True
    return False


def _local_search(cost: Matrix, seq: list[int]) -> None:
    # Take improving moves until neither neighbourhood has one (a local optimum);
    # the cap only guards against float noise cycling.
    for _ in range(100_000):
        if not (_two_opt(cost, seq) or _or_opt(cost, seq)):
            break


def _double_bridge(seq: list[int], rng: random.Random) -> list[int]:
    """Cut the stops into four runs and swap the middle two: a kick 2-opt cannot undo."""
    inner = seq[1:-1]
    a, b, c = sorted(rng.sample(range(1, len(inner)), 3))
    return [seq[0], *inner[:a], *inner[b:c], *inner[a:b], *inner[c:], seq[-1]]


def heuristic(
    cost: Matrix, start: int, end: int, stops: Sequence[int], kicks: int = KICKS
) -> tuple[float, list[int]]:
    """Iterated local search: nearest neighbour, then 2-opt/or-opt after each kick.

    The kicks use a fixed seed, so the answer depends only on the costs.
    """
    best = [start, *_nearest_neighbour(cost, start, stops), end]
    _local_search(cost, best)
    best_value = path_cost(cost, start, best[1:-1], end)
    if len(stops) >= 8:
        rng = random.Random(0)
        for _ in range(kicks):
            trial = _double_bridge(best, rng)
            _local_search(cost, trial)
            value = path_cost(cost, start, trial[1:-1], end)
            if value < best_value - 1e-9:
                best, best_value = trial, value
    order = best[1:-1]
    return best_value, order


def _solve(
    cost: Matrix, start: int, end: int, stops: Sequence[int]
) -> tuple[float, list[int], str]:
    if len(stops) <= EXACT_LIMIT:
        value, order = held_karp(cost, start, end, stops)
        return value, order, HELD_KARP
    value, order = heuristic(cost, start, end, stops)
    return value, order, HEURISTIC


def order_stops(
    cost: Matrix,
    *,
    start: int = 0,
    end: int | None = None,
    seed: int | None = None,
    tolerance: float = 0.05,
) -> Route:
    """Visit every node except `start` and `end` once, cheapest first.

    With a seed, the order is one of the routes within `tolerance` (relative)
    of the best, chosen by the seed; without one it is the best found.
    """
    end = start if end is None else end
    size = _check(cost, start, end)
    stops = [node for node in range(size) if node not in (start, end)]
    best_value, best_order, method = _solve(cost, start, end, stops)
    if seed is None or len(stops) < 2:
        return Route(tuple(best_order), best_value, best_value, method, seed)
    rng = random.Random(seed)
    # (1 + j) / (1 - j) <= 1 + tolerance keeps a jittered optimum within tolerance.
    jitter = tolerance / (2 + tolerance)
    for _ in range(8):
        noisy = [[value * (1 + rng.uniform(-jitter, jitter)) for value in row] for row in cost]
        _, order, _ = _solve(noisy, start, end, stops)
        value = path_cost(cost, start, order, end)
        if value <= best_value * (1 + tolerance) + 1e-9:
            return Route(tuple(order), value, best_value, method, seed)
    return Route(tuple(best_order), best_value, best_value, method, seed)
