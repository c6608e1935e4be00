"""Before/after rates and the exact Poisson (conditional binomial) test."""

from __future__ import annotations

import pytest

from geo.evaluation import binomial_two_sided_p, clopper_pearson, compare_rates


def test_binomial_p_values_match_known_values() -> None:
    # Symmetric: 2 x (1 + 10 + 45 + 120) / 1024.
    assert binomial_two_sided_p(3, 10, 0.5) == pytest.approx(0.34375)
    assert binomial_two_sided_p(0, 10, 0.5) == pytest.approx(0.001953125)
    # Asymmetric, Binomial(5, 0.3): P(0) = 0.16807 plus the outcomes no more likely,
    # P(3) = 0.1323, P(4) = 0.02835, P(5) = 0.00243 (P(1), P(2) are more likely).
    assert binomial_two_sided_p(0, 5, 0.3) == pytest.approx(0.33115, abs=1e-5)
    assert binomial_two_sided_p(5, 10, 0.5) == pytest.approx(1.0)
    assert binomial_two_sided_p(0, 0, 0.5) == 1.0


def test_clopper_pearson_interval() -> None:
    low, high = clopper_pearson(3, 10)
    # Known exact 95% interval for 3 of 10.
    assert low == pytest.approx(0.0667, abs=1e-3)
    assert high == pytest.approx(0.6525, abs=1e-3)


def test_a_clear_drop_is_significant() -> None:
    result = compare_rates(before=40, after=8, before_days=180, after_days=180)
    assert result.before_per_30_days == pytest.approx(40 / 6)
    assert result.after_per_30_days == pytest.approx(8 / 6)
    assert result.rate_ratio == pytest.approx(0.2)
    assert result.p_value is not None and result.p_value < 0.001
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < 0.2 < result.ci_high < 1


def test_unequal_periods_are_compared_per_day() -> None:
    # Same rate (1 per 3 days) over 90 and 30 days: no evidence of change.
    result = compare_rates(before=30, after=10, before_days=90, after_days=30)
    assert result.rate_ratio == pytest.approx(1.0)
    assert result.p_value == pytest.approx(1.0)


def test_no_reports_before_gives_no_ratio_but_a_p_value() -> None:
    result = compare_rates(before=0, after=6, before_days=60, after_days=60)
    assert result.rate_ratio is None
    assert result.p_value == pytest.approx(2 * 0.5**6)


def test_no_after_period_yet() -> None:
    result = compare_rates(before=5, after=0, before_days=60, after_days=0)
    assert result.p_value is None and result.after_per_30_days is None
