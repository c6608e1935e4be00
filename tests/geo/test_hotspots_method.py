"""Pure parts of the hotspot method: hours, splits, identity matching, the Monte Carlo threshold."""

from __future__ import annotations

import pytest
import shapely

from geo import hotspots as method
from geo import montecarlo


def cluster(cid: int, x: float, reporters: int, extent: float = 80.0) -> method.Cluster:
    return method.Cluster(cid, reporters, reporters, x, 0.0, extent, 10.0)


def test_night_spreads_over_eight_hours_across_midnight() -> None:
    hours = method.aoristic_hours([["night"], ["morning", "night"]])
    assert hours[23] == pytest.approx(1 / 8 + 1 / 12, abs=1e-3)
    assert hours[7] == pytest.approx(1 / 12, abs=1e-3)
    assert hours[12] == 0
    assert sum(hours) == pytest.approx(2, abs=1e-3)


def test_a_split_needs_two_separate_cores_with_enough_people() -> None:
    parent = cluster(1, 60, 40, extent=200)
    apart = [cluster(2, 0, 12), cluster(3, 120, 12)]
    assert method.split_outcome(parent, apart, 5, 50, 250)[0] == "split"
    # Cores close together: one place; look deeper inside the bigger core.
    close = [cluster(2, 0, 12), cluster(3, 40, 14, extent=150)]
    outcome, kept = method.split_outcome(parent, close, 5, 50, 250)
    assert outcome == "deeper" and [c.cid for c in kept] == [3]
    too_few = [cluster(2, 0, 12), cluster(3, 120, 3)]
    assert method.split_outcome(parent, too_few, 5, 50, 250)[0] == "keep"
    # A core too small to hold two places 2 eps apart is not searched further.
    small_core = [cluster(2, 0, 40, extent=90)]
    assert method.split_outcome(parent, small_core, 5, 50, 250) == ("keep", [])
    assert method.split_outcome(parent, [], 5, 50, 250) == ("keep", [])


def test_a_too_wide_cluster_shrinks_to_its_core_or_goes() -> None:
    wide = cluster(1, 0, 300, extent=900)
    outcome, kept = method.split_outcome(wide, [cluster(2, 0, 30)], 5, 50, 250)
    assert outcome == "split" and [c.cid for c in kept] == [2]
    assert method.split_outcome(wide, [], 5, 50, 250) == ("drop", [])


def test_minpoints_step_up_in_a_place_and_jump_in_a_dense_region() -> None:
    place = cluster(1, 0, 10)  # 10 neighbours on average
    assert method.next_minpoints(5, place, place, 250) == 8
    assert method.next_minpoints(30, place, place, 250) == 33
    # 5000 points in 800 m with 130 neighbours each on average: a region.
    dense = method.Cluster(1, 5000, 5000, 0, 0, 800, 130.0)
    jump = method.next_minpoints(5, dense, dense, 250)
    assert 130 + 3 * 11 < jump < 130 + 7 * 11
    assert montecarlo.poisson_upper(130.0, 0.05 / 5000) == jump - 1


def test_matching_is_one_to_one_by_largest_overlap() -> None:
    matched = method.match_identities(
        [(1, "a", 0.9, 0), (2, "a", 0.95, 0), (1, "b", 0.5, 0), (3, "c", 0.1, 0)]
    )
    assert matched == {2: "a", 1: "b"}


def test_codes_count_people_in_vocabulary_order() -> None:
    counts = method.count_codes(
        [["lighting", "drugs"], ["drugs"], ["drugs", "drugs"]], ("lighting", "drugs", "other")
    )
    assert counts == {"lighting": 1, "drugs": 3}


def test_rounded_count_only_goes_up_by_at_most_five_percent() -> None:
    for n in (1, 7, 20, 21, 99, 400, 401, 12345):
        assert n <= montecarlo.rounded_count(n) <= n * 1.05 + 1
    assert len({montecarlo.rounded_count(n) for n in range(400, 460)}) <= 4


def test_simulation_is_seeded_and_stays_inside_the_area() -> None:
    area = shapely.box(0, 0, 1000, 1000)
    a = montecarlo.simulate(area, 50, 3, 7)
    b = montecarlo.simulate(area, 50, 3, 7)
    assert (a.xs == b.xs).all() and len(a.xs) == 150
    assert ((a.xs >= 0) & (a.xs <= 1000)).all()
    assert a.quantile == 0.95


def test_a_big_simulation_uses_a_window_and_a_higher_quantile() -> None:
    area = shapely.box(0, 0, 4000, 4000)
    sim = montecarlo.simulate(area, 100_000, 99, 1)
    assert len(sim.xs) <= montecarlo.POINT_BUDGET
    assert 0.95 < sim.quantile < 1


def test_threshold_is_the_percentile_plus_one() -> None:
    assert montecarlo.threshold([0] * 99, 0.95) == 1
    assert montecarlo.threshold(list(range(100)), 0.95) == 96
