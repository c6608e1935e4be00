"""Full and incremental backups on a schedule, one at a time, with their outcomes kept.

`python -m app backup-scheduler` runs `run_forever`; `make run` starts it next
to the server and docker compose runs it as a service of its own. Several
schedulers (or a scheduler and `python -m app backup`) may share a database:
an advisory lock lets one backup run at a time, and what is due is decided
after taking it, from pgBackRest's own list of backups, so a backup taken by
command also counts and nothing is taken twice.

After a restore (or a promotion) PostgreSQL writes WAL on a new timeline; the
first backup the scheduler takes then is a full one, whatever the schedule
says, so the restored history never depends on an incremental chain that
started on the old timeline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable
from app.repo import backup_runs as repo
from app.repo.schema_version import head_revision
from app.services import backup, schema

log = logging.getLogger("app.backup")
# Wake at least this often: a restore or a backup by hand changes what is due.
MAX_SLEEP = 60.0


class BackupBusy(RuntimeError):
    """Another process holds the backup lock."""


@asynccontextmanager
async def backup_lock(db: Database, wait_seconds: float = 0) -> AsyncIterator[None]:
    """Hold the one backup lock; waits up to `wait_seconds`, then raises BackupBusy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_seconds
    async with db.connection() as conn:
        # Polling, not pg_advisory_lock: the pool's statement_timeout would cut a long wait.
        while not await repo.try_lock(db, conn):
            if loop.time() >= deadline:
                raise BackupBusy("another backup is running")
            await asyncio.sleep(1.0)
        try:
            yield
        finally:
            await repo.unlock(db, conn)


async def take_recorded(db: Database, settings: Settings, kind: str, trigger: str) -> str:
    """Take a backup under the lock held by the caller and record the outcome; its label."""
    started = datetime.now(UTC)
    try:
        state = await asyncio.to_thread(backup.take, settings, kind)
    except backup.BackupFailed as exc:
        await repo.record(
            db,
            kind=kind,
            trigger=trigger,
            started_at=started,
            finished_at=datetime.now(UTC),
            ok=False,
            label=None,
            error=str(exc)[-2000:],
        )
        raise
    last = (state.get("backup") or [{}])[-1]
    label = str(last.get("label") or "")
    await repo.record(
        db,
        kind=str(last.get("type") or kind),
        trigger=trigger,
        started_at=started,
        finished_at=datetime.now(UTC),
        ok=True,
        label=label,
        error=None,
    )
    return label


@dataclass(frozen=True)
class Due:
    kind: str | None  # "full", "incr" or None: nothing due now
    wait: float  # seconds until something is due


def timeline_of(backup_entry: dict[str, Any]) -> int | None:
    """The timeline a pgBackRest backup started on (its first WAL file's first 8 hex digits)."""
    start = (backup_entry.get("archive") or {}).get("start")
    try:
        return int(str(start)[:8], 16) if start else None
    except ValueError:
        return None


def due(
    settings: Settings, backups: list[dict[str, Any]], now: float, timeline: int | None = None
) -> Due:
    """What the schedule asks for, given pgBackRest's backups (oldest first) and the time.

    `timeline` is the cluster's current WAL timeline: when it is newer than the
    newest full backup's, the cluster was restored (or promoted) since, and a
    full backup is due at once.
    """
    stops = [b.get("timestamp", {}).get("stop") or 0 for b in backups]
    fulls = [(s, b) for b, s in zip(backups, stops, strict=True) if b.get("type") == "full"]
    last_full = max((s for s, _b in fulls), default=None)
    last_any = max(stops, default=None)
    if timeline is not None and fulls:
        newest_full = max(fulls, key=lambda pair: pair[0])[1]
        started_on = timeline_of(newest_full)
        if started_on is not None and started_on < timeline:
            return Due("full", 0)
    waits: list[float] = []
    if settings.backup_full_every:
        if last_full is None:
            return Due("full", 0)
        waits.append(last_full + settings.backup_full_every - now)
        if waits[-1] <= 0:
            return Due("full", 0)
    if settings.backup_incremental_every:
        if last_any is None:
            # pgBackRest makes the first incremental a full one.
            return Due("incr", 0)
        waits.append(last_any + settings.backup_incremental_every - now)
        if waits[-1] <= 0:
            return Due("incr", 0)
    return Due(None, min(waits, default=MAX_SLEEP))


def enabled(settings: Settings) -> str | None:
    """Why the schedule cannot run now, or None when it can."""
    if not (settings.backup_full_every or settings.backup_incremental_every):
        return "TRYGG_BACKUP_FULL_EVERY and TRYGG_BACKUP_INCREMENTAL_EVERY are both 0"
    if not settings.backup_config.exists():
        return (
            f"{settings.backup_config} does not exist (pgBackRest not installed, or the "
            "cluster set-up has not run)"
        )
    return None


async def run_once(db: Database, settings: Settings) -> tuple[str | None, float]:
    """Take the backup that is due, if any; (label or None, seconds to sleep)."""
    retry = float(min(settings.backup_incremental_every or 300, 300))
    try:
        async with backup_lock(db):
            try:
                stanza = await asyncio.to_thread(backup.info, settings)
            except backup.BackupFailed as exc:
                now = datetime.now(UTC)
                await repo.record(
                    db,
                    kind="unknown",
                    trigger="schedule",
                    started_at=now,
                    finished_at=now,
                    ok=False,
                    label=None,
                    error=str(exc)[-2000:],
                )
                raise
            timeline = await repo.current_timeline(db)
            plan = due(
                settings,
                list(stanza.get("backup", [])),
                datetime.now(UTC).timestamp(),
                timeline,
            )
            if plan.kind is None:
                return None, min(max(plan.wait, 0.5), MAX_SLEEP)
            log.info("scheduled %s backup starting", plan.kind)
            label = await take_recorded(db, settings, plan.kind, "schedule")
            log.info("scheduled %s backup %s done", plan.kind, label)
            return label, 0.5
    except BackupBusy:
        return None, min(retry, MAX_SLEEP)
    except backup.BackupFailed as exc:
        # Try again soon rather than at the next interval: the archive is not growing.
        log.error("scheduled backup failed, retrying in %.0f s: %s", retry, exc)
        return None, retry


async def run_forever(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    waiting_logged = False
    head = head_revision()
    while not stop.is_set():
        reason = enabled(settings)
        if reason is None:
            # Started next to the service (compose), possibly before its migrations.
            reason = await schema.migrations_pending(db, head)
        if reason is not None:
            if not (settings.backup_full_every or settings.backup_incremental_every):
                log.info("backup schedule off: %s", reason)
                return
            if not waiting_logged:
                log.warning("backup schedule waiting: %s", reason)
                waiting_logged = True
            sleep = MAX_SLEEP
        else:
            waiting_logged = False
            try:
                _label, sleep = await run_once(db, settings)
            except DatabaseUnavailable as exc:
                # The database is away (restarting, being restored): try again later.
                log.warning("backup schedule: database unavailable: %s", exc)
                sleep = MAX_SLEEP
        try:
            await asyncio.wait_for(stop.wait(), timeout=sleep)
        except TimeoutError:
            continue


async def failing_for(db: Database, settings: Settings) -> float | None:
    """Seconds backups have been failing, when longer than the threshold; else None."""
    if not settings.backup_failing_seconds:
        return None
    since = await repo.failing_since(db)
    if since is None:
        return None
    failing = (datetime.now(UTC) - since).total_seconds()
    return failing if failing > settings.backup_failing_seconds else None


async def last_runs(db: Database) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The latest recorded backup run and the latest successful one."""
    return await repo.last(db), await repo.last(db, ok=True)


def _every(seconds: int) -> str:
    if not seconds:
        return "off"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def status_lines(
    settings: Settings,
    last_run: dict[str, Any] | None,
    last_ok: dict[str, Any] | None,
    failing: float | None,
) -> list[str]:
    """The schedule and its last outcome, for `python -m app backup-status`."""
    out = [
        f"schedule:        full every {_every(settings.backup_full_every)}, incremental "
        f"every {_every(settings.backup_incremental_every)} (python -m app backup-scheduler)"
    ]
    if last_run is None:
        out.append("last run:        none recorded")
        return out
    outcome = "ok" if last_run["ok"] else "FAILED"
    out.append(
        f"last run:        {outcome}, {last_run['kind']} by {last_run['trigger']}, finished "
        f"{last_run['finished_at'].isoformat()}"
    )
    if not last_run["ok"]:
        error = (last_run.get("error") or "").strip().splitlines()
        out.append(f"last error:      {error[-1] if error else '-'}")
        ok_at = last_ok["finished_at"].isoformat() if last_ok else "never"
        out.append(f"last success:    {ok_at}")
    if failing is not None:
        out.append(
            f"ALERT:           backups failing for {failing:.0f} s "
            f"(> TRYGG_BACKUP_FAILING_SECONDS={settings.backup_failing_seconds}); /readyz fails"
        )
    return out
