"""Per hotspot: how many people named each code, the aoristic hours, the mean severity.

Counted from one row per (hotspot, person) (`summary_sql.person_rows`), as
`geo.hotspots.count_codes`, `aoristic_hours` and the mean of each person's
mean severity count them over one row per person; the sums run in person
order, so the floating-point totals are the same as summing row by row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from geo import hotspots as method
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES, TIME_HOURS

VOCABULARIES = (("reasons", REASON_CODES, 2), ("times", TIME_CODES, 3), ("days", DAY_CODES, 4))


def _code_counts(rows: np.ndarray, cids: np.ndarray, at: np.ndarray) -> list[dict[str, Any]]:
    """(cid, kind, code, n): how many people of each hotspot named each code."""
    out: list[dict[str, Any]] = []
    for kind, vocabulary, column in VOCABULARIES:
        for bit, code in enumerate(vocabulary):
            named = ((rows[:, column] >> bit) & 1).astype(bool)
            counts = np.bincount(at[named], minlength=len(cids))
            for i in np.nonzero(counts)[0].tolist():
                out.append({"cid": int(cids[i]), "kind": kind, "code": code, "n": int(counts[i])})
    return out


def _profiles(rows: np.ndarray, cids: np.ndarray, at: np.ndarray) -> dict[int, list[float]]:
    """`geo.hotspots.aoristic_hours` of each hotspot's people (rows in person order)."""
    masks = rows[:, 3]
    top = int(masks.max()) + 1 if len(masks) else 1
    hours_of: list[list[int]] = []
    for mask in range(top):
        named = [code for bit, code in enumerate(TIME_CODES) if mask >> bit & 1]
        hours_of.append(sorted({h for code in named for h in TIME_HOURS.get(code, ())}))
    lengths = np.array([len(h) for h in hours_of], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    flat = np.array([h for hours in hours_of for h in hours], dtype=np.int64)
    share = np.where(lengths > 0, 1.0 / np.maximum(lengths, 1), 0.0)
    per_row = lengths[masks]
    row = np.repeat(np.arange(len(rows)), per_row)
    pos = np.arange(int(per_row.sum())) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    totals = np.zeros((len(cids), 24))
    # ufunc.at adds one element at a time, in order: each hour's total is the
    # same sequence of additions as the person-by-person loop.
    np.add.at(totals, (at[row], flat[starts[masks[row]] + pos]), share[masks[row]])
    return {
        int(cid): [round(v, 4) for v in totals[i].tolist()] for i, cid in enumerate(cids.tolist())
    }


def _severity(rows: np.ndarray, cids: np.ndarray, at: np.ndarray) -> list[dict[str, Any]]:
    """(cid, total, people): the sum of each person's mean severity, in person order."""
    said = rows[:, 6] > 0
    means = rows[said, 5].astype(np.float64) / rows[said, 6].astype(np.float64)
    totals = np.zeros(len(cids))
    np.add.at(totals, at[said], means)
    people = np.bincount(at[said], minlength=len(cids))
    return [
        {"cid": int(cids[i]), "total": float(totals[i]), "people": int(people[i])}
        for i in np.nonzero(people)[0].tolist()
    ]


def breakdowns(rows: np.ndarray) -> dict[int, dict[str, object]]:
    """Per hotspot: reasons, times, days, hours and mean severity (`method.breakdowns_of`).

    `rows`: (cid, rid, reasons mask, times mask, days mask, severity sum,
    severity count), ordered by hotspot and person.
    """
    cids, at = np.unique(rows[:, 0], return_inverse=True)
    return method.breakdowns_of(
        _code_counts(rows, cids, at), _profiles(rows, cids, at), _severity(rows, cids, at)
    )
