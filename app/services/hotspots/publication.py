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

import orjson

from app.repo.hotspots import support_sql
from app.repo.hotspots.transaction import Tx
from app.services.hotspots.context import Context
from geo import generalise, independence


@dataclass(frozen=True)
class Publication:
    held_reasons: list[str]
    independent_units: int
    support: str  # JSON: the signals staff see
    public_outline: str  # WKT, SWEREF 99 TM
    public_centre: str


async def assess(
    tx: Tx,
    ctx: Context,
    cids: Sequence[int],
    people: Mapping[int, Sequence[tuple[float, float]]],
) -> dict[int, Publication]:
    """Per final cluster: what the gate says and the generalised public shape.

    `people` are each cluster's people as one point each, their mean
    position (`app.repo.hotspots.places.Places.people_means`).
    """
    supporters = await support_sql.support(tx)
    out: dict[int, Publication] = {}
    for cid in cids:
        verdict = independence.judge(supporters.get(cid, []), ctx.independence)
        signals: dict[str, Any] = asdict(verdict)
        del signals["reasons"]
        shape = generalise.public_shape(people.get(cid, []))
        out[cid] = Publication(
            held_reasons=list(verdict.reasons),
            independent_units=verdict.units,
            support=orjson.dumps(signals).decode(),
            public_outline=shape.wkt(),
            public_centre=shape.centre_wkt(),
        )
    return out
