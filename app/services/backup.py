"""Backups with pgBackRest: take one now, report their state, watch WAL archiving.

The cluster set-up (scripts/pgcluster.py) writes pgBackRest's configuration and
turns on WAL archiving; this module only drives the `pgbackrest` command, run as
the user that owns the configuration (the cluster's owner), so the settings
here (repository, retention) override what that file says.
"""

from __future__ import annotations

import os
import pwd
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from app.config import Settings
from app.db.pool import Database
from app.repo import erasure as repo

STANZA = "trygg"
KINDS = ("full", "diff", "incr")


class BackupFailed(RuntimeError):
    """pgbackrest reported an error; the message carries its output."""


def _argv(settings: Settings, *args: str) -> list[str]:
    argv = [
        "pgbackrest",
        f"--config={settings.backup_config}",
        f"--stanza={STANZA}",
        f"--repo1-path={settings.backup_dir}",
        *args,
    ]
    try:
        owner = settings.backup_config.stat().st_uid
    except FileNotFoundError as exc:
        raise BackupFailed(
            f"{settings.backup_config} does not exist: the cluster set-up writes it "
            "(scripts/pgcluster.py ensure) when pgbackrest is installed"
        ) from exc
    if os.geteuid() == 0 and owner != 0:
        # pgBackRest must run as the cluster's owner to read its files.
        argv = ["runuser", "-u", pwd.getpwuid(owner).pw_name, "--", *argv]
    return argv


def _run(settings: Settings, *args: str) -> str:
    result = subprocess.run(_argv(settings, *args), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupFailed(f"pgbackrest {args[0]} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def take(settings: Settings, kind: str = "incr") -> dict[str, Any]:
    """Take a backup now (an incremental one becomes full when none exists yet)."""
    if kind not in KINDS:
        raise ValueError(f"backup type must be one of {', '.join(KINDS)}")
    _run(
        settings,
        "backup",
        f"--type={kind}",
        f"--repo1-retention-full={settings.backup_retention_full}",
    )
    return info(settings)


def info(settings: Settings) -> dict[str, Any]:
    """pgBackRest's own view of the stanza (JSON `info`), or {} when there is none."""
    stanzas = orjson.loads(_run(settings, "info", "--output=json") or b"[]")
    return dict(stanzas[0]) if stanzas else {}


def _size(path: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(folder) / name).stat().st_size
            except OSError:
                continue
    return total


@dataclass(frozen=True)
class BackupStatus:
    last_label: str | None
    last_type: str | None
    last_finished: datetime | None
    backups: int
    wal_archived_to: str | None
    repository_bytes: int
    archiver: dict[str, Any]

    def lines(self) -> list[str]:
        finished = self.last_finished.isoformat() if self.last_finished else "never"
        out = [
            f"last backup:     {self.last_label or 'none'} ({self.last_type or '-'}), "
            f"finished {finished}",
            f"backups kept:    {self.backups}",
            f"WAL archived to: {self.wal_archived_to or 'nothing yet'}",
            f"repository size: {self.repository_bytes / 1e6:.1f} MB",
        ]
        if self.archiver:
            out.append(
                f"archiver:        last archived {self.archiver.get('last_archived_wal')} at "
                f"{self.archiver.get('last_archived_time')}, last failed "
                f"{self.archiver.get('last_failed_wal')} at {self.archiver.get('last_failed_time')}"
            )
        return out


def status(settings: Settings, archiver: dict[str, Any] | None = None) -> BackupStatus:
    stanza = info(settings)
    backups = stanza.get("backup", [])
    last = backups[-1] if backups else {}
    stop = last.get("timestamp", {}).get("stop")
    archives = [a for a in stanza.get("archive", []) if a.get("max")]
    return BackupStatus(
        last_label=last.get("label"),
        last_type=last.get("type"),
        last_finished=datetime.fromtimestamp(stop, UTC) if stop else None,
        backups=len(backups),
        wal_archived_to=max(a["max"] for a in archives) if archives else None,
        repository_bytes=_size(settings.backup_dir),
        archiver=archiver or {},
    )


async def archiver(db: Database) -> dict[str, Any]:
    return await repo.archiver(db)


async def archiving_failing_for(db: Database, settings: Settings) -> float | None:
    """Seconds WAL archiving has been failing, when longer than the threshold; else None."""
    if not settings.archive_failing_seconds:
        return None
    failing = (await repo.archiver(db)).get("failing_seconds")
    if failing is None or float(failing) <= settings.archive_failing_seconds:
        return None
    return float(failing)
