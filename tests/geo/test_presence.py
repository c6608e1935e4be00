"""Presence planning maths, without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.patrol import WindowError
from geo.presence import (
    Group,
    hourly_risk,
    parse_shift,
    plan_week,
    straight_minutes,
)


def _hotspot(hid: str, peak: int, reporters: int = 10, weekend: int = 5) -> dict[str, object]:
    hours = [0.0] * 24
    hours[peak] = 2.0
    hours[(peak + 1) % 24] = 1.0
    return {
        "id": hid,
        "hours": hours,
        "days": {"weekday": 10 - weekend, "weekend": weekend},
        "reporters": reporters,
    }


def test_hourly_risk_adds_up_to_the_size_and_follows_the_profile() -> None:
    risk = hourly_risk(_hotspot("a", 22, reporters=12))
    assert len(risk) == 168
    assert sum(risk) == pytest.approx(12)
    friday_22 = 4 * 24 + 22
    assert risk[friday_22] > 0
    assert risk[4 * 24 + 10] == 0


def test_parse_shift_checks_people_and_window() -> None:
    shift = parse_shift({"days": ["fri", "sat"], "start": "20:00", "end": "02:00", "people": 4})
    assert shift.teams == 2 and shift.label == "20:00-02:00"
    with pytest.raises(WindowError):
        parse_shift({"days": ["fri"], "start": "20:00", "end": "02:00", "people": 0})
    with pytest.raises(WindowError):
        parse_shift({"days": ["fri"], "start": "25:00", "end": "02:00"})


def _groups(overlapping: bool = True) -> list[Group]:
    night = parse_shift({"days": ["fri"], "start": "21:00", "end": "23:00", "people": 2})
    return [
        Group("p", "Polis", "police", (night,)),
        Group("v", "Nattvandrare", "volunteers", (night,) if overlapping else ()),
    ]


def test_groups_stay_within_shifts_and_do_not_share_a_place_hour() -> None:
    hotspots = [_hotspot("a", 21), _hotspot("b", 21), _hotspot("c", 9)]
    travel = straight_minutes([(0, 0), (300, 0), (600, 0)], 1.3, 4.5)
    plan = plan_week(hotspots, _groups(), travel, monday=dt.date(2026, 12, 7))
    seen = set()
    for assignment in plan["assignments"]:
        assert assignment["day"] == "fri" and assignment["date"] == "2026-12-11"
        for stop in assignment["stops"]:
            assert "21:00" <= stop["arrival"] < stop["departure"] <= "23:00"
            key = (stop["hotspot_id"], stop["arrival"][:2])
            assert key not in seen
            seen.add(key)
    # Both night places are taken, one group each; the morning place is never visited.
    assert {s["hotspot_id"] for a in plan["assignments"] for s in a["stops"]} == {"a", "b"}
    assert 0 < plan["coverage"] < 1
    assert plan["uncovered"][0]["hotspot_id"] in {"a", "b", "c"}
    assert plan["coverage"] >= plan["naive_coverage"]


def test_overlap_only_when_asked() -> None:
    hotspots = [_hotspot("a", 21, reporters=50), _hotspot("b", 21, reporters=1)]
    travel = straight_minutes([(0, 0), (2000, 0)], 1.3, 4.5)
    apart = plan_week(hotspots, _groups(), travel)
    places = [a["stops"][0]["hotspot_id"] for a in apart["assignments"]]
    assert sorted(places) == ["a", "b"]
    together = plan_week(hotspots, _groups(), travel, overlap=True)
    # Together they add nothing at a full hour, so the planner still spreads out.
    assert together["coverage"] >= apart["coverage"] - 1e-9


def test_planned_beats_naive_when_groups_share_shifts() -> None:
    hotspots = [_hotspot(f"h{i}", 20 + i % 4, reporters=10 + i) for i in range(8)]
    travel = straight_minutes([(i * 250.0, 0.0) for i in range(8)], 1.3, 4.5)
    plan = plan_week(hotspots, _groups(), travel)
    assert plan["coverage"] > plan["naive_coverage"]
    assert plan["naive_coverage"] > 0


def test_no_hotspots_gives_an_empty_plan() -> None:
    plan = plan_week([], _groups(), [])
    assert plan["coverage"] == 0
    assert all(a["stops"] == [] for a in plan["assignments"])
