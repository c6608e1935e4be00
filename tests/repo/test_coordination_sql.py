"""The recompute's "possibly coordinated" join flags what the first-sighting lookup flags.

`summary_sql.coordination` runs inside the computation's transaction on its
members table; `rate_counters.coordination_by_group` is the rule it replaced
there. Both see the same hotspots: many people (more than libpq's parameter
limit), some first seen from shared addresses close together in time.
"""

from __future__ import annotations

import hashlib
import random

from sqlalchemy import text

from app.config import Settings
from app.db.pool import Database
from app.repo.hotspots import summary_sql
from app.repo.hotspots.transaction import Tx
from app.repo.rate_counters import coordination_by_group
from tests.conftest import Sql
from tests.services.conftest import on_db

MEMBERS = text("""
CREATE TEMP TABLE hs_memb ON COMMIT DROP AS
SELECT u.cid, u.reporter FROM unnest(CAST(:cids AS int[]), CAST(:hashes AS bytea[]))
    AS u(cid, reporter)
""")


def _hash(i: int) -> bytes:
    return hashlib.sha256(str(i).encode()).digest()


def test_coordination_join_matches_the_lookup(settings: Settings, sql: Sql, clean_db: None) -> None:
    rng = random.Random(3)
    people = [_hash(i) for i in range(70_000)]
    # Most people never seen by address; the rest from a few addresses, at
    # times from seconds to hours apart (the window is 60 minutes).
    seen = [(h, bytes([rng.randrange(40)]), rng.randrange(0, 6 * 3600)) for h in people[:9_000]]
    # The first three from one address of their own, seconds apart.
    seen[:3] = [(h, b"\xff", 10 * i) for i, h in enumerate(people[:3])]
    sql.all(
        "INSERT INTO reporter_first_seen (reporter_hash, address_hash, first_seen_at) "
        "SELECT h, a, now() - make_interval(secs => s) "
        "FROM unnest(%(h)s::bytea[], %(a)s::bytea[], %(s)s::int[]) AS u(h, a, s)",
        {"h": [s[0] for s in seen], "a": [s[1] for s in seen], "s": [s[2] for s in seen]},
    )
    groups: dict[int, list[bytes]] = {
        # One big hotspot of everyone: not coordinated.
        1: people,
        # Small hotspots, each with people drawn from the seen ones (often
        # sharing an address within the hour) and from the unseen ones.
        **{
            cid: rng.sample(people[:9_000], rng.randrange(3, 12))
            + rng.sample(people[9_000:], rng.randrange(0, 4))
            for cid in range(2, 400)
        },
        # Three people first seen from one address together.
        400: people[:3],
    }
    # A hotspot's members are one row per report: people repeat.
    cids = [cid for cid, hashes in groups.items() for h in hashes for _ in range(1 + h[0] % 2)]
    hashes = [h for hashes in groups.values() for h in hashes for _ in range(1 + h[0] % 2)]

    async def both(db: Database) -> tuple[dict[int, bool], dict[int, bool]]:
        expected = await coordination_by_group(db, groups, window_minutes=60)
        async with db.transaction() as conn:
            tx = Tx(db, conn)
            await tx.run(MEMBERS, values={"cids": cids, "hashes": hashes})
            found = await summary_sql.coordination(tx, window_minutes=60)
        return expected, found

    expected, found = on_db(settings, both)
    assert found == expected
    assert found[1] is False
    assert found[400] is True
