"""Before/after comparison of report rates at a redesigned site.

Reports are counted inside the site's outline and in a ring around it (to
see displacement), before and after the completion date. Two Poisson counts
with exposures t0 (before) and t1 (after) are compared by the exact
conditional test: given n = a + b reports in total, the after count b is
Binomial(n, t1 / (t0 + t1)) when the rates are equal. The two-sided p-value
sums every outcome no more likely than the one observed (as scipy's
binomtest does); the rate-ratio interval is Clopper-Pearson, transformed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

PER_DAYS = 30.0
_RELATIVE = 1 + 1e-7  # float slack when comparing outcome probabilities


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def binomial_two_sided_p(k: int, n: int, p: float) -> float:
    """Exact two-sided binomial test p-value (method of small p-values)."""
    if n == 0:
        return 1.0
    observed = _log_pmf(k, n, p)
    total = 0.0
    for outcome in range(n + 1):
        value = _log_pmf(outcome, n, p)
        if value <= observed + math.log(_RELATIVE):
            total += math.exp(value)
    return min(1.0, total)


def _cdf(k: int, n: int, p: float) -> float:
    return min(1.0, sum(math.exp(_log_pmf(i, n, p)) for i in range(k + 1)))


def _bisect(function: Any, target: float) -> float:
    """p in [0, 1] where a decreasing function of p crosses target."""
    low, high = 0.0, 1.0
    for _ in range(60):
        middle = (low + high) / 2
        if function(middle) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def clopper_pearson(k: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    lower = 0.0 if k == 0 else _bisect(lambda p: -(1 - _cdf(k - 1, n, p)), -alpha / 2)
    upper = 1.0 if k == n else _bisect(lambda p: _cdf(k, n, p), alpha / 2)
    return lower, upper


@dataclass(frozen=True)
class RateComparison:
    before: int
    after: int
    before_days: float
    after_days: float
    before_per_30_days: float | None
    after_per_30_days: float | None
    rate_ratio: float | None  # after rate / before rate
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    test: str = "exact conditional Poisson test (binomial), two-sided"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rate(count: int, days: float) -> float | None:
    return None if days <= 0 else count / days * PER_DAYS


def _ratio_from_share(share: float, before_days: float, after_days: float) -> float | None:
    # share = after / (before + after) reports; the rate ratio follows from the odds.
    if share >= 1.0:
        return None  # unbounded
    return share / (1 - share) * before_days / after_days


def compare_rates(
    before: int, after: int, before_days: float, after_days: float, alpha: float = 0.05
) -> RateComparison:
    if before < 0 or after < 0:
        raise ValueError("counts cannot be negative")
    if before_days <= 0 or after_days <= 0:
        return RateComparison(
            before,
            after,
            before_days,
            after_days,
            _rate(before, before_days),
            _rate(after, after_days),
            None,
            None,
            None,
            None,
        )
    n = before + after
    expected_share = after_days / (before_days + after_days)
    p_value = binomial_two_sided_p(after, n, expected_share)
    ratio = None if before == 0 else (after / after_days) / (before / before_days)
    low = high = None
    if n > 0:
        share_low, share_high = clopper_pearson(after, n, alpha)
        low = _ratio_from_share(share_low, before_days, after_days)
        high = _ratio_from_share(share_high, before_days, after_days)
    return RateComparison(
        before=before,
        after=after,
        before_days=before_days,
        after_days=after_days,
        before_per_30_days=_rate(before, before_days),
        after_per_30_days=_rate(after, after_days),
        rate_ratio=ratio,
        ci_low=low,
        ci_high=high,
        p_value=p_value,
    )
