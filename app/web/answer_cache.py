"""A short-lived in-process cache of whole public answers, keyed by what the answer depends on.

Under a read spike every public hotspot read would otherwise cost several
database round trips and the rendering of the same bytes. For `seconds` one
process answers from memory instead: the answer was already allowed to be the
last completed result, and proxies may keep it for `Cache-Control: max-age`,
so a second more changes nothing a resident could notice. When an answer
expires, one request asks the database again while the others keep getting
the previous answer, so a spike never turns into a stampede of queries.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass

MAX_ENTRIES = 64


@dataclass(frozen=True)
class Answer:
    body: bytes
    etag: str
    stale: bool
    until: float


class AnswerCache:
    """Answers per key for `seconds` (0: off), at most `size` keys, oldest out."""

    def __init__(self, seconds: float, size: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.size = size
        self._answers: OrderedDict[str, Answer] = OrderedDict()
        self._refreshing: set[str] = set()

    def get(self, key: str) -> Answer | None:
        """The answer to give, or None: then the caller builds it and calls `put` or `drop`."""
        answer = self._answers.get(key)
        if answer is not None and (answer.until >= time.monotonic() or key in self._refreshing):
            return answer
        if self.seconds > 0:
            self._refreshing.add(key)
        return None

    def drop(self, key: str) -> None:
        """The caller that got None from `get` gave up (an error): the next one tries."""
        self._refreshing.discard(key)

    def put(self, key: str, body: bytes, etag: str, stale: bool) -> None:
        self._refreshing.discard(key)
        if self.seconds <= 0:
            return
        self._answers[key] = Answer(body, etag, stale, time.monotonic() + self.seconds)
        self._answers.move_to_end(key)
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)
