"""Shift windows, ranking hotspots for a window, and the timetable of a plan.

A window is a set of weekdays and a start and end time of day; when the end
is not after the start the shift passes midnight, so Friday 20:00-02:00 is
Friday 20-24 plus Saturday 00-02. Hotspots are ranked for a window from
their 24-hour profile (`hours`) and their weekday/weekend counts, not from
their all-day totals: a place busy on weekday mornings should not outrank a
place busy on weekend nights for a Friday-night shift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Monday to Sunday; not geo.vocabulary.DAY_CODES (weekday/weekend).
WEEKDAY_CODES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
# In Swedish usage the weekend ("helgen") begins on Friday evening; residents
# who tick "weekend" for a Friday night out mean that night too.
WEEKEND_FROM = {"fri": 17 * 60, "sat": 0, "sun": 0}
MINUTES_PER_DAY = 24 * 60
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class WindowError(ValueError):
    """The shift window is not valid; the message says why."""


def parse_time(value: Any, field: str) -> int:
    """HH:MM -> minutes after midnight."""
    if not isinstance(value, str) or not (match := _TIME.match(value)):
        raise WindowError(f"{field} must be a time of day as HH:MM (00:00-23:59)")
    return int(match.group(1)) * 60 + int(match.group(2))


def format_time(minutes: float) -> str:
    """Minutes after the window's midnight -> HH:MM on a 24-hour clock."""
    whole = round(minutes) % MINUTES_PER_DAY
    return f"{whole // 60:02d}:{whole % 60:02d}"


@dataclass(frozen=True)
class Window:
    days: tuple[str, ...]
    start: int  # minutes after midnight
    end: int

    @property
    def passes_midnight(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        return (self.end - self.start) % MINUTES_PER_DAY or MINUTES_PER_DAY

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": list(self.days),
            "start": format_time(self.start),
            "end": format_time(self.end),
            "passes_midnight": self.passes_midnight,
            "minutes": self.minutes,
        }

    def segments(self) -> list[tuple[str, int, int]]:
        """(calendar day, from minute, to minute) pieces, split at midnight."""
        pieces: list[tuple[str, int, int]] = []
        for day in self.days:
            if self.passes_midnight:
                pieces.append((day, self.start, MINUTES_PER_DAY))
                if self.end > 0:
                    following = WEEKDAY_CODES[(WEEKDAY_CODES.index(day) + 1) % 7]
                    pieces.append((following, 0, self.end))
            else:
                pieces.append((day, self.start, self.end))
        return pieces


def parse_window(raw: Any) -> Window:
    if not isinstance(raw, Mapping):
        raise WindowError(
            'window must be an object like {"days": ["fri"], "start": "20:00", "end": "02:00"}'
        )
    unknown = set(raw) - {"days", "start", "end"}
    if unknown:
        raise WindowError(f"window has unknown fields: {', '.join(sorted(unknown))}")
    days = raw.get("days", list(WEEKDAY_CODES))
    if not isinstance(days, list) or not days:
        raise WindowError(
            "window.days must be a non-empty list of mon, tue, wed, thu, fri, sat, sun"
        )
    for day in days:
        if day not in WEEKDAY_CODES:
            raise WindowError(f"window.days: {day!r} is not one of {', '.join(WEEKDAY_CODES)}")
    if len(set(days)) != len(days):
        raise WindowError("window.days lists a day twice")
    start = parse_time(raw.get("start"), "window.start")
    end = parse_time(raw.get("end"), "window.end")
    if start == end:
        raise WindowError("window.start and window.end are the same time; a shift needs a length")
    ordered = tuple(sorted(days, key=WEEKDAY_CODES.index))
    return Window(ordered, start, end)


def is_weekend(day: str, minute: int) -> bool:
    begins = WEEKEND_FROM.get(day)
    return begins is not None and minute >= begins


def _hour_weights(window: Window) -> dict[tuple[bool, int], float]:
    """Hours of each (weekend?, hour of day) the window covers, over all its days."""
    weights: dict[tuple[bool, int], float] = {}
    for day, begin, finish in window.segments():
        minute = begin
        while minute < finish:
            hour_end = min(finish, (minute // 60 + 1) * 60)
            key = (is_weekend(day, minute), minute // 60)
            weights[key] = weights.get(key, 0.0) + (hour_end - minute) / 60
            minute = hour_end
    return weights


def _days_of_kind(hour: int) -> dict[bool, int]:
    """How many days of the week have this hour as weekend (True) / weekday (False)."""
    weekend = sum(1 for begin in WEEKEND_FROM.values() if hour * 60 >= begin)
    return {True: weekend, False: 7 - weekend}


_DAYS_OF_KIND = [_days_of_kind(hour) for hour in range(24)]
_WEEKEND_HOURS = sum(kinds[True] for kinds in _DAYS_OF_KIND)


def window_score(hotspot: Mapping[str, Any], window: Window) -> float:
    """The hotspot's distinct reporters x the share of its unsafety in this window.

    The hour profile and the weekday/weekend split are taken as independent
    within each kind of day: one covered hour h of a weekend day weighs
    hours[h] x weekend share / (sum of hours[h'] over all weekend hours of a
    week), so covering the whole week gives back the hotspot's full size.
    """
    hours = [float(v) for v in hotspot.get("hours") or [0.0] * 24]
    if len(hours) != 24:
        raise WindowError("a hotspot's hours profile must have 24 values")
    if sum(hours) <= 0:
        return 0.0
    days = hotspot.get("days") or {}
    weekday = float(days.get("weekday", 0) or 0)
    weekend = float(days.get("weekend", 0) or 0)
    if weekday + weekend <= 0:  # no day answers: spread over the week's hours
        weekday, weekend = 7 * 24 - _WEEKEND_HOURS, _WEEKEND_HOURS
    share = {False: weekday / (weekday + weekend), True: weekend / (weekday + weekend)}
    mass = {
        kind: sum(hours[h] * _DAYS_OF_KIND[h][kind] for h in range(24)) for kind in (False, True)
    }
    score = 0.0
    for (weekend_hour, hour), covered in _hour_weights(window).items():
        if mass[weekend_hour] > 0:
            score += covered * hours[hour] * share[weekend_hour] / mass[weekend_hour]
    size = float(hotspot.get("reporters") or hotspot.get("reports") or 0)
    return score * size


def rank_for_window(
    hotspots: Iterable[Mapping[str, Any]], window: Window
) -> list[tuple[float, Mapping[str, Any]]]:
    """Best first; ties keep the hotspot's own rank order."""
    scored = [(window_score(h, window), h) for h in hotspots]
    scored.sort(key=lambda pair: (-pair[0], pair[1].get("rank") or 0))
    return scored


@dataclass(frozen=True)
class Visit:
    node: int
    arrival: float  # minutes after the window's start day midnight
    departure: float


def timetable(
    leg_minutes: Sequence[float], start_minute: int, visit_minutes: float
) -> tuple[list[Visit], float]:
    """Arrival and departure for each stop; legs are start->s1, s1->s2, ..., sN->end.

    Returns the visits and the minute the patrol is back at the end point.
    """
    visits: list[Visit] = []
    clock = float(start_minute)
    for index, leg in enumerate(leg_minutes[:-1]):
        clock += leg
        visits.append(Visit(index, clock, clock + visit_minutes))
        clock += visit_minutes
    if leg_minutes:
        clock += leg_minutes[-1]
    return visits, clock
