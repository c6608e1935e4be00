"""Hotspot method: its parameters and the pure rules between the PostGIS steps.

The heavy lifting runs in PostGIS in SWEREF 99 TM metres (the statements are
in `app.repo.hotspots`); this module holds the method's parameters and the
arithmetic that is clearer in Python: the aoristic hour profile, the score
and rank, when a cluster is split, and the one-to-one overlap matching that
keeps hotspot ids stable across recomputations.

Steps:
1. every published `unsafe` report becomes points: a point as is, a line a
   point every 50 m, a polygon under 1 ha its point on surface, a larger one a
   50 m lattice inside it;
2. one point per person per place (`ST_ClusterDBSCAN(25 m, 1)` per reporter);
3. `ST_ClusterDBSCAN(eps, minpoints)` over those, in a fixed order;
4. a cluster needs `k = max(min_reporters, k_mc)` distinct people, `k_mc` from a
   Monte Carlo test (geo.montecarlo), except where its background is quieter
   than the area's mean: there `min_reporters` and the local test of step 6 decide;
5. clusters wider than `max_extent`, or holding two dense cores, are split by
   re-running DBSCAN inside them with `minpoints` raised to their density, so
   dense data does not chain into one town-sized cluster;
6. each final cluster is judged against the chance clusters of its local
   background (geo.significance, issue 15); one that does not beat them is
   stored for staff as held back, never shown publicly.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from geo.montecarlo import dense_minpoints
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES, TIME_HOURS

LINE_STEP_M = 50.0
SMALL_POLYGON_M2 = 10_000.0
LATTICE_M = 50.0
OUTLINE_BUFFER_M = 15.0
MAX_SPLIT_LEVELS = 20
MINPOINTS_STEP = 1.1
PROBE_START = 0.8
# Probes denser than this (mean neighbours within eps) are searched on a
# sample thinned to about this density: density valleys stay where they are,
# and DBSCAN's cost, points x neighbours, falls with the square of the share.
THIN_NEIGHBOURS = 40.0
# A place is searched for separate cores up to this many times its mean
# neighbours; beyond that a single dense blob only shrinks.
PROBE_END = 2.0
# A split must leave two dense cores at least this many eps apart, otherwise
# it is one place that merely thins out at a higher minpoints.
SPLIT_MIN_SEPARATION_EPS = 2.0
MATCH_MIN_OVERLAP = 0.3
# Points left out of a thinned sample join a final cluster whose hull, grown
# by this margin, holds them.
THIN_HULL_MARGIN_M = 10.0


@dataclass(frozen=True)
class Params:
    eps: float = 50.0
    minpoints: int = 5
    dedup_distance: float = 25.0
    min_reporters: int = 3
    mc_runs: int = 99
    mc_seed: int = 2017
    max_extent: float = 250.0
    # Judge each hotspot against its local background (geo.significance, issue 15).
    local_significance: bool = True

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)

    def digest(self, area_wkt: str) -> str:
        """Identifies parameters plus area: a result from others is not reused."""
        blob = json.dumps({**self.as_dict(), "area": area_wkt}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


# --- pure functions -----------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    cid: int
    n: int
    reporters: int
    cx: float
    cy: float
    extent: float
    neighbours: float


def next_minpoints(current: int, anchor: Cluster, probe: Cluster, max_extent: float) -> int:
    """The next level's minpoints for re-clustering a cluster's probe.

    A place (not wider than `max_extent`) is searched for separate cores in
    small steps, starting near its probe's mean number of neighbours (below
    that nothing changes). A too-wide cluster is a dense region rather than a
    place: minpoints jump to where its own mean density would give no core
    point by chance (`geo.montecarlo.dense_minpoints`), so only places denser
    than their surroundings remain.
    """
    step = max(
        math.ceil(current * MINPOINTS_STEP),
        current + 1,
        math.ceil(PROBE_START * probe.neighbours),
    )
    if anchor.extent > max_extent:
        return max(step, dense_minpoints(anchor.neighbours, anchor.n))
    return step


def sample_keep(probe: Cluster, keep_before: int) -> int:
    """Of 1024 hash buckets, how many a probe's search keeps (1024 = every point)."""
    if probe.neighbours <= THIN_NEIGHBOURS:
        return keep_before
    wanted = math.ceil(1024 * THIN_NEIGHBOURS / probe.neighbours)
    return max(16, min(keep_before, wanted))


def scaled(cluster: Cluster, share: float) -> Cluster:
    """A cluster found on a sample, with counts scaled up to all points."""
    if share >= 1:
        return cluster
    return Cluster(
        cluster.cid,
        round(cluster.n / share),
        round(cluster.reporters / share),
        cluster.cx,
        cluster.cy,
        cluster.extent,
        cluster.neighbours / share,
    )


def sample_minpoints(full: int, anchor: Cluster, share: float, base: int, max_extent: float) -> int:
    """Minpoints on a sample keeping `share` of the points, for `full` on all of them.

    The chance test of a too-wide cluster is redone at the sample's density:
    thinning makes chance fluctuations relatively larger.
    """
    if share >= 1:
        return full
    out = max(base, math.ceil(full * share))
    if anchor.extent > max_extent:
        out = max(out, dense_minpoints(anchor.neighbours * share, round(anchor.n * share)))
    return out


def worth_deeper(anchor: Cluster, next_minpoints: int) -> bool:
    return next_minpoints <= PROBE_END * max(anchor.neighbours, 1.0)


def may_split(cluster: Cluster, k: int, eps: float, max_extent: float) -> bool:
    """Whether searching inside `cluster` can change it: too wide, or room for two cores."""
    return cluster.extent > max_extent or (
        cluster.reporters >= 2 * k and cluster.extent >= SPLIT_MIN_SEPARATION_EPS * eps
    )


def split_outcome(
    anchor: Cluster, children: Sequence[Cluster], k: int, eps: float, max_extent: float
) -> tuple[str, list[Cluster]]:
    """What to do with a cluster whose probe was re-clustered at a higher minpoints.

    - ("split", cores): two dense cores at least 2 eps apart, or the cluster is
      too wide: it is replaced by its cores (each with k people or more);
    - ("deeper", [core]): one core left, keep looking inside it;
    - ("keep", []): nothing dense enough inside, the cluster is one place;
    - ("drop", []): too wide and nothing dense enough inside.
    """
    kept = [c for c in children if c.reporters >= k]
    separate = any(
        math.dist((a.cx, a.cy), (b.cx, b.cy)) >= SPLIT_MIN_SEPARATION_EPS * eps
        for i, a in enumerate(kept)
        for b in kept[i + 1 :]
    )
    if separate or (kept and anchor.extent > max_extent):
        return "split", kept
    if kept:
        core = max(kept, key=lambda c: (c.reporters, c.n, -c.cid))
        # Two cores need 2k people and room for SPLIT_MIN_SEPARATION_EPS * eps
        # between them; a core without either is one place: stop looking.
        if core.reporters >= 2 * k and core.extent >= SPLIT_MIN_SEPARATION_EPS * eps:
            return "deeper", [core]
        return "keep", []
    if anchor.extent > max_extent:
        return "drop", []
    return "keep", []


def aoristic_hours(people_times: Iterable[Iterable[str]]) -> list[float]:
    """24 numbers: each person's weight of 1 spread evenly over the hours they named."""
    profile = [0.0] * 24
    for times in people_times:
        hours = sorted({h for t in times for h in TIME_HOURS.get(t, ())})
        if not hours:
            continue
        share = 1.0 / len(hours)
        for h in hours:
            profile[h] += share
    return [round(v, 4) for v in profile]


def count_codes(people_codes: Iterable[Iterable[str]], vocabulary: Sequence[str]) -> dict[str, int]:
    """How many people named each code, in vocabulary order, zeros left out."""
    counts = dict.fromkeys(vocabulary, 0)
    for codes in people_codes:
        for code in set(codes):
            if code in counts:
                counts[code] += 1
    return {code: n for code, n in counts.items() if n}


def breakdowns_of(
    codes: Iterable[Mapping[str, Any]],
    profiles: Mapping[int, list[float]],
    severity: Iterable[Mapping[str, Any]],
) -> dict[int, dict[str, object]]:
    """Per hotspot: reasons, times, days, hours and mean severity, from code counts
    (cid, kind, code, n), per-hotspot aoristic profiles and severity sums (cid, total,
    people): the same as `count_codes` and `aoristic_hours` over one row per person."""
    vocabularies = {"reasons": REASON_CODES, "times": TIME_CODES, "days": DAY_CODES}
    counted: dict[int, dict[str, dict[str, int]]] = {}
    for row in codes:
        kinds = counted.setdefault(int(row["cid"]), {k: {} for k in vocabularies})
        kinds[str(row["kind"])][str(row["code"])] = int(row["n"])
    means = {
        int(row["cid"]): round(float(row["total"]) / int(row["people"]), 3)
        for row in severity
        if int(row["people"])
    }
    out: dict[int, dict[str, object]] = {}
    for cid in set(counted) | set(profiles) | set(means):
        kinds = counted.get(cid, {})
        out[cid] = {
            **{
                kind: {c: kinds[kind][c] for c in vocab if kinds.get(kind, {}).get(c)}
                for kind, vocab in vocabularies.items()
            },
            "hours": profiles.get(cid, [0.0] * 24),
            "severity_mean": means.get(cid),
        }
    return out


def empty_breakdowns() -> dict[str, object]:
    return {
        "reasons": {},
        "times": {},
        "days": {},
        "hours": [0.0] * 24,
        "severity_mean": None,
    }


def score(reporters: int, severity_mean: float | None) -> float:
    """People, weighted by how unsafe they said it feels (severity 2 = weight 1)."""
    weight = 1.0 if severity_mean is None else 1.0 + (severity_mean - 2.0) / 4.0
    return round(reporters * weight, 3)


def match_identities(
    candidates: Iterable[tuple[int, str, float, float]],
) -> dict[int, str]:
    """One-to-one, greedy by overlap: cluster id -> identity id.

    `candidates` are (cluster, identity, overlap share, last seen as a number);
    at equal overlap the identity seen most recently wins.
    """
    ordered = sorted(
        (c for c in candidates if c[2] >= MATCH_MIN_OVERLAP),
        key=lambda c: (-c[2], -c[3], c[0], c[1]),
    )
    taken_clusters: set[int] = set()
    taken_ids: set[str] = set()
    out: dict[int, str] = {}
    for cid, identity, _, _ in ordered:
        if cid in taken_clusters or identity in taken_ids:
            continue
        out[cid] = identity
        taken_clusters.add(cid)
        taken_ids.add(identity)
    return out
