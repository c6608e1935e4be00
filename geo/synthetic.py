"""Seeded synthetic reports with a known truth, for demo data and benchmarks.

Everything is generated in SWEREF 99 TM metres around central Vänersborg and
converted to WGS 84 at the end. No real person's data is involved: reporters
are numbered synthetic identities.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from geo.crs import VANERSBORG_LAT, VANERSBORG_LON, lonlat_to_sweref, sweref_to_lonlat
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES, TIME_HOURS


@dataclass(frozen=True)
class Place:
    """A true hotspot: centre offset from the town centre, spread and character."""

    dx: float
    dy: float
    spread: float
    weight: float
    reasons: tuple[str, ...]
    times: tuple[str, ...]
    days: tuple[str, ...] = ("weekday", "weekend")


@dataclass
class Scenario:
    places: list[Place]
    reporters: int = 400
    share_at_places: float = 0.6
    half_side: float = 1000.0  # the uniform background covers a square this far out
    heavy_user_share: float = 0.05
    spam_reports: int = 0
    spam_accounts: int = 1
    spam_offset: tuple[float, float] = (-600.0, 550.0)
    line_share: float = 0.0
    polygon_share: float = 0.0
    start: datetime = field(default_factory=lambda: datetime(2026, 3, 1, tzinfo=UTC))
    days_span: int = 180
    # Address groups (/24) genuine people come from: 0 gives each their own; a
    # few (3) is a carrier-NAT town where neighbours share addresses.
    address_groups: int = 0
    # Spam reports all fall within this many hours (0: spread over the span).
    spam_hours: float = 0.0
    # A busy centre (issue 15): this share of the background falls in a square
    # this far out instead of the whole area.
    busy_half_side: float = 0.0
    busy_share: float = 0.0


@dataclass(frozen=True)
class SyntheticReport:
    x: float
    y: float
    reporter: str
    place: int | None  # index of the true place, None for background, -1 for spam
    reasons: list[str]
    times: list[str]
    days: list[str]
    severity: int
    created_at: datetime
    shape: str = "Point"  # Point, LineString or Polygon around (x, y)
    # The address group (/24) the person's device was first seen from.
    address: str = ""

    def geometry(self) -> dict[str, Any]:
        """GeoJSON geometry in WGS 84."""
        if self.shape == "LineString":
            coords = [
                sweref_to_lonlat(self.x - 40, self.y - 10),
                sweref_to_lonlat(self.x + 40, self.y + 10),
            ]
            return {"type": "LineString", "coordinates": [list(c) for c in coords]}
        if self.shape == "Polygon":
            d = 20.0
            ring = [
                (self.x - d, self.y - d),
                (self.x + d, self.y - d),
                (self.x + d, self.y + d),
                (self.x - d, self.y + d),
                (self.x - d, self.y - d),
            ]
            return {"type": "Polygon", "coordinates": [[list(sweref_to_lonlat(*p)) for p in ring]]}
        return {"type": "Point", "coordinates": list(sweref_to_lonlat(self.x, self.y))}

    def feature(self, label: str = "synthetic") -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": self.geometry(),
            "properties": {
                "kind": "unsafe",
                "severity": self.severity,
                "reasons": self.reasons,
                "times": self.times,
                "days": self.days,
                "client_token": f"{label}-reporter-{self.reporter}",
                "created_at": self.created_at.isoformat(),
            },
        }


def centre_xy() -> tuple[float, float]:
    return lonlat_to_sweref(VANERSBORG_LON, VANERSBORG_LAT)


def _pick(
    rng: np.random.Generator, options: tuple[str, ...], extra_pool: tuple[str, ...]
) -> list[str]:
    chosen = {str(rng.choice(options))}
    if rng.random() < 0.4:
        chosen.add(str(rng.choice(extra_pool)))
    return sorted(chosen)


def generate(scenario: Scenario, seed: int) -> list[SyntheticReport]:
    rng = np.random.default_rng(seed)
    cx, cy = centre_xy()
    weights = np.array([p.weight for p in scenario.places], dtype=float)
    weights /= weights.sum()
    out: list[SyntheticReport] = []

    def when() -> datetime:
        return scenario.start + timedelta(seconds=float(rng.uniform(0, scenario.days_span * 86400)))

    def shape() -> str:
        r = rng.random()
        if r < scenario.line_share:
            return "LineString"
        if r < scenario.line_share + scenario.polygon_share:
            return "Polygon"
        return "Point"

    def at_place(reporter: str, i: int) -> SyntheticReport:
        place = scenario.places[i]
        x = cx + place.dx + rng.normal(0, place.spread)
        y = cy + place.dy + rng.normal(0, place.spread)
        return SyntheticReport(
            x,
            y,
            reporter,
            i,
            _pick(rng, place.reasons, REASON_CODES),
            _pick(rng, place.times, place.times),
            sorted({str(rng.choice(place.days))}),
            int(rng.integers(1, 4)),
            when(),
            shape(),
        )

    def background(reporter: str) -> SyntheticReport:
        half = scenario.half_side
        if scenario.busy_share and rng.random() < scenario.busy_share:
            half = scenario.busy_half_side
        x = cx + rng.uniform(-half, half)
        y = cy + rng.uniform(-half, half)
        return SyntheticReport(
            x,
            y,
            reporter,
            None,
            _pick(rng, REASON_CODES, REASON_CODES),
            _pick(rng, TIME_CODES, TIME_CODES),
            sorted({str(rng.choice(DAY_CODES))}),
            int(rng.integers(1, 4)),
            when(),
            "Point",
        )

    for r in range(scenario.reporters):
        reporter = f"r{r}"
        n = 1 + int(rng.poisson(1.5))
        for _ in range(n):
            if rng.random() < scenario.share_at_places:
                out.append(at_place(reporter, int(rng.choice(len(weights), p=weights))))
            else:
                out.append(background(reporter))
        if rng.random() < scenario.heavy_user_share:
            # A heavy user repeats one spot many times; it must count once.
            base = out[-1]
            for _ in range(int(rng.integers(5, 16))):
                out.append(
                    SyntheticReport(
                        base.x + rng.normal(0, 5),
                        base.y + rng.normal(0, 5),
                        reporter,
                        base.place,
                        base.reasons,
                        base.times,
                        base.days,
                        base.severity,
                        when(),
                    )
                )
    sx, sy = cx + scenario.spam_offset[0], cy + scenario.spam_offset[1]
    # Drawn only when needed, so older scenarios keep their random streams.
    spam_start = when() if scenario.spam_hours else scenario.start

    def spam_when() -> datetime:
        if not scenario.spam_hours:
            return when()
        return spam_start + timedelta(seconds=float(rng.uniform(0, scenario.spam_hours * 3600)))

    for k in range(scenario.spam_reports):
        account = f"spam{k % max(1, scenario.spam_accounts)}"
        out.append(
            SyntheticReport(
                sx + rng.normal(0, 5),
                sy + rng.normal(0, 5),
                account,
                -1,
                ["groups"],
                ["night"],
                ["weekend"],
                3,
                spam_when(),
            )
        )
    return with_addresses(out, scenario.address_groups, rng)


def with_addresses(
    reports: list[SyntheticReport], groups: int, rng: np.random.Generator
) -> list[SyntheticReport]:
    """Each person's address group: spam accounts share one, others their own (or one
    of `groups` when set: carrier NAT)."""
    chosen: dict[str, str] = {}
    out = []
    for r in reports:
        if r.reporter not in chosen:
            if r.reporter.startswith("spam"):
                chosen[r.reporter] = "spam-net"
            elif groups:
                chosen[r.reporter] = f"carrier-{int(rng.integers(0, groups))}"
            else:
                chosen[r.reporter] = f"net-{r.reporter}"
        out.append(replace(r, address=chosen[r.reporter]))
    return out


def abuse(
    kind: str, spot: tuple[float, float], start: datetime, rng: np.random.Generator
) -> list[SyntheticReport]:
    """The issue's other abuse patterns at `spot` (SWEREF offsets from the centre).

    repeaters: three tokens (own addresses) each repeating 10-25 reports there
    over months, plus two passers-by; campaign: 15 fresh tokens from one /24
    within one day, one to three reports each.
    """
    cx, cy = centre_xy()
    out = []

    def report(reporter: str, address: str, at: datetime) -> SyntheticReport:
        x, y = cx + spot[0] + rng.normal(0, 6), cy + spot[1] + rng.normal(0, 6)
        return SyntheticReport(
            x, y, reporter, -1, ["groups"], ["night"], ["weekend"], 3, at, "Point", address
        )

    if kind == "repeaters":
        for k in range(3):
            for _ in range(int(rng.integers(10, 26))):
                at = start + timedelta(days=float(rng.uniform(0, 120)))
                out.append(report(f"spam-rep{k}", f"rep-net-{k}", at))
        for k in range(2):
            at = start + timedelta(days=float(rng.uniform(0, 120)))
            out.append(report(f"passer{k}", f"passer-net-{k}", at))
    elif kind == "campaign":
        for k in range(15):
            for _ in range(int(rng.integers(1, 4))):
                at = start + timedelta(hours=float(rng.uniform(0, 24)))
                out.append(report(f"spam-camp{k}", "campaign-net", at))
    else:
        raise ValueError(kind)
    return out


DEMO_PLACES = [
    Place(-250, 180, 18, 3.0, ("lighting", "deserted"), ("evening", "night")),
    Place(120, -90, 22, 2.5, ("groups", "alcohol"), ("evening", "night"), ("weekend",)),
    Place(420, 260, 15, 2.0, ("sightlines", "no_escape"), ("evening",)),
    Place(-80, -420, 25, 1.5, ("traffic",), ("morning", "day"), ("weekday",)),
    Place(650, -300, 20, 1.5, ("drugs", "harassment"), ("night",)),
    Place(-520, -150, 30, 1.0, ("vandalism", "lighting"), ("evening", "night")),
]


def demo_features(seed: int = 2017) -> list[dict[str, Any]]:
    """The demo set: a few hundred reports around six synthetic places."""
    scenario = Scenario(
        places=DEMO_PLACES,
        reporters=160,
        share_at_places=0.65,
        half_side=1200.0,
        heavy_user_share=0.03,
        spam_reports=20,
        spam_accounts=1,
        line_share=0.08,
        polygon_share=0.04,
    )
    return [report.feature("demo") for report in generate(scenario, seed)]


# --- the quality benchmark's scenarios -----------------------------------------

WINDOW_OF_HOUR = {hour: code for code, hours in TIME_HOURS.items() for hour in hours}
_NEXT_WINDOW = {"morning": "day", "day": "evening", "evening": "night", "night": "morning"}


def random_places(
    rng: np.random.Generator,
    count: int = 8,
    *,
    half_side: float = 1000.0,
    min_gap: float = 150.0,
    spread: tuple[float, float] = (10.0, 35.0),
    margin: float = 100.0,
) -> list[Place]:
    """`count` true hotspots at least `min_gap` apart, uneven popularity, each with a peak hour."""
    centres: list[tuple[float, float]] = []
    while len(centres) < count:
        x, y = rng.uniform(-half_side + margin, half_side - margin, 2)
        if all(np.hypot(x - a, y - b) >= min_gap for a, b in centres):
            centres.append((float(x), float(y)))
    # Zipf-like popularity: the busiest place gets about five times the quietest.
    weights = rng.permutation([1.0 / (i + 1) ** 0.8 for i in range(count)])
    places = []
    for (x, y), weight in zip(centres, weights, strict=True):
        peak = int(rng.integers(0, 24))
        window = WINDOW_OF_HOUR[peak]
        times = (window, _NEXT_WINDOW[window]) if rng.random() < 0.3 else (window,)
        reasons = tuple(sorted({str(r) for r in rng.choice(REASON_CODES, 2, replace=False)}))
        places.append(Place(x, y, float(rng.uniform(*spread)), float(weight), reasons, times))
    return places


def spam_spot(
    rng: np.random.Generator, places: list[Place], half_side: float = 1000.0, gap: float = 150.0
) -> tuple[float, float]:
    """A place for the spammer that is not a hotspot (at least `gap` from every one)."""
    while True:
        x, y = rng.uniform(-half_side + 100, half_side - 100, 2)
        if all(np.hypot(x - p.dx, y - p.dy) >= gap for p in places):
            return float(x), float(y)


BENCHMARK_SCENARIOS: dict[str, dict[str, float | int]] = {
    "base": {"reporters": 400, "share_at_places": 0.6},
    "noisy": {"reporters": 400, "share_at_places": 0.3},
    "sparse": {"reporters": 150, "share_at_places": 0.6},
    "busy": {"reporters": 800, "share_at_places": 0.4},
}


def benchmark_scenario(name: str, seed: int, spam_accounts: int) -> Scenario:
    """The issue's scenario `name` with places and spam spot drawn from `seed`."""
    if name == "busy":
        return busy_centre_scenario(seed, spam_accounts)
    rng = np.random.default_rng(10_000 + seed)
    places = random_places(rng)
    options = BENCHMARK_SCENARIOS[name]
    return Scenario(
        places=places,
        reporters=int(options["reporters"]),
        share_at_places=float(options["share_at_places"]),
        half_side=1000.0,
        heavy_user_share=0.05,
        spam_reports=60,
        spam_accounts=spam_accounts,
        spam_offset=spam_spot(rng, places),
    )


# --- the busy-centre scenario (issue 15) ------------------------------------------

BUSY_HALF_SIDE = 2000.0
BUSY_CENTRE_HALF_SIDE = 750.0
PAIR_GAP = 120.0


def _character(rng: np.random.Generator, x: float, y: float, weight: float) -> Place:
    """A true place at (x, y) with a spread, reasons and a peak time window."""
    peak = int(rng.integers(0, 24))
    window = WINDOW_OF_HOUR[peak]
    times = (window, _NEXT_WINDOW[window]) if rng.random() < 0.3 else (window,)
    reasons = tuple(sorted({str(r) for r in rng.choice(REASON_CODES, 2, replace=False)}))
    return Place(x, y, float(rng.uniform(10.0, 35.0)), weight, reasons, times)


def busy_centre_places(rng: np.random.Generator) -> list[Place]:
    """6-10 true places, about half in the busy centre (one of them a pair 120 m apart)."""
    count = int(rng.integers(6, 11))
    inside = count // 2
    centres: list[tuple[float, float]] = []
    edge = BUSY_CENTRE_HALF_SIDE - 100
    x, y = rng.uniform(-edge + PAIR_GAP, edge - PAIR_GAP, 2)
    angle = rng.uniform(0, 2 * np.pi)
    centres += [(float(x), float(y))]
    centres += [(float(x + PAIR_GAP * np.cos(angle)), float(y + PAIR_GAP * np.sin(angle)))]
    while len(centres) < count:
        busy = len(centres) < inside
        limit = edge if busy else BUSY_HALF_SIDE - 100
        x, y = rng.uniform(-limit, limit, 2)
        in_centre = max(abs(x), abs(y)) <= BUSY_CENTRE_HALF_SIDE
        if in_centre != busy or (not busy and max(abs(x), abs(y)) < BUSY_CENTRE_HALF_SIDE + 100):
            continue
        if all(np.hypot(x - a, y - b) >= 150.0 for a, b in centres):
            centres.append((float(x), float(y)))
    weights = rng.permutation([1.0 / (i + 1) ** 0.8 for i in range(count)])
    return [_character(rng, x, y, float(w)) for (x, y), w in zip(centres, weights, strict=True)]


def busy_centre_scenario(seed: int, spam_accounts: int) -> Scenario:
    """4 km x 4 km; a 1.5 km x 1.5 km centre whose background is 4-8 times denser;
    points, lines and areas; a spammer with `spam_accounts` accounts (0: none)."""
    rng = np.random.default_rng(20_000 + seed)
    places = busy_centre_places(rng)
    factor = float(rng.uniform(4.0, 8.0))
    # Density ratio centre / rest = 1 + share / (1 - share) * (area / centre area).
    ratio = (BUSY_HALF_SIDE / BUSY_CENTRE_HALF_SIDE) ** 2
    share = (factor - 1) / (factor - 1 + ratio)
    options = BENCHMARK_SCENARIOS["busy"]
    return Scenario(
        places=places,
        reporters=int(options["reporters"]),
        share_at_places=float(options["share_at_places"]),
        half_side=BUSY_HALF_SIDE,
        heavy_user_share=0.05,
        spam_reports=60 if spam_accounts else 0,
        spam_accounts=max(1, spam_accounts),
        spam_offset=spam_spot(rng, places, BUSY_HALF_SIDE),
        line_share=0.15,
        polygon_share=0.1,
        busy_half_side=BUSY_CENTRE_HALF_SIDE,
        busy_share=share,
    )
