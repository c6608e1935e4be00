"""Reading and writing reports."""

from __future__ import annotations

import re
import uuid
from functools import lru_cache
from typing import Any

from sqlalchemy import LargeBinary, bindparam, delete, func, insert, select, update

from app.db.pool import AsyncConn, Database, Row, compile_sql
from app.db.tables.reports import data_version, reports
from app.domain.report import ParsedReport

INSERT_COLUMNS = (
    "id",
    "channel",
    "kind",
    "severity",
    "reasons",
    "times",
    "days",
    "dark_season",
    "description",
    "suggestion",
    "avoids_place",
    "age_band",
    "gender",
    "reporter_hash",
    "receipt_hash",
    "text_status",
)


@lru_cache(maxsize=1)
def _insert_sql() -> str:
    # Compiled once: the report insert is the hot path of the service.
    values: dict[str, Any] = {name: bindparam(name) for name in INSERT_COLUMNS}
    values["geom"] = func.ST_GeomFromWKB(bindparam("wkb", type_=LargeBinary), 4326)
    sql, _ = compile_sql(insert(reports).values(values))
    return sql


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _numbered(row: str, i: int) -> str:
    return _PLACEHOLDER.sub(lambda m: f"%({m.group(1)}_{i})s", row)


@lru_cache(maxsize=128)
def _insert_many_sql(count: int) -> str:
    """One INSERT with `count` rows; row i's parameters are named `<column>_<i>`."""
    head, _, row = _insert_sql().partition(" VALUES ")
    return f"{head} VALUES " + ", ".join(_numbered(row, i) for i in range(count))


def report_values(
    parsed: ParsedReport,
    *,
    channel: str,
    reporter_hash: bytes | None,
    receipt_hash: bytes | None,
    report_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Column values for one report, shared by the API insert and the bulk importer."""
    props = parsed.properties
    has_text = bool(props.description or props.suggestion)
    return {
        "id": report_id or uuid.uuid4(),
        "channel": channel,
        "kind": props.kind,
        "severity": props.severity,
        "reasons": list(props.reasons),
        "times": list(props.times),
        "days": list(props.days),
        "dark_season": props.dark_season,
        "description": props.description,
        "suggestion": props.suggestion,
        "avoids_place": props.avoids_place,
        "age_band": props.age_band,
        "gender": props.gender,
        "reporter_hash": reporter_hash,
        "receipt_hash": receipt_hash,
        # Free text waits for a moderator before any staff member sees it.
        "text_status": "pending" if has_text else "none",
    }


async def insert_report(
    db: Database, values: dict[str, Any], wkb: bytes, conn: AsyncConn | None = None
) -> None:
    await db.execute_sql(_insert_sql(), {**values, "wkb": wkb}, conn)


async def insert_reports(db: Database, rows: list[dict[str, Any]]) -> None:
    """Insert several reports (values plus "wkb") in one statement: one commit, one flush.

    One multi-row INSERT in autocommit is one round trip and fires the
    statement-level triggers (the tile grid's counts) once for the batch,
    where one INSERT per row would run them per row and hold the grid's hot
    rows locked until the commit.
    """
    if len(rows) == 1:
        await db.execute_sql(_insert_sql(), rows[0])
        return
    params = {f"{name}_{i}": value for i, row in enumerate(rows) for name, value in row.items()}
    await db.execute_sql(_insert_many_sql(len(rows)), params)


async def receipt_hash_of(db: Database, report_id: uuid.UUID) -> bytes | None:
    row = await db.fetch_one(select(reports.c.receipt_hash).where(reports.c.id == report_id))
    return None if row is None else row["receipt_hash"]


async def resident_view(db: Database, report_id: uuid.UUID) -> Row | None:
    """What a resident may see of their own report: status and moderation state."""
    return await db.fetch_one(
        select(reports.c.id, reports.c.receipt_hash, reports.c.status, reports.c.text_status).where(
            reports.c.id == report_id
        )
    )


async def delete_report(db: Database, report_id: uuid.UUID, receipt: bytes) -> bool:
    """Delete a report if the receipt hash matches; True when it was deleted."""
    async with db.transaction() as conn:
        deleted = await db.execute(
            delete(reports).where(reports.c.id == report_id, reports.c.receipt_hash == receipt),
            conn,
        )
        if deleted:
            await bump_version(db, conn)
    return deleted > 0


async def bump_version(db: Database, conn: AsyncConn) -> None:
    """Note that reports counting toward hotspots changed other than by an insert."""
    await db.execute(
        update(data_version)
        .where(data_version.c.name == "reports")
        .values(version=data_version.c.version + 1, changed_at=func.now()),
        conn,
    )


async def count_reports(db: Database, channel: str | None = None) -> int:
    """Every report, or those of one channel (e.g. `demo`)."""
    stmt = select(func.count().label("n")).select_from(reports)
    if channel is not None:
        stmt = stmt.where(reports.c.channel == channel)
    row = await db.fetch_one(stmt)
    return int(row["n"]) if row else 0
