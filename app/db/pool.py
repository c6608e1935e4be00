"""The database connection pool and how SQLAlchemy Core statements run on it.

Statements are SQLAlchemy Core / GeoAlchemy2, or `text()` with `:name`
parameters whose values are given per call, compiled for psycopg with bound
parameters; they run on a psycopg_pool pool opened in the app's lifespan, or
on an open transaction's connection. Pages, API and CLI all reach the
database through here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, TextClause

from app.config import Settings

log = logging.getLogger(__name__)

Row = dict[str, Any]
AsyncConn = psycopg.AsyncConnection[Row]


class DatabaseUnavailable(Exception):
    """No connection could be had in time: answer 503, the client may retry."""


# SQLSTATEs of a real outage: connection exceptions (class 08), the server
# shutting down or starting up, or out of connection slots. Anything else
# (a statement the server or libpq refused, bad data) is a bug or a 4xx, not a 503.
_OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def is_outage(exc: BaseException, conn: AsyncConn | None = None) -> bool:
    """Whether `exc` means the database cannot be reached (503), not a failing statement."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = exc.sqlstate or ""
    if state.startswith("08") or state in _OUTAGE_STATES:
        return True
    # A lost connection has no SQLSTATE; the connection is marked broken.
    return conn is None or conn.broken or conn.closed


class DatabaseUnsafe(RuntimeError):
    """The database would lose acknowledged writes; the service must not start."""


@lru_cache(maxsize=1)
def _dialect() -> pg_psycopg.PGDialect_psycopg:
    return pg_psycopg.dialect()  # type: ignore[no-untyped-call]


Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL (psycopg `%(name)s` placeholders), bound values and processors."""

    sql: str
    params: dict[str, Any]
    processors: dict[str, Processor]

    def bind(self, values: Mapping[str, Any] | None) -> dict[str, Any]:
        """The parameters, with `values` for those of the statement's names they have."""
        params = dict(self.params)
        if values:
            params.update((name, values[name]) for name in self.params if name in values)
        # Apply the types' bind processors (JSON serialisation, GeoAlchemy2
        # elements) the way SQLAlchemy's own execution would.
        for name, process in self.processors.items():
            if name in params:
                params[name] = process(params[name])
        return params


def _processor(bind: BindParameter[Any], dialect: pg_psycopg.PGDialect_psycopg) -> Processor | None:
    return bind.type.dialect_impl(dialect).bind_processor(dialect)


def _compile(stmt: ClauseElement) -> SQLCompiler:
    compiled = stmt.compile(dialect=_dialect())
    assert isinstance(compiled, SQLCompiler)
    return compiled


def _compiled(compiled: SQLCompiler) -> _Compiled:
    dialect = _dialect()
    # Parameters without a value (`:name` in text()) are given theirs per call.
    unset = {name: None for bind, name in compiled.bind_names.items() if bind.required}
    # Expanding parameters (IN lists) become one parameter per element here.
    state = compiled.construct_expanded_state(unset)
    processors: dict[str, Processor] = {}
    for bind, name in compiled.bind_names.items():
        if bind in compiled.literal_execute_params:
            continue  # rendered into the SQL text
        process = _processor(bind, dialect)
        if process is not None:
            for key in state.parameter_expansion.get(name, [name]):
                processors[key] = process
    return _Compiled(state.statement, dict(state.parameters), processors)


@lru_cache(maxsize=512)
def _compiled_text(stmt: TextClause) -> _Compiled | None:
    """A `text()` statement compiled once; values are bound per call (None: IN lists)."""
    compiled = _compile(stmt)
    if any(bind.expanding for bind in compiled.binds.values()):
        return None
    return _compiled(compiled)


def compile_sql(
    stmt: ClauseElement, values: Mapping[str, Any] | None = None
) -> tuple[str, dict[str, Any]]:
    """SQL text with %(name)s placeholders plus its bound values.

    `values` fill the statement's bind parameters by name (`text("... :name")`).
    A `text()` statement is compiled once and reused.
    """
    if isinstance(stmt, TextClause):
        cached = _compiled_text(stmt)
        if cached is not None:
            return cached.sql, cached.bind(values)
    compiled = _compiled(_compile(stmt.params(values) if values else stmt))
    return compiled.sql, compiled.bind(None)


def _options(url: str, extra: str) -> str:
    """Add server options without dropping those already in the URL."""
    existing = conninfo_to_dict(url).get("options")
    return f"{existing} {extra}" if existing else extra


class Database:
    """A pool of autocommit connections; use `transaction()` for several statements."""

    def __init__(
        self, settings: Settings, *, min_size: int | None = None, url: str | None = None
    ) -> None:
        self.settings = settings
        url = url or settings.database_url
        # A pool on a hot standby (read_database_url) only reads.
        self.read_only = url != settings.database_url
        self.pool: AsyncConnectionPool[AsyncConn] = AsyncConnectionPool(
            url,
            min_size=settings.db_pool_min if min_size is None else min_size,
            max_size=settings.db_pool_max,
            # psycopg_pool's default is 10 minutes: connections opened for one burst
            # (a computation, a pause of the process) then stayed for the whole soak,
            # and the count crept up (docs/RELIABILITY.md).
            max_idle=settings.db_pool_max_idle_seconds,
            # A request waits at most this long for a connection, then gets a 503.
            timeout=settings.db_timeout_seconds,
            # No `check=` on checkout: it costs a round trip per request. A connection
            # that died with the server fails its next statement (503 for that
            # request) and the pool discards it, so service recovers on its own.
            # Keep trying to reconnect for as long as the database is away.
            reconnect_timeout=365 * 24 * 3600,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "connect_timeout": max(1, int(settings.db_timeout_seconds)),
                "options": _options(
                    url,
                    f"-c statement_timeout={settings.db_statement_timeout_ms}",
                ),
                "application_name": "trygghetskartan",
            },
            open=False,
            name="trygg-read" if self.read_only else "trygg",
        )

    async def open(self, wait: bool = True) -> None:
        await self.pool.open(wait=wait, timeout=max(5.0, self.settings.db_timeout_seconds))

    async def close(self) -> None:
        await self.pool.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConn]:
        held: AsyncConn | None = None
        try:
            async with self.pool.connection() as conn:
                held = conn
                yield conn
        except PoolTimeout as exc:
            raise DatabaseUnavailable("no database connection available") from exc
        except psycopg.OperationalError as exc:
            if not is_outage(exc, held):
                raise  # a failing statement: the caller's bug or data, logged as a 500
            raise DatabaseUnavailable(
                str(exc).splitlines()[0] if str(exc) else "database error"
            ) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConn]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def batch_transaction(self) -> AsyncIterator[AsyncConn]:
        """A transaction for an operator's batch (import, purge, replay): no statement timeout.

        The pool's `db_statement_timeout_ms` bounds what a web request may
        cost; a batch of tens of thousands of rows may run for minutes, and
        its operator, not that limit, decides when to stop it.
        """
        async with self.transaction() as conn:
            await conn.execute("SET LOCAL statement_timeout = 0")
            yield conn

    async def fetch_all(
        self,
        stmt: ClauseElement,
        conn: AsyncConn | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> list[Row]:
        """Rows of a Core or `text()` statement; `values` fill its `:name` parameters."""
        sql, params = compile_sql(stmt, values)
        return await self.fetch_all_sql(sql, params, conn)

    async def fetch_one(
        self,
        stmt: ClauseElement,
        conn: AsyncConn | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> Row | None:
        rows = await self.fetch_all(stmt, conn, values)
        return rows[0] if rows else None

    async def execute(
        self,
        stmt: ClauseElement,
        conn: AsyncConn | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> int:
        sql, params = compile_sql(stmt, values)
        return await self.execute_sql(sql, params, conn)

    async def fetch_all_sql(
        self, sql: str, params: Mapping[str, Any] | None = None, conn: AsyncConn | None = None
    ) -> list[Row]:
        """Run precompiled SQL (from `compile_sql`) and return its rows."""
        if conn is not None:
            cur = await conn.execute(sql, params)
            return await cur.fetchall() if cur.description else []
        async with self.connection() as own:
            cur = await own.execute(sql, params)
            return await cur.fetchall() if cur.description else []

    async def execute_sql(
        self, sql: str, params: Mapping[str, Any] | None = None, conn: AsyncConn | None = None
    ) -> int:
        if conn is not None:
            cur = await conn.execute(sql, params)
            return cur.rowcount
        async with self.connection() as own:
            cur = await own.execute(sql, params)
            return cur.rowcount


async def open_read_database(settings: Settings, primary: Database) -> Database:
    """The pool for public reads: the hot standby's when configured, else `primary`."""
    if not settings.read_database_url or settings.read_database_url == settings.database_url:
        return primary
    replica = Database(settings, url=settings.read_database_url)
    # Not waiting: a standby still starting must not keep the primary from serving.
    await replica.open(wait=False)
    return replica


async def check_durability(db: Database) -> None:
    """Refuse to run on a database that may drop acknowledged commits."""
    async with db.connection() as conn:
        cur = await conn.execute(
            "SELECT current_setting('fsync') AS fsync, "
            "current_setting('synchronous_commit') AS synchronous_commit"
        )
        row = await cur.fetchone()
    assert row is not None
    problems = []
    if row["fsync"] != "on":
        problems.append("fsync is off, so a crash can corrupt the database")
    if row["synchronous_commit"] == "off":
        problems.append(
            "synchronous_commit is off, so a crash can lose reports that were already "
            "acknowledged with 201"
        )
    if problems:
        raise DatabaseUnsafe(
            "refusing to start: " + "; ".join(problems) + ". Turn them on in postgresql.conf, "
            "for the role, or in DATABASE_URL options."
        )
