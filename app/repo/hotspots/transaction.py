"""The transaction a hotspot computation runs in, and how it starts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import TextClause, text

from app.db.pool import AsyncConn, Database, Row


@dataclass(frozen=True)
class Tx:
    """The open transaction a computation runs in; its temp tables live there."""

    db: Database
    conn: AsyncConn

    async def rows(self, stmt: TextClause, values: dict[str, Any] | None = None) -> list[Row]:
        return await self.db.fetch_all(stmt, self.conn, values)

    async def run(self, *stmts: TextClause, values: dict[str, Any] | None = None) -> None:
        for stmt in stmts:
            await self.db.execute(stmt, self.conn, values)

    async def count(self, stmt: TextClause, values: dict[str, Any] | None = None) -> int:
        """Run one statement; the rows it made or changed (`CREATE TABLE AS` included)."""
        return await self.db.execute(stmt, self.conn, values)


ADVISORY_KEY = 3_000_003  # one computation at a time across processes
LOCK = text("SELECT pg_advisory_xact_lock(:k)")
# Long computations must not be cut by the web request statement timeout.
NO_TIMEOUT = text("SET LOCAL statement_timeout = 0")
# The statements here are costed far above jit_above_cost, but are
# dominated by PostGIS calls JIT cannot speed up: compiling only adds time.
NO_JIT = text("SET LOCAL jit = off")
# The computation's sorts and hashes span every report (a million rows at
# national scale): at the server's work_mem (32 MB) they spill to temp files.
# One computation runs at a time (the advisory lock), so its larger limit is
# paid once per server, not per connection.
WORK_MEM = text("SET LOCAL work_mem = '256MB'")


async def lock(tx: Tx) -> None:
    """Wait for any other computation, in any process, to finish."""
    await tx.run(LOCK, values={"k": ADVISORY_KEY})


# An ad-hoc computation's own limit (milliseconds, as text).
TIMEOUT = text("SELECT set_config('statement_timeout', :ms, true)")


async def unlimited(tx: Tx, timeout_ms: int | None = None) -> None:
    """No statement timeout (or `timeout_ms` for an ad-hoc computation), no JIT, and
    room to sort and hash in memory."""
    await tx.run(NO_TIMEOUT, NO_JIT, WORK_MEM)
    if timeout_ms:
        await tx.run(TIMEOUT, values={"ms": str(int(timeout_ms))})


# Whether some session (any process) holds the computation's lock now.
# A bigint advisory key shows in pg_locks as classid (high half), objid (low half).
RUNNING = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND classid = CAST(:high AS oid) AND objid = CAST(:low AS oid) AND objsubid = 1) AS running"
)


async def running(db: Database) -> bool:
    """Whether a computation is running now, in this process or another."""
    row = await db.fetch_one(
        RUNNING, values={"high": ADVISORY_KEY >> 32, "low": ADVISORY_KEY & 0xFFFFFFFF}
    )
    return bool(row and row["running"])
