"""A short-lived in-process cache of whole public answers, keyed by what the answer depends on.

Under a read spike every public hotspot read would otherwise cost several
database round trips and the rendering of the same bytes. For `seconds` one
process answers from memory instead: the answer was already allowed to be the
last completed result, and proxies may keep it for `Cache-Control: max-age`,
so a second more changes nothing a resident could notice.

When an answer expires, no reader waits for the new one: the reader that
finds it expired starts one refresh in the background and, like every other
reader meanwhile, gets the previous answer, marked stale
(stale-while-revalidate). Only
when there is no answer yet, or the last one is older than `keep` seconds
(the refreshes keep failing: the database is away), do readers wait, and
then all of them wait for the same single build, so a spike never turns into
a stampede of queries. Measured under load (docs/RELIABILITY.md), the
readers that refreshed in line were the slowest percent of hotspot reads.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

MAX_ENTRIES = 64
# Longest an expired answer is still given while its refresh fails: the
# hotspots' own Cache-Control max-age, which already allows a proxy as much.
KEEP_SECONDS = 30.0


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    stale: bool
    until: float = 0.0


Build = Callable[[], Awaitable[Answer]]


class AnswerCache:
    """Answers per key for `seconds` (0: off), at most `size` keys, oldest out."""

    def __init__(self, seconds: float, size: int = MAX_ENTRIES, keep: float = KEEP_SECONDS) -> None:
        self.seconds = seconds
        self.size = size
        self.keep = max(keep, seconds)
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._building: dict[str, asyncio.Task[Answer]] = {}

    async def answer(self, key: str, build: Build) -> Answer:
        """The answer for `key`: from memory when there is one, else from `build`."""
        if self.seconds <= 0:
            return await build()
        now = time.monotonic()
        answer = self._answers.get(key)
        if answer is not None and answer.until >= now:
            return answer
        task = self._building.get(key) or self._start(key, build)
        if answer is not None and answer.until + self.keep - self.seconds >= now:
            # The refresh goes on in the background. Say the answer is stale, so a
            # map that asks again on `Hotspots-Stale` gets the refreshed one (the
            # data may have changed since this answer was built).
            return replace(answer, stale=True)
        # Nothing to give (yet, or for too long): wait for the one build.
        return await asyncio.shield(task)

    def _start(self, key: str, build: Build) -> asyncio.Task[Answer]:
        task = asyncio.ensure_future(self._build(key, build))
        self._building[key] = task
        task.add_done_callback(lambda _: self._building.pop(key, None))
        # A failed background refresh is retried by the next reader; a reader
        # that waited for it gets the error itself. Do not warn twice.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        return task

    async def _build(self, key: str, build: Build) -> Answer:
        built = await build()
        answer = Answer(built.body, built.etag, built.stale, time.monotonic() + self.seconds)
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
        return answer
