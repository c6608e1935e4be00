"""Bulk import of reports from a GeoJSON FeatureCollection (COPY, one transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from app.db import Database
from app.models.report import ImportFeature, ReportInvalid, parse_report
from app.security.keyed import reporter_hash
from app.settings import Settings
from app.store import reports as report_store
from app.store.tables import import_batches, reports
from geo.area import ServiceArea

COPY_COLUMNS = (*report_store.INSERT_COLUMNS, "created_at", "batch_id", "geom")

Progress = Callable[[str], None]

# Vocabulary codes are plain identifiers (checked by the model), so they can go
# to COPY as text[] literals; psycopg's generic list dumper was a fifth of the time.
ARRAY_COLUMNS = ("reasons", "times", "days")


def _array_literal(codes: list[str]) -> str:
    return "{" + ",".join(codes) + "}"


@dataclass
class ImportResult:
    batch_id: uuid.UUID | None
    stored: int
    invalid: list[tuple[int, str]] = field(default_factory=list)


class ImportRefused(ValueError):
    """The file has invalid features and --skip-invalid was not given."""

    def __init__(self, invalid: list[tuple[int, str]]) -> None:
        self.invalid = invalid
        super().__init__(f"{len(invalid)} invalid feature(s); nothing was stored")


def features_of(data: Any) -> list[Any]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ValueError("the file must hold a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ValueError("the FeatureCollection has no 'features' array")
    return features


async def import_features(
    db: Database,
    settings: Settings,
    area: ServiceArea,
    features: Sequence[Any],
    *,
    source: str,
    channel: str = "import",
    skip_invalid: bool = False,
    progress: Progress = lambda _: None,
) -> ImportResult:
    """Validate every feature exactly as the API does, then COPY the good ones."""
    batch_id = uuid.uuid4()
    key = settings.key
    now = datetime.now(UTC)
    rows: list[tuple[Any, ...]] = []
    invalid: list[tuple[int, str]] = []
    total = len(features)
    step = max(1, total // 10)
    for index, feature in enumerate(features):
        if index % step == 0 and index:
            progress(f"validated {index}/{total}")
        try:
            parsed = parse_report(
                feature,
                area=area,
                max_vertices=settings.max_vertices,
                description_max=settings.description_max_chars,
                suggestion_max=settings.suggestion_max_chars,
                model=ImportFeature,
            )
        except ReportInvalid as exc:
            invalid.append((index, str(exc)))
            continue
        props = parsed.properties
        # Without a respondent token each imported feature counts as its own person.
        token = props.client_token or f"{batch_id}:{index}"
        values = report_store.report_values(
            parsed, channel=channel, reporter_hash=reporter_hash(key, token), receipt_hash=None
        )
        created_at = getattr(props, "created_at", None) or now
        for name in ARRAY_COLUMNS:
            values[name] = _array_literal(values[name])
        rows.append(
            (
                *(values[name] for name in report_store.INSERT_COLUMNS),
                created_at,
                batch_id,
                parsed.geometry.ewkb_hex,
            )
        )
    progress(f"validated {total}/{total}, {len(invalid)} invalid")
    if invalid and not skip_invalid:
        raise ImportRefused(invalid)
    if not rows:
        return ImportResult(None, 0, invalid)
    columns = ", ".join(COPY_COLUMNS)
    async with db.transaction() as conn:
        await db.execute(
            insert(import_batches).values(
                id=batch_id, source=source, channel=channel, report_count=len(rows)
            ),
            conn,
        )
        async with conn.cursor() as cur, cur.copy(f"COPY reports ({columns}) FROM STDIN") as copy:
            for n, row in enumerate(rows, 1):
                await copy.write_row(row)
                if n % 20000 == 0:
                    progress(f"stored {n}/{len(rows)}")
        await report_store.bump_version(db, conn)
    progress(f"stored {len(rows)}/{len(rows)}")
    return ImportResult(batch_id, len(rows), invalid)


async def remove_batch(db: Database, batch_id: uuid.UUID) -> int:
    """Delete an import batch and its reports; returns how many reports went."""
    async with db.transaction() as conn:
        removed = await db.execute(delete(reports).where(reports.c.batch_id == batch_id), conn)
        await db.execute(delete(import_batches).where(import_batches.c.id == batch_id), conn)
        await report_store.bump_version(db, conn)
    return removed


async def remove_channel(db: Database, channel: str) -> int:
    async with db.transaction() as conn:
        removed = await db.execute(delete(reports).where(reports.c.channel == channel), conn)
        await db.execute(delete(import_batches).where(import_batches.c.channel == channel), conn)
        await report_store.bump_version(db, conn)
    return removed


async def batch_exists(db: Database, batch_id: uuid.UUID) -> bool:
    row = await db.fetch_one(select(import_batches.c.id).where(import_batches.c.id == batch_id))
    return row is not None
