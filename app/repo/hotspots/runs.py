"""Stored hotspot runs: the input version they were computed from, the newest one, storing one.

A run is stored with the parameters and the input version (data_version +
report count) it was computed from; only the newest run per filter is kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text

from app.db.pool import AsyncConn, Database, Row
from app.repo.hotspots.transaction import Tx

INPUT_VERSION = text(
    "SELECT COALESCE((SELECT version FROM data_version WHERE name = 'reports'), 0) AS v, "
    "(SELECT count(*) FROM reports) AS n"
)
LATEST = text("SELECT * FROM hotspot_runs WHERE filter_key = :key ORDER BY id DESC LIMIT 1")

INSERT_RUN = text(
    "INSERT INTO hotspot_runs (filter_key, filters, params, params_hash, input_version, "
    "input_reports, started_at, finished_at, points, k_mc, k_threshold, hotspot_count, "
    "duration_ms) VALUES (:key, :filters, :params, :hash, :v, :n, "
    "now(), clock_timestamp(), :points, :k_mc, :k, :count, :ms) "
    "RETURNING id, finished_at"
)
# A new identity, or the unfiltered run moving one along with its place; the
# outline comes from the computation's temp table hs_out.
NEW_IDENTITY = text(
    "INSERT INTO hotspot_identities (id, first_seen, last_seen, outline_3006) "
    "SELECT :id, :t, :t, outline FROM hs_out WHERE cid = :cid"
)
MOVE_IDENTITY = text(
    "UPDATE hotspot_identities SET last_seen = :t, outline_3006 = o.outline "
    "FROM hs_out o WHERE o.cid = :cid AND hotspot_identities.id = :id"
)
INSERT_HOTSPOT = text(
    "INSERT INTO hotspots (run_id, hotspot_id, rank, score, reporters, reports, "
    "reasons, times, days, hours, severity_mean, safe_share, first_report, "
    "last_report, level, possibly_coordinated, significance, significance_held, "
    "outline, outline_3006, centre, "
    "held_reasons, independent_units, support, public_outline, public_centre) "
    "SELECT :run, :id, :rank, :score, :reporters, :reports, "
    ":reasons, :times, :days, :hours, :severity_mean, "
    ":safe_share, o.first_report, o.last_report, :level, "
    ":possibly_coordinated, CAST(:significance AS jsonb), :significance_held, "
    "ST_ForcePolygonCCW(ST_Transform(o.outline, 4326)), o.outline, "
    "ST_Transform(ST_Point(o.cx, o.cy, 3006), 4326), "
    "CAST(:held_reasons AS text[]), :independent_units, CAST(:support AS jsonb), "
    "ST_ForcePolygonCCW(ST_Transform(ST_GeomFromText(:public_outline, 3006), 4326)), "
    "ST_Transform(ST_GeomFromText(:public_centre, 3006), 4326) FROM hs_out o "
    "WHERE o.cid = :cid"
)
# Only the newest run per filter is ever served; filtered runs are a cache.
# At most `keep` filtered runs are kept, so a stream of distinct filters
# cannot fill the table.
PRUNE = text(
    "DELETE FROM hotspot_runs WHERE (filter_key = :key AND id < :id) "
    "OR (filter_key <> '' AND finished_at < now() - interval '1 day') "
    "OR (filter_key <> '' AND id NOT IN (SELECT id FROM hotspot_runs WHERE filter_key <> '' "
    "ORDER BY id DESC LIMIT :keep))"
)


async def input_version(db: Database, conn: AsyncConn | None = None) -> tuple[int, int]:
    """(data_version of reports, number of reports): any insert or change moves it."""
    rows = await db.fetch_all(INPUT_VERSION, conn)
    return int(rows[0]["v"]), int(rows[0]["n"])


async def latest_run(db: Database, key: str, conn: AsyncConn | None = None) -> Row | None:
    return await db.fetch_one(LATEST, conn, {"key": key})


RUN_EXISTS = text("SELECT EXISTS (SELECT 1 FROM hotspot_runs WHERE id = :id) AS there")


async def run_exists(db: Database, run_id: int) -> bool:
    row = await db.fetch_one(RUN_EXISTS, None, {"id": run_id})
    return bool(row is not None and row["there"])


def is_fresh(run: Row | None, version: tuple[int, int], params_hash: str) -> bool:
    """Whether `run` was computed from this input with these parameters."""
    return (
        run is not None
        and run["params_hash"] == params_hash
        and (int(run["input_version"]), int(run["input_reports"])) == version
    )


async def insert_run(tx: Tx, values: dict[str, Any]) -> tuple[int, datetime]:
    """Store a run (`values` for INSERT_RUN); its id and finishing time."""
    row = (await tx.rows(INSERT_RUN, values))[0]
    return int(row["id"]), row["finished_at"]


async def new_identity(tx: Tx, identity: str, seen: datetime, cid: int) -> None:
    await tx.run(NEW_IDENTITY, values={"id": identity, "t": seen, "cid": cid})


async def move_identity(tx: Tx, identity: str, seen: datetime, cid: int) -> None:
    await tx.run(MOVE_IDENTITY, values={"id": identity, "t": seen, "cid": cid})


async def insert_hotspot(tx: Tx, values: dict[str, Any]) -> None:
    """One hotspot of run `run` (`values` for INSERT_HOTSPOT; its outline from hs_out)."""
    await tx.run(INSERT_HOTSPOT, values=values)


async def prune(tx: Tx, key: str, run_id: int, keep: int = 50) -> None:
    """Drop the older runs of `key`, filtered runs older than a day, and all but the
    newest `keep` filtered runs."""
    await tx.run(PRUNE, values={"key": key, "id": run_id, "keep": keep})
