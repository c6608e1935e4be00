"""Fixed-window counters in PostgreSQL, and first-seen addresses of client tokens.

Keys are keyed hashes (never a raw address or token) and rows expire, so the
tables cannot be used to tell where a resident reported from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import (
    Integer,
    cast,
    delete,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert

from app.db.pool import AsyncConn, Database
from app.db.tables.staff import rate_counters, reporter_first_seen

K = TypeVar("K")


@dataclass(frozen=True)
class Count:
    hits: int
    retry_after: int  # seconds until the window ends


def _window_start(seconds: int) -> Any:
    epoch = func.extract("epoch", func.now())
    return func.to_timestamp(func.floor(epoch / seconds) * seconds)


def _seconds_left(expires: Any) -> Any:
    return cast(func.ceil(func.extract("epoch", expires - func.now())), Integer)


async def hit(
    db: Database, key_hash: bytes, window_seconds: int, conn: AsyncConn | None = None
) -> Count:
    """Count one event in the current window and return the window's total."""
    start = _window_start(window_seconds)
    values = insert(rate_counters).values(
        key_hash=key_hash,
        window_start=start,
        hits=1,
        expires_at=start + timedelta(seconds=window_seconds),
    )
    stmt = values.on_conflict_do_update(
        index_elements=[rate_counters.c.key_hash, rate_counters.c.window_start],
        set_={"hits": rate_counters.c.hits + 1},
    ).returning(rate_counters.c.hits, _seconds_left(rate_counters.c.expires_at).label("left"))
    row = await db.fetch_one(stmt, conn)
    assert row is not None
    return Count(int(row["hits"]), max(1, int(row["left"])))


async def peek(db: Database, key_hash: bytes, window_seconds: int) -> Count:
    """The current window's total without counting anything."""
    row = await db.fetch_one(
        select(rate_counters.c.hits, _seconds_left(rate_counters.c.expires_at).label("left")).where(
            rate_counters.c.key_hash == key_hash,
            rate_counters.c.window_start == _window_start(window_seconds),
        )
    )
    if row is None:
        return Count(0, 0)
    return Count(int(row["hits"]), max(1, int(row["left"])))


async def undo(db: Database, key_hash: bytes, window_seconds: int) -> None:
    """Take back one event counted by `hit` in the current window."""
    await db.execute(
        update(rate_counters)
        .where(
            rate_counters.c.key_hash == key_hash,
            rate_counters.c.window_start == _window_start(window_seconds),
            rate_counters.c.hits > 0,
        )
        .values(hits=rate_counters.c.hits - 1)
    )


# A mark is a counter row outside any window: it only says "seen until".
_MARK_START = func.to_timestamp(0)


async def mark(db: Database, key_hash: bytes, seconds: int) -> None:
    """Remember `key_hash` for `seconds` from now (renewed on every call)."""
    until = func.now() + timedelta(seconds=seconds)
    stmt = insert(rate_counters).values(
        key_hash=key_hash, window_start=_MARK_START, hits=1, expires_at=until
    )
    await db.execute(
        stmt.on_conflict_do_update(
            index_elements=[rate_counters.c.key_hash, rate_counters.c.window_start],
            set_={"expires_at": stmt.excluded.expires_at},
        )
    )


async def marked(db: Database, key_hash: bytes) -> bool:
    row = await db.fetch_one(
        select(rate_counters.c.hits).where(
            rate_counters.c.key_hash == key_hash,
            rate_counters.c.window_start == _MARK_START,
            rate_counters.c.expires_at > func.now(),
        )
    )
    return row is not None


async def reset(db: Database, key_hash: bytes) -> None:
    await db.execute(delete(rate_counters).where(rate_counters.c.key_hash == key_hash))


async def purge_expired(db: Database, first_seen_days: int) -> tuple[int, int]:
    counters = await db.execute(
        delete(rate_counters).where(rate_counters.c.expires_at < func.now())
    )
    seen = await db.execute(
        delete(reporter_first_seen).where(
            reporter_first_seen.c.first_seen_at < func.now() - timedelta(days=first_seen_days)
        )
    )
    return counters, seen


# --- first seen -------------------------------------------------------------


_GROUPS = text(
    """
    WITH s AS (
        SELECT reporter_hash, address_hash, first_seen_at
        FROM reporter_first_seen
        WHERE reporter_hash = ANY(CAST(:hashes AS bytea[]))
    )
    SELECT a.reporter_hash
    FROM s a
    JOIN s b
      ON a.address_hash = b.address_hash
     AND abs(extract(epoch FROM a.first_seen_at - b.first_seen_at)) <= :window_seconds
    GROUP BY a.reporter_hash
    HAVING count(*) >= :min_group
    """
)


_FIRST_SEEN = text(
    "SELECT reporter_hash, address_hash, extract(epoch FROM first_seen_at) AS at "
    "FROM reporter_first_seen WHERE reporter_hash = ANY(CAST(:hashes AS bytea[]))"
)


async def coordinated_reporters(
    db: Database,
    reporter_hashes: list[bytes],
    *,
    window_minutes: int = 60,
    min_group: int = 3,
) -> set[bytes]:
    """Reporter hashes first seen from one address together with at least
    `min_group - 1` others of the given set within `window_minutes`."""
    if not reporter_hashes:
        return set()
    stmt = _GROUPS.bindparams(
        hashes=list(set(reporter_hashes)),
        window_seconds=window_minutes * 60,
        min_group=min_group,
    )
    rows = await db.fetch_all(stmt)
    return {bytes(r["reporter_hash"]) for r in rows}


async def possibly_coordinated(
    db: Database,
    reporter_hashes: list[bytes],
    *,
    window_minutes: int = 60,
    min_group: int = 3,
    share: float = 0.5,
) -> bool:
    """True when at least `share` of the distinct reporters (and at least
    `min_group`) were first seen from one address within a short time."""
    distinct = {bytes(h) for h in reporter_hashes if h is not None}
    flagged = await coordinated_reporters(
        db, list(distinct), window_minutes=window_minutes, min_group=min_group
    )
    return len(flagged) >= max(min_group, share * len(distinct))


async def coordination_by_group(
    db: Database,
    groups: Mapping[K, Iterable[bytes]],
    *,
    window_minutes: int = 60,
    min_group: int = 3,
    share: float = 0.5,
) -> dict[K, bool]:
    """`possibly_coordinated` for many hotspots with one query.

    `groups` maps a hotspot key to the reporter hashes of its reports; the
    answer maps each key to its "possibly coordinated" flag.
    """
    wanted = {bytes(h) for hashes in groups.values() for h in hashes if h is not None}
    seen: dict[bytes, tuple[bytes, float]] = {}
    if wanted:
        # One array parameter, however many reporters: a parameter per hash
        # stops at libpq's limit of 65535 (about 1M reports).
        rows = await db.fetch_all(_FIRST_SEEN, values={"hashes": list(wanted)})
        seen = {bytes(r["reporter_hash"]): (bytes(r["address_hash"]), float(r["at"])) for r in rows}
    window = window_minutes * 60
    flags: dict[K, bool] = {}
    for key, hashes in groups.items():
        distinct = {bytes(h) for h in hashes if h is not None}
        by_address: dict[bytes, list[float]] = {}
        for h in distinct:
            if h in seen:
                by_address.setdefault(seen[h][0], []).append(seen[h][1])
        flagged = 0
        for times in by_address.values():
            for t in times:
                if sum(1 for u in times if abs(u - t) <= window) >= min_group:
                    flagged += 1
        flags[key] = flagged >= max(min_group, share * len(distinct))
    return flags
