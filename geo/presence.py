"""Presence planning: which team stands at which place, hour by hour, over a week.

Every hotspot has a risk for each of the 168 hours of the week, taken from its
24-hour profile and its weekday/weekend counts the same way as
`geo.patrol.window_score` (a whole week adds up to the hotspot's size).
A group's shift on one day is a *duty*, walked by `people // TEAM_SIZE`
teams (at least one). Each team spends each hour of its duty at one place;
moving costs the walking minutes between the places, taken out of the next
hour. A place-hour counts as covered by the share of the hour someone is
there, so the risk-weighted coverage of a plan is

    sum(risk x covered share) / sum(risk)      over all place-hours of the week.

The planner solves each team's duty exactly given the others (dynamic
programming over hours x places), teams in order of what they can gain,
then improves every team once more against the final plan of the rest.
Unless `overlap` is asked for, no two teams stand at one place in one hour.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from geo.patrol import (
    MINUTES_PER_DAY,
    WEEKDAY_CODES,
    Window,
    WindowError,
    format_time,
    is_weekend,
    parse_window,
)
from geo.routing import order_stops

HOURS = 24 * 7
TEAM_SIZE = 2  # people patrol in pairs; a shift of 4 is two teams
MAX_PEOPLE = 50
ROUNDS = 2
UNCOVERED_LIMIT = 10
FORBIDDEN = -1e12


@dataclass(frozen=True)
class Shift:
    window: Window
    people: int

    @property
    def label(self) -> str:
        return f"{format_time(self.window.start)}-{format_time(self.window.end)}"

    @property
    def teams(self) -> int:
        return max(1, self.people // TEAM_SIZE)

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": list(self.window.days),
            "start": format_time(self.window.start),
            "end": format_time(self.window.end),
            "people": self.people,
        }


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    kind: str
    shifts: tuple[Shift, ...]


def parse_shift(raw: Any) -> Shift:
    """{"days": [...], "start": "HH:MM", "end": "HH:MM", "people": n}; WindowError if not."""
    if not isinstance(raw, Mapping):
        raise WindowError('a shift is an object like {"days": ["fri"], "start": "20:00", ...}')
    people = raw.get("people", TEAM_SIZE)
    if not isinstance(people, int) or isinstance(people, bool) or not 1 <= people <= MAX_PEOPLE:
        raise WindowError(f"shift.people must be a whole number from 1 to {MAX_PEOPLE}")
    window = parse_window({k: v for k, v in raw.items() if k != "people"})
    return Shift(window, people)


def hourly_risk(hotspot: Mapping[str, Any]) -> list[float]:
    """168 values, Monday 00-01 first; they add up to the hotspot's reporters."""
    hours = [float(v) for v in hotspot.get("hours") or [0.0] * 24]
    if len(hours) != 24 or sum(hours) <= 0:
        return [0.0] * HOURS
    days = hotspot.get("days") or {}
    weekday = float(days.get("weekday", 0) or 0)
    weekend = float(days.get("weekend", 0) or 0)
    kinds = [[is_weekend(day, hour * 60) for hour in range(24)] for day in WEEKDAY_CODES]
    mass = {False: 0.0, True: 0.0}
    for day in range(7):
        for hour in range(24):
            mass[kinds[day][hour]] += hours[hour]
    if weekday + weekend <= 0:  # no day answers: spread by how many hours each kind has
        weekday = float(sum(1 for row in kinds for k in row if not k))
        weekend = float(sum(1 for row in kinds for k in row if k))
    share = {False: weekday / (weekday + weekend), True: weekend / (weekday + weekend)}
    size = float(hotspot.get("reporters") or hotspot.get("reports") or 0)
    out = []
    for day in range(7):
        for hour in range(24):
            kind = kinds[day][hour]
            out.append(size * hours[hour] * share[kind] / mass[kind] if mass[kind] else 0.0)
    return out


def straight_minutes(
    xy: Sequence[tuple[float, float]], detour: float, speed_kmh: float
) -> list[list[float]]:
    """Walking minutes between projected points: straight lines times a detour factor."""
    per_minute = speed_kmh * 1000 / 60
    return [[math.dist(a, b) * detour / per_minute for b in xy] for a in xy]


@dataclass
class Duty:
    """One team of one group on one day of one shift: the hours it can stand somewhere."""

    group: int
    shift: int
    day: int  # 0 = Monday
    team: int
    slots: list[tuple[int, int]]  # (first minute, last minute) of the week, within one hour
    places: list[int | None] | None = None  # the place of each slot (None = nowhere)


def duties_of(groups: Sequence[Group]) -> list[Duty]:
    out: list[Duty] = []
    for g, group in enumerate(groups):
        for s, shift in enumerate(group.shifts):
            for code in shift.window.days:
                day = WEEKDAY_CODES.index(code)
                begin = day * MINUTES_PER_DAY + shift.window.start
                finish = begin + shift.window.minutes
                slots = []
                minute = begin
                while minute < finish:
                    edge = min(finish, (minute // 60 + 1) * 60)
                    slots.append((minute, edge))
                    minute = edge
                out.extend(Duty(g, s, day, t, list(slots)) for t in range(shift.teams))
    return out


def _hour(minute: int) -> int:
    return (minute // 60) % HOURS


class Board:
    """Who stands where: presence minutes and teams per place-hour."""

    def __init__(self, places: int) -> None:
        self.minutes = np.zeros((places, HOURS))
        self.teams = np.zeros((places, HOURS), dtype=np.int32)

    def apply(self, duty: Duty, travel: np.ndarray, sign: int) -> None:
        places = duty.places or []
        for k, place in enumerate(places):
            if place is None:
                continue
            first, last = duty.slots[k]
            previous = places[k - 1] if k else None
            moving = travel[previous, place] if previous is not None else 0.0
            here = max(0.0, (last - first) - moving)
            self.minutes[place, _hour(first)] += sign * here
            self.teams[place, _hour(first)] += sign

    def shares(self) -> np.ndarray:
        return np.minimum(1.0, self.minutes / 60.0)


def _solve_duty(
    duty: Duty, risk: np.ndarray, travel: np.ndarray, board: Board, overlap: bool
) -> tuple[float, list[int | None]]:
    """The best place for each hour of the duty, given the board (Viterbi over places)."""
    n = risk.shape[0]
    value = np.zeros(n)
    back: list[np.ndarray] = []
    for k, (first, last) in enumerate(duty.slots):
        hour = _hour(first)
        have = board.minutes[:, hour]
        weight = risk[:, hour] / 60.0
        length = float(last - first)
        # here[q, p]: minutes at p in this slot after walking from q.
        here = np.maximum(0.0, length - travel) if k else np.full((n, n), length)
        gain = weight[None, :] * (np.minimum(60.0, have[None, :] + here) - np.minimum(60.0, have))
        if not overlap:
            gain[:, board.teams[:, hour] > 0] = FORBIDDEN
        total = value[:, None] + gain
        best_from = np.argmax(total, axis=0)
        value = total[best_from, np.arange(n)]
        back.append(best_from)
    end = int(np.argmax(value))
    best = float(value[end])
    path = [end]
    for k in range(len(duty.slots) - 1, 0, -1):
        path.append(int(back[k][path[-1]]))
    path.reverse()
    places: list[int | None] = list(path)
    if not overlap:  # a team with nowhere free to stand in an hour stands nowhere
        for k, place in enumerate(path):
            if board.teams[place, _hour(duty.slots[k][0])] > 0:
                places[k] = None
    return best, places


def plan_duties(
    duties: list[Duty], risk: np.ndarray, travel: np.ndarray, *, overlap: bool = False
) -> Board:
    board = Board(risk.shape[0])
    if risk.shape[0] == 0:
        return board
    alone = [(_solve_duty(d, risk, travel, board, overlap)[0], i) for i, d in enumerate(duties)]
    for _, i in sorted(alone, reverse=True):
        _, duties[i].places = _solve_duty(duties[i], risk, travel, board, overlap)
        board.apply(duties[i], travel, +1)
    for _ in range(ROUNDS - 1):
        for duty in duties:
            board.apply(duty, travel, -1)
            _, duty.places = _solve_duty(duty, risk, travel, board, overlap)
            board.apply(duty, travel, +1)
    return board


def naive_duties(duties: list[Duty], risk: np.ndarray, travel: np.ndarray) -> Board:
    """Each team takes the top places for its own shift, one an hour, in walking order."""
    board = Board(risk.shape[0])
    if risk.shape[0] == 0:
        return board
    for duty in duties:
        hours = [_hour(first) for first, _ in duty.slots]
        score = risk[:, hours].sum(axis=1)
        top = [int(p) for p in np.argsort(-score, kind="stable")[: len(duty.slots)]]
        if len(top) > 2:
            nodes = top + [top[0]]
            sub = [[float(travel[a, b]) for b in nodes] for a in nodes]
            route = order_stops(sub, start=0, end=len(nodes) - 1)
            top = [top[0], *[nodes[i] for i in route.order if i != 0]][: len(duty.slots)]
        duty.places = [top[k % len(top)] for k in range(len(duty.slots))]
        board.apply(duty, travel, +1)
    return board


def coverage(risk: np.ndarray, board: Board) -> float:
    total = float(risk.sum())
    return float((risk * board.shares()).sum()) / total if total > 0 else 0.0


def _stops(duty: Duty, travel: np.ndarray) -> list[tuple[int, int, int]]:
    """(place, arrival minute, departure minute) with consecutive hours merged."""
    stops: list[tuple[int, int, int]] = []
    previous: int | None = None
    for k, place in enumerate(duty.places or []):
        first, last = duty.slots[k]
        if place is None:
            previous = None
            continue
        if stops and previous == place and stops[-1][2] == first:
            stops[-1] = (place, stops[-1][1], last)
        else:
            moving = float(travel[previous, place]) if previous is not None else 0.0
            stops.append((place, min(last, first + round(moving)), last))
        previous = place
    return stops


def _when(monday: dt.date | None, minute: int) -> dict[str, Any]:
    day = minute // MINUTES_PER_DAY
    out: dict[str, Any] = {"time": format_time(minute % MINUTES_PER_DAY)}
    if monday is not None:
        moment = dt.datetime.combine(monday + dt.timedelta(days=day), dt.time()) + dt.timedelta(
            minutes=minute % MINUTES_PER_DAY
        )
        out["at"] = moment.isoformat(timespec="minutes")
    return out


def plan_week(
    hotspots: Sequence[Mapping[str, Any]],
    groups: Sequence[Group],
    travel_minutes: Sequence[Sequence[float]],
    *,
    monday: dt.date | None = None,
    overlap: bool = False,
    with_naive: bool = True,
) -> dict[str, Any]:
    """The week's plan: assignments, coverage, the riskiest uncovered place-hours, a grid."""
    ids = [str(h["id"]) for h in hotspots]
    risk = np.array([hourly_risk(h) for h in hotspots]).reshape(len(ids), HOURS)
    travel = np.array(travel_minutes, dtype=float).reshape(len(ids), len(ids))
    duties = duties_of(groups)
    board = plan_duties(duties, risk, travel, overlap=overlap)
    assignments = []
    for duty in duties:
        group = groups[duty.group]
        shift = group.shifts[duty.shift]
        stops = []
        for place, arrival, departure in _stops(duty, travel):
            a, d = _when(monday, arrival), _when(monday, departure)
            stop = {"hotspot_id": ids[place], "arrival": a["time"], "departure": d["time"]}
            if monday is not None:
                stop["arrival_at"], stop["departure_at"] = a["at"], d["at"]
            stops.append(stop)
        assignment: dict[str, Any] = {
            "group_id": group.id,
            "group": group.name,
            "kind": group.kind,
            "day": WEEKDAY_CODES[duty.day],
            "shift": shift.label,
            "team": duty.team + 1,
            "people": min(TEAM_SIZE, shift.people) if shift.teams > 1 else shift.people,
            "stops": stops,
        }
        if monday is not None:
            assignment["date"] = (monday + dt.timedelta(days=duty.day)).isoformat()
        assignments.append(assignment)
    shares = board.shares()
    left = risk * (1.0 - shares)
    order = np.argsort(-left, axis=None, kind="stable")[:UNCOVERED_LIMIT]
    uncovered = []
    for flat in order:
        place, hour = divmod(int(flat), HOURS)
        if left[place, hour] <= 0:
            break
        uncovered.append(
            {
                "hotspot_id": ids[place],
                "day": WEEKDAY_CODES[hour // 24],
                "hour": f"{hour % 24:02d}:00",
                "risk": round(float(risk[place, hour]), 3),
                "covered_share": round(float(shares[place, hour]), 2),
            }
        )
    answer: dict[str, Any] = {
        "assignments": assignments,
        "coverage": round(coverage(risk, board), 4),
        "uncovered": uncovered,
        "grid": [
            {
                "hotspot_id": ids[p],
                "risk": [round(float(v), 3) for v in risk[p]],
                "covered": [round(float(v), 2) for v in shares[p]],
            }
            for p in range(len(ids))
        ],
        "overlap": overlap,
        "team_size": TEAM_SIZE,
    }
    if with_naive:
        naive = naive_duties(duties_of(groups), risk, travel)
        answer["naive_coverage"] = round(coverage(risk, naive), 4)
    return answer
