"""Whether a hotspot may reach the public, and the shape it gets there (issue 10).

Called from the computation for its final clusters: the independence gate
(`geo.independence`) decides what is held, and `geo.generalise` gives each
hotspot its public shape. Both are stored on the hotspot; a moderator's
decision (`app.repo.hotspots.reviews`) is applied when reading, so it takes
effect without a recompute.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import orjson

from app.repo.hotspots.summary_sql import PersonRows
from app.services.hotspots.context import Context
from geo import generalise, independence


@dataclass(frozen=True)
class Publication:
    held_reasons: list[str]
    independent_units: int
    support: str  # JSON: the signals staff see
    public_outline: str  # WKT, SWEREF 99 TM
    public_centre: str


def assess(
    ctx: Context,
    cids: Sequence[int],
    people: Mapping[int, Sequence[tuple[float, float]]],
    rows: PersonRows,
) -> dict[int, Publication]:
    """Per final cluster: what the gate says and the generalised public shape.

    `people` are each cluster's people as one point each, their mean
    position (`app.repo.hotspots.places.Places.people_means`); `rows` who
    supports each cluster, from which source and when (`summary_sql.person_rows`).
    """
    ids = np.asarray(cids, dtype=np.int64)
    cid = rows.masks[:, 0]
    known = np.isin(cid, ids)
    order = np.argsort(ids, kind="stable")
    verdicts = independence.judge_groups(
        order[np.searchsorted(ids, cid[known], sorter=order)],
        len(cids),
        rows.source[known],
        rows.first_seen[known],
        rows.reports[known],
        rows.first_report[known],
        ctx.independence,
    )
    out: dict[int, Publication] = {}
    for c, verdict in zip(cids, verdicts, strict=True):
        signals: dict[str, Any] = asdict(verdict)
        del signals["reasons"]
        shape = generalise.public_shape(people.get(c, []))
        out[c] = Publication(
            held_reasons=list(verdict.reasons),
            independent_units=verdict.units,
            support=orjson.dumps(signals).decode(),
            public_outline=shape.wkt(),
            public_centre=shape.centre_wkt(),
        )
    return out
