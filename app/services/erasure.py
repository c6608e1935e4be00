"""The erasure log: withdrawals and purges kept outside the database's backups.

A restore brings the database back to an earlier point, and with it reports
that were withdrawn, and free text that was purged, after that point. Each
erasure is therefore also appended (and fsync'ed) to a JSON-lines file that
is not part of the backup set, before it is acknowledged; `replay` re-applies
the file after a restore and at every start-up. The database remembers how far
into the file it has applied, so a start-up replay reads only the new tail,
and a restored database (with its older position) re-reads what it missed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from app.config import Settings
from app.db.pool import Database
from app.repo import erasure as repo

log = logging.getLogger(__name__)
WITHDRAWN = "withdrawn"
PURGED_TEXT = "purged_text"
BATCH = 5000


def append(path: Path, kind: str, report_ids: Iterable[uuid.UUID]) -> int:
    """Append one line per report and fsync; returns the lines written."""
    at = datetime.now(UTC).isoformat()
    ids = list(report_ids)
    if not ids:
        return 0
    lines = b"".join(orjson.dumps({"id": str(rid), "at": at, "kind": kind}) + b"\n" for rid in ids)
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            # A crash tore the last append: end that line, so this one stays whole.
            lines = b"\n" + lines
        os.write(fd, lines)
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        # The file's directory entry must be durable too.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return len(ids)


async def record_withdrawal(settings: Settings, report_id: uuid.UUID) -> None:
    await asyncio.to_thread(append, settings.erasure_log, WITHDRAWN, [report_id])


async def record_purge(settings: Settings, report_ids: list[uuid.UUID]) -> None:
    await asyncio.to_thread(append, settings.erasure_log, PURGED_TEXT, report_ids)


def _read_tail(path: Path, offset: int) -> tuple[bytes, int]:
    """Complete lines after `offset` (from 0 if the file is shorter: it was replaced)."""
    if not path.exists():
        return b"", 0
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        start = offset if offset <= size else 0
        fh.seek(start)
        data = fh.read()
    end = data.rfind(b"\n") + 1  # a torn last line waits for the next replay
    return data[:end], start


@dataclass(frozen=True)
class Replayed:
    entries: int
    deleted: int
    cleared: int


async def replay(db: Database, settings: Settings) -> Replayed:
    """Re-apply every erasure the database has not seen; idempotent and cheap when current."""
    data, start = await asyncio.to_thread(
        _read_tail, settings.erasure_log, await repo.replayed_offset(db)
    )
    entries = deleted = cleared = 0
    withdrawn: list[uuid.UUID] = []
    purged: list[uuid.UUID] = []
    position = applied = start
    for line in data.splitlines(keepends=True):
        position += len(line)
        try:
            entry = orjson.loads(line)
            rid = uuid.UUID(entry["id"])
        except (orjson.JSONDecodeError, KeyError, ValueError, TypeError):
            log.warning("erasure log %s: skipping an unreadable line", settings.erasure_log)
            continue
        entries += 1
        (withdrawn if entry.get("kind") == WITHDRAWN else purged).append(rid)
        if len(withdrawn) + len(purged) >= BATCH:
            d, c = await repo.apply(db, withdrawn, purged, position)
            deleted, cleared, applied = deleted + d, cleared + c, position
            withdrawn, purged = [], []
    if position != applied:
        d, c = await repo.apply(db, withdrawn, purged, position)
        deleted, cleared = deleted + d, cleared + c
    if entries:
        log.info(
            "erasure log replayed: %d entries, %d deleted, %d cleared", entries, deleted, cleared
        )
    return Replayed(entries, deleted, cleared)
