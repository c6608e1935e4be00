"""Migrations go up, down and up again, and match the models exactly."""

from __future__ import annotations

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, pool

from app.db.schema import metadata
from app.repo.schema_version import alembic_config


def _run(url: str, action: str, revision: str) -> None:
    engine = create_engine(
        "postgresql+psycopg://" + url.removeprefix("postgresql://"), poolclass=pool.NullPool
    )
    config = alembic_config()
    config.attributes["configure_logger"] = False
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        getattr(command, action)(config, revision)
    engine.dispose()


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('spatial_ref_sys', 'alembic_version')"
        ).fetchall()
    return {r[0] for r in rows}


def _drift(url: str) -> list[object]:
    engine = create_engine(
        "postgresql+psycopg://" + url.removeprefix("postgresql://"), poolclass=pool.NullPool
    )
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    name != "spatial_ref_sys"
                    and alembic_helpers.include_object(obj, name, type_, reflected, compare_to)
                ),
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return list(diff)


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_url: str) -> None:
    _run(scratch_url, "upgrade", "head")
    expected = set(metadata.tables)
    assert _tables(scratch_url) == expected
    assert _drift(scratch_url) == []

    _run(scratch_url, "downgrade", "base")
    assert _tables(scratch_url) == set()

    _run(scratch_url, "upgrade", "head")
    assert _tables(scratch_url) == expected
    assert _drift(scratch_url) == []


def test_database_refuses_what_the_api_would_refuse(database_url: str, clean_db: None) -> None:
    """CHECK constraints back up the API, for writes that bypass it."""
    good = (
        "INSERT INTO reports (id, channel, reasons, times, geom) VALUES "
        "(gen_random_uuid(), 'api', %s, %s, ST_GeomFromText(%s, 4326))"
    )
    bad_rows = [
        (["lighting"], ["night"], "MULTIPOINT((12.32 58.38))"),
        (
            ["lighting"],
            ["night"],
            "POLYGON((12.32 58.38, 12.33 58.39, 12.33 58.38, 12.32 58.39, 12.32 58.38))",
        ),
        (["scary"], ["night"], "POINT(12.32 58.38)"),
        ([], ["night"], "POINT(12.32 58.38)"),
        (["lighting"], ["midnight"], "POINT(12.32 58.38)"),
        (["lighting"], ["night"], "POINT(200 58.38)"),
        (["lighting"], ["night"], "POINT Z(12.32 58.38 3)"),
    ]
    with psycopg.connect(database_url, autocommit=True) as conn:
        # A Z coordinate is refused by the column type, a wild longitude by the
        # generated SWEREF 99 TM copy, before the CHECK constraints see them.
        refused = (
            psycopg.errors.CheckViolation,
            psycopg.errors.InvalidParameterValue,
            psycopg.errors.InternalError_,
        )
        for reasons, times, wkt in bad_rows:
            with pytest.raises(refused):
                conn.execute(good, (reasons, times, wkt))
        with pytest.raises(refused):
            conn.execute(
                "INSERT INTO reports (id, channel, reasons, times, geom) VALUES "
                "(gen_random_uuid(), 'api', '{lighting}', '{night}', "
                "ST_SetSRID(ST_MakePoint('NaN'::float8, 58.38), 4326))"
            )
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                "INSERT INTO reports (id, channel, severity, reasons, times, geom) VALUES "
                "(gen_random_uuid(), 'api', 7, '{lighting}', '{night}', "
                "ST_GeomFromText('POINT(12.32 58.38)', 4326))"
            )
        assert conn.execute("SELECT count(*) FROM reports").fetchone() == (0,)
