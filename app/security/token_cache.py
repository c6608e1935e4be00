"""Verified bearer tokens kept for a few seconds, so a GIS client's pages skip the lookup.

An entry is used only while the process hears of credential changes
(`app.repo.auth_changes`): any change to a token or staff user, made here or by
another process or tool, drops every entry at once; so a revoked token, a
deactivated user or a removed role stops working as soon as the database's
notification arrives (milliseconds; at once for changes made by this process).
While that connection is down nothing is cached, and no entry outlives
TTL_SECONDS in any case.
"""

from __future__ import annotations

import time
from typing import Any

from app.repo import auth_changes
from app.repo.auth_changes import Listener

TTL_SECONDS = 30.0
MAX_ENTRIES = 10_000


class TokenCache:
    """Token hash -> the user row it was verified to, with the generation it was read at."""

    def __init__(self, listener: Listener | None, ttl: float = TTL_SECONDS) -> None:
        self.listener = listener
        self.ttl = ttl
        self.entries: dict[bytes, tuple[int, float, dict[str, Any]]] = {}

    @property
    def live(self) -> bool:
        return self.listener is not None and self.listener.live

    def generation(self) -> int:
        """Note this before the lookup; `put` refuses an answer older than a change."""
        return auth_changes.generation()

    def get(self, token_hash: bytes) -> dict[str, Any] | None:
        if self.listener is None:
            return None
        self.listener.poll()
        if not self.listener.live:
            return None
        held = self.entries.get(token_hash)
        if held is None:
            return None
        seen, until, user = held
        if seen != auth_changes.generation() or time.monotonic() > until:
            del self.entries[token_hash]
            return None
        return user

    def put(self, token_hash: bytes, user: dict[str, Any], seen: int) -> None:
        if not self.live or seen != auth_changes.generation():
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()  # many tokens at once is rare: start again
        self.entries[token_hash] = (seen, time.monotonic() + self.ttl, user)


async def start(database_url: str) -> TokenCache:
    listener = Listener(database_url)
    listener.start()
    return TokenCache(listener)


async def stop(cache: TokenCache) -> None:
    if cache.listener is not None:
        await cache.listener.stop()
