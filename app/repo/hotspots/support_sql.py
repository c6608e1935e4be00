"""SQL of the independence gate: who supports each hotspot, from which source, when.

Runs in the computation's transaction on its temp tables (hs_memb, hs_lab,
hs_dp); the rule itself is `geo.independence`.
"""

from __future__ import annotations

from sqlalchemy import text

from app.repo.hotspots.transaction import Tx
from geo.independence import Person

# Per hotspot and person: the source (an import batch whose features had no
# tokens, else the keyed hash of the address group the device was first seen
# from; NULL when unknown), when it was first seen, and the person's report
# times at the hotspot.
# One line per person, as text (psycopg's parsing of 60,000 rows of arrays
# cost more than the query): cid|source hex|first seen|times separated by ';'.
SUPPORT = text("""
SELECT COALESCE(string_agg(
    concat_ws('|', p.cid, COALESCE(encode(p.source, 'hex'), ''),
              COALESCE(p.first_seen::text, ''), p.times),
    E'\\n' ORDER BY p.cid, p.rid), '') AS people
FROM (
    SELECT m.cid, m.rid,
           (array_agg(src.h ORDER BY m.created_at) FILTER (WHERE src.h IS NOT NULL))[1] AS source,
           min(extract(epoch FROM f.first_seen_at))::float8 AS first_seen,
           string_agg(extract(epoch FROM m.created_at)::float8::text, ';' ORDER BY m.created_at)
               AS times
    FROM hs_memb m
    LEFT JOIN import_batches b ON b.id = m.batch_id
    LEFT JOIN reporter_first_seen f ON f.reporter_hash = m.reporter
    CROSS JOIN LATERAL (
        SELECT CASE WHEN b.untokened_reports > 0 THEN uuid_send(b.id) ELSE f.address_hash END
            AS h
    ) src
    GROUP BY m.cid, m.rid
) p
""")


async def support(tx: Tx) -> dict[int, list[Person]]:
    """Per hotspot, its people as `geo.independence.Person`s."""
    out: dict[int, list[Person]] = {}
    lines = (await tx.rows(SUPPORT))[0]["people"] or ""
    for line in lines.split("\n") if lines else []:
        cid, source, first, times = line.split("|")
        person = Person(
            bytes.fromhex(source) if source else None,
            float(first) if first else None,
            tuple(map(float, times.split(";"))),
        )
        out.setdefault(int(cid), []).append(person)
    return out
