"""Word of changes to staff credentials (API tokens, staff users), for caches of tokens.

Migration 0014's triggers notify CHANNEL at the commit of any change to
`api_tokens` (revoked, re-keyed, removed) or `staff_users`, from whichever
process or tool made it. `Listener` hears them on a connection of its own;
changes made by this process also count at once through `changed()`.
`generation()` moves on with every change heard, so a cache that notes it
when it looks something up can tell an answer that may be out of date.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg

CHANNEL = "trygg_staff_auth"
# How often a quiet listening connection is checked: a dead one stops the cache.
CHECK_SECONDS = 10.0
RETRY_SECONDS = 2.0

log = logging.getLogger("app.auth")

_generation = 0


def generation() -> int:
    return _generation


def changed() -> None:
    """Tokens or users changed (or may have, unheard): forget what was looked up before."""
    global _generation
    _generation += 1


class Listener:
    """LISTEN on CHANNEL; `live` only while the connection is known to be listening."""

    def __init__(self, url: str, check_seconds: float = CHECK_SECONDS) -> None:
        self.url = url
        self.check_seconds = check_seconds
        self.live = False
        self.conn: psycopg.AsyncConnection[object] | None = None
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name="auth-changes")

    async def stop(self) -> None:
        self._lost()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    def poll(self) -> None:
        """Take in notifications already on the socket, without waiting for the task.

        A change committed a moment ago then counts for the very next request,
        even before the listening task has had its turn.
        """
        conn = self.conn
        if conn is None or not self.live:
            return
        try:
            conn.pgconn.consume_input()
            while conn.pgconn.notifies() is not None:
                changed()
        except psycopg.Error:
            self._lost()

    def _lost(self) -> None:
        if self.live:
            self.live = False
            changed()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except (psycopg.Error, OSError, TimeoutError) as exc:
                log.warning("auth-changes listener lost (%s); token cache off until back", exc)
            finally:
                self._lost()
            await asyncio.sleep(RETRY_SECONDS)

    async def _listen(self) -> None:
        conn = await psycopg.AsyncConnection.connect(
            self.url,
            autocommit=True,
            connect_timeout=5,
            application_name="trygghetskartan-auth",
        )
        async with conn:
            await conn.execute(f"LISTEN {CHANNEL}")
            # Anything changed before LISTEN took effect went unheard: start afresh.
            changed()
            self.conn, self.live = conn, True
            try:
                while True:
                    async for _ in conn.notifies(timeout=self.check_seconds):
                        changed()
                    # Still there? An error or no answer in time ends this connection.
                    await asyncio.wait_for(conn.execute("SELECT 1"), self.check_seconds)
            finally:
                self.conn = None
