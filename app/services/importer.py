"""Bulk import of reports from a GeoJSON FeatureCollection (COPY, one transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from app.config import Settings
from app.db.pool import Database
from app.db.tables.reports import import_batches, reports
from app.domain.report import ImportFeature, ReportInvalid, parse_report
from app.repo import reports as report_store
from app.security.keyed import reporter_hash
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


class _NothingToStore(Exception):
    """Every feature was invalid and skipped: roll the empty batch back."""


def _validated(
    features: Sequence[Any],
    settings: Settings,
    area: ServiceArea,
    *,
    batch_id: uuid.UUID,
    channel: str,
    untokened: list[int] | None = None,
) -> Iterator[tuple[int, tuple[Any, ...] | None, str | None]]:
    """(index, COPY row, None) for a good feature, (index, None, reason) for a bad one."""
    key = settings.key
    now = datetime.now(UTC)
    for index, feature in enumerate(features):
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
            yield index, None, str(exc)
            continue
        props = parsed.properties
        # Without a respondent token each imported feature counts as its own person.
        token = props.client_token or f"{batch_id}:{index}"
        if not props.client_token and untokened is not None:
            untokened.append(index)  # the batch then counts as one source of support
        values = report_store.report_values(
            parsed, channel=channel, reporter_hash=reporter_hash(key, token), receipt_hash=None
        )
        for name in ARRAY_COLUMNS:
            values[name] = _array_literal(values[name])
        created_at = getattr(props, "created_at", None) or now
        row = (
            *(values[name] for name in report_store.INSERT_COLUMNS),
            created_at,
            batch_id,
            parsed.geometry.ewkb_hex,
        )
        yield index, row, None


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
    """Validate every feature exactly as the API does and COPY the good ones.

    Rows stream into COPY while later features are still being validated, so
    PostgreSQL works on one core while Python validates on the other. It is
    all one transaction, without the web requests' statement timeout (the
    COPY lasts as long as the whole file's validation): when a feature is
    invalid (and --skip-invalid is not given) every feature is still checked,
    to list every problem, and then the whole transaction is rolled back.
    """
    batch_id = uuid.uuid4()
    invalid: list[tuple[int, str]] = []
    total = len(features)
    step = max(1, total // 10)
    stored = 0
    columns = ", ".join(COPY_COLUMNS)
    untokened: list[int] = []
    rows = _validated(
        features, settings, area, batch_id=batch_id, channel=channel, untokened=untokened
    )
    try:
        async with db.batch_transaction() as conn:
            await db.execute(
                insert(import_batches).values(
                    id=batch_id, source=source, channel=channel, report_count=0
                ),
                conn,
            )
            copy_sql = f"COPY reports ({columns}) FROM STDIN"
            async with conn.cursor() as cur, cur.copy(copy_sql) as copy:
                for index, row, reason in rows:
                    if index % step == 0 and index:
                        progress(f"validated {index}/{total}")
                    if reason is not None:
                        invalid.append((index, reason))
                    elif row is not None and (skip_invalid or not invalid):
                        await copy.write_row(row)
                        stored += 1
            progress(f"validated {total}/{total}, {len(invalid)} invalid")
            if invalid and not skip_invalid:
                raise ImportRefused(invalid)
            if not stored:
                raise _NothingToStore
            await db.execute(
                update(import_batches)
                .where(import_batches.c.id == batch_id)
                .values(report_count=stored, untokened_reports=len(untokened)),
                conn,
            )
            await report_store.bump_version(db, conn)
    except _NothingToStore:
        return ImportResult(None, 0, invalid)
    progress(f"stored {stored}/{total}")
    return ImportResult(batch_id, stored, invalid)


async def remove_batch(db: Database, batch_id: uuid.UUID) -> int:
    """Delete an import batch and its reports; returns how many reports went."""
    async with db.batch_transaction() as conn:
        removed = await db.execute(delete(reports).where(reports.c.batch_id == batch_id), conn)
        await db.execute(delete(import_batches).where(import_batches.c.id == batch_id), conn)
        await report_store.bump_version(db, conn)
    return removed


async def remove_channel(db: Database, channel: str) -> int:
    async with db.batch_transaction() as conn:
        removed = await db.execute(delete(reports).where(reports.c.channel == channel), conn)
        await db.execute(delete(import_batches).where(import_batches.c.channel == channel), conn)
        await report_store.bump_version(db, conn)
    return removed


async def batch_exists(db: Database, batch_id: uuid.UUID) -> bool:
    row = await db.fetch_one(select(import_batches.c.id).where(import_batches.c.id == batch_id))
    return row is not None
