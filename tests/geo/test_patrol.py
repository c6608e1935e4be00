"""Shift windows (also across midnight), window ranking and the timetable."""

from __future__ import annotations

from typing import Any

import pytest

from geo.patrol import (
    WEEKDAY_CODES,
    WindowError,
    format_time,
    parse_window,
    rank_for_window,
    timetable,
    window_score,
)


def hotspot(
    hid: int,
    hours: dict[int, float],
    weekday: int,
    weekend: int,
    reporters: int = 10,
    rank: int = 1,
) -> dict[str, Any]:
    profile = [0.0] * 24
    for hour, value in hours.items():
        profile[hour] = value
    return {
        "id": hid,
        "hours": profile,
        "days": {"weekday": weekday, "weekend": weekend},
        "reporters": reporters,
        "reports": reporters,
        "rank": rank,
    }


def test_window_passing_midnight_covers_the_next_morning() -> None:
    window = parse_window({"days": ["fri", "sat"], "start": "20:00", "end": "02:00"})
    assert window.passes_midnight
    assert window.minutes == 6 * 60
    assert window.segments() == [
        ("fri", 1200, 1440),
        ("sat", 0, 120),
        ("sat", 1200, 1440),
        ("sun", 0, 120),
    ]


def test_sunday_night_shift_wraps_to_monday() -> None:
    window = parse_window({"days": ["sun"], "start": "22:30", "end": "00:30"})
    assert window.segments() == [("sun", 1350, 1440), ("mon", 0, 30)]
    assert window.as_dict()["minutes"] == 120


def test_window_ending_at_midnight_has_no_next_day_piece() -> None:
    window = parse_window({"days": ["mon"], "start": "18:00", "end": "00:00"})
    assert window.segments() == [("mon", 1080, 1440)]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"days": ["friday"], "start": "20:00", "end": "02:00"}, "not one of"),
        ({"days": [], "start": "20:00", "end": "02:00"}, "non-empty"),
        ({"days": ["fri"], "start": "24:00", "end": "02:00"}, "HH:MM"),
        ({"days": ["fri"], "start": "8:00", "end": "02:00"}, "HH:MM"),
        ({"days": ["fri"], "start": "20:00", "end": "20:00"}, "same time"),
        ({"days": ["fri", "fri"], "start": "20:00", "end": "02:00"}, "twice"),
        ({"days": ["fri"], "start": "20:00", "end": "02:00", "x": 1}, "unknown"),
        ("fri 20-02", "object"),
    ],
)
def test_bad_windows_say_why(raw: Any, message: str) -> None:
    with pytest.raises(WindowError, match=message):
        parse_window(raw)


def test_night_place_outranks_a_bigger_morning_place_for_a_friday_night() -> None:
    night = hotspot(1, {22: 3, 23: 3, 0: 2, 1: 2}, weekday=2, weekend=8, reporters=8, rank=2)
    morning = hotspot(2, {7: 5, 8: 5, 9: 5}, weekday=12, weekend=2, reporters=20, rank=1)
    friday = parse_window({"days": ["fri", "sat"], "start": "20:00", "end": "02:00"})
    ranked = rank_for_window([morning, night], friday)
    assert [h["id"] for _, h in ranked] == [1, 2]
    assert ranked[1][0] == 0.0
    weekday_morning = parse_window({"days": ["mon", "tue"], "start": "06:00", "end": "10:00"})
    assert [h["id"] for _, h in rank_for_window([night, morning], weekday_morning)] == [2, 1]


def test_weekend_nights_weigh_more_than_weekday_nights_for_a_weekend_place() -> None:
    place = hotspot(1, dict.fromkeys(range(24), 1), weekday=1, weekend=9)
    tuesday = parse_window({"days": ["tue"], "start": "20:00", "end": "02:00"})
    saturday = parse_window({"days": ["sat"], "start": "20:00", "end": "02:00"})
    assert window_score(place, saturday) > 5 * window_score(place, tuesday)


def test_whole_week_gives_back_the_full_size() -> None:
    place = hotspot(1, {h: h + 1 for h in range(24)}, weekday=3, weekend=4, reporters=12)
    total = sum(
        window_score(place, parse_window({"days": [d], "start": "00:00", "end": "12:00"}))
        + window_score(place, parse_window({"days": [d], "start": "12:00", "end": "00:00"}))
        for d in WEEKDAY_CODES
    )
    assert total == pytest.approx(12)


def test_ties_keep_the_hotspot_rank() -> None:
    a = hotspot(1, {21: 1}, 1, 1, rank=2)
    b = hotspot(2, {21: 1}, 1, 1, rank=1)
    window = parse_window({"days": ["wed"], "start": "21:00", "end": "22:00"})
    assert [h["id"] for _, h in rank_for_window([a, b], window)] == [2, 1]


def test_timetable_wraps_past_midnight() -> None:
    visits, back = timetable([10, 5, 20], start_minute=23 * 60 + 40, visit_minutes=15)
    assert [(format_time(v.arrival), format_time(v.departure)) for v in visits] == [
        ("23:50", "00:05"),
        ("00:10", "00:25"),
    ]
    assert format_time(back) == "00:45"
