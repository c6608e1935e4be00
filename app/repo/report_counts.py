"""Counting filed reports against their rate limits, batched across concurrent requests.

Filing a report is the service's hot path. Each report counts one hit on its
device's and its address's counter and notes where its client token was first
seen; concurrent reports do that together in one statement, so many requests
cost one round trip. Each still gets its own count, as if counted alone.
"""

from __future__ import annotations

import weakref
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import text

from app.db.batching import Batcher
from app.db.pool import Database
from app.repo.rate_counters import Count

# Keys are locked in order (ORDER BY) so that batches of several processes
# cannot deadlock; one row per key (GROUP BY), since an upsert may touch a row
# only once per statement. Counters need not survive a crash (a lost hit only
# lets one more report through), so this commit does not wait for its WAL
# flush: the hot rows' locks are released at once. The reports themselves are
# committed durably before their 201.
COUNT = text("""
WITH seen AS (
    INSERT INTO reporter_first_seen (reporter_hash, address_hash)
    SELECT DISTINCT ON (r.reporter) r.reporter, r.address
    FROM unnest(CAST(:reporters AS bytea[]), CAST(:addresses AS bytea[]))
         WITH ORDINALITY AS r(reporter, address, i)
    ORDER BY r.reporter, r.i
    ON CONFLICT (reporter_hash) DO NOTHING
    RETURNING reporter_hash
),
w AS (
    SELECT to_timestamp(floor(extract(epoch FROM now()) / :window) * :window) AS start
),
counted AS (
    INSERT INTO rate_counters AS c (key_hash, window_start, hits, expires_at)
    SELECT k.key, w.start, k.n, w.start + make_interval(secs => :window)
    FROM (SELECT key, count(*)::integer AS n FROM unnest(CAST(:keys AS bytea[])) AS key
          GROUP BY key) AS k
    CROSS JOIN w
    ORDER BY k.key
    ON CONFLICT (key_hash, window_start) DO UPDATE SET hits = c.hits + EXCLUDED.hits
    RETURNING c.key_hash, c.hits,
              CAST(ceil(extract(epoch FROM c.expires_at - now())) AS integer) AS left_s
)
SELECT key_hash, hits, left_s, (SELECT count(*) FROM seen) AS seen,
       set_config('synchronous_commit', 'off', true) AS async_commit
FROM counted
""")


@dataclass(frozen=True)
class ReportHit:
    """One report to count: its reporter and address group, and the limits' keys (None: off)."""

    reporter_hash: bytes
    address_hash: bytes
    client_key: bytes | None
    address_key: bytes | None
    window_seconds: int


Counts = tuple[Count, Count]
OFF = Count(0, 1)


async def _count_batch(db: Database, hits: list[ReportHit]) -> list[Counts]:
    """Count every hit of the batch in one statement per window; (client, address) per hit."""
    results: dict[int, Counts] = {}
    for window in sorted({h.window_seconds for h in hits}):
        batch = [(i, h) for i, h in enumerate(hits) if h.window_seconds == window]
        keys = [k for _, h in batch for k in (h.client_key, h.address_key) if k is not None]
        rows = await db.fetch_all(
            COUNT,
            values={
                "reporters": [h.reporter_hash for _, h in batch],
                "addresses": [h.address_hash for _, h in batch],
                "keys": keys,
                "window": window,
            },
        )
        # A key's new total covers this batch's hits on it: hand them out in
        # arrival order, so each request gets the number it would have alone.
        total = {bytes(r["key_hash"]): (int(r["hits"]), max(1, int(r["left_s"]))) for r in rows}
        added = Counter(keys)
        handed: Counter[bytes] = Counter()
        for i, hit in batch:
            pair: list[Count] = []
            for key in (hit.client_key, hit.address_key):
                if key is None:
                    pair.append(OFF)
                    continue
                now, left = total[key]
                handed[key] += 1
                pair.append(Count(now - added[key] + handed[key], left))
            results[i] = (pair[0], pair[1])
    return [results[i] for i in range(len(hits))]


_batchers: weakref.WeakKeyDictionary[Database, Batcher[ReportHit, Counts]] = (
    weakref.WeakKeyDictionary()
)


async def count_report(db: Database, hit: ReportHit) -> Counts:
    """Count one report against the per-client and per-address limits: (client, address)."""
    batcher = _batchers.get(db)
    if batcher is None:
        batcher = _batchers[db] = Batcher(lambda batch: _count_batch(db, batch))
    return await batcher.submit(hit)
