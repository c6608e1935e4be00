"""Public periods: last 12 months by month, calendar years, seasons."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.parsing import ParseError
from app.domain.periods import bounds

TODAY = date(2026, 12, 1)


def test_last_twelve_months_moves_by_month() -> None:
    since, until = bounds("last12", TODAY)
    assert (since.date(), until.date()) == (date(2026, 1, 1), date(2027, 1, 1))
    assert bounds("last12", date(2026, 12, 31)) == (since, until)


def test_years_and_seasons() -> None:
    assert [d.date() for d in bounds("2025", TODAY)] == [date(2025, 1, 1), date(2026, 1, 1)]
    winter = [d.date() for d in bounds("2026-winter", TODAY)]
    assert winter == [date(2025, 12, 1), date(2026, 3, 1)]
    assert [d.date() for d in bounds("2026-autumn", TODAY)] == [date(2026, 9, 1), date(2026, 12, 1)]


@pytest.mark.parametrize("code", ["", "last13", "1999", "2026-monsoon", "2026-01-01", "3000"])
def test_other_periods_are_refused(code: str) -> None:
    with pytest.raises(ParseError, match="period"):
        bounds(code, TODAY)
