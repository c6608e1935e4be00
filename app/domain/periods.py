"""The fixed periods the public map offers: last 12 months, a calendar year, a season.

A fixed set of periods keeps the set of public answers small enough to
compute once and cache (issue 10); staff keep free `since`/`until`.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from app.domain.parsing import LOCAL_TZ, ParseError, midnight

LAST_12_MONTHS = "last12"
SEASONS = ("winter", "spring", "summer", "autumn")
# First month of each season; winter starts in December of the year before.
_SEASON_START = {"winter": 12, "spring": 3, "summer": 6, "autumn": 9}
_YEAR = re.compile(r"^(\d{4})(?:-(winter|spring|summer|autumn))?$")
OLDEST_YEAR = 2000


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bounds(code: str, today: date | None = None) -> tuple[datetime, datetime]:
    """[since, until) of a public period, Swedish midnights.

    `last12` runs from the first of the month twelve months back to the first
    of next month, so it changes once a month, not every second.
    """
    today = today or datetime.now(LOCAL_TZ).date()
    if code == LAST_12_MONTHS:
        this_month = today.replace(day=1)
        return midnight(_add_months(this_month, -11)), midnight(_add_months(this_month, 1))
    found = _YEAR.match(code)
    if not found or not OLDEST_YEAR <= int(found.group(1)) <= today.year + 1:
        raise ParseError(
            f"period: '{code}' is not one of last12, a year (e.g. {today.year}) or a season "
            f"(e.g. {today.year}-summer: {', '.join(SEASONS)})"
        )
    year, season = int(found.group(1)), found.group(2)
    if season is None:
        return midnight(date(year, 1, 1)), midnight(date(year + 1, 1, 1))
    month = _SEASON_START[season]
    start = date(year - 1, 12, 1) if season == "winter" else date(year, month, 1)
    return midnight(start), midnight(_add_months(start, 3))


def offered(today: date | None = None, years: int = 3) -> list[str]:
    """The periods the public map lists, newest first: last12, the seasons that have
    begun in this and last year, and the last `years` calendar years."""
    today = today or datetime.now(LOCAL_TZ).date()
    seasons = []
    for year in (today.year + 1, today.year, today.year - 1):
        for season in reversed(SEASONS):
            code = f"{year}-{season}"
            if bounds(code, today)[0].date() <= today:
                seasons.append(code)
    return [LAST_12_MONTHS, *seasons[:4], *(str(today.year - i) for i in range(years))]
